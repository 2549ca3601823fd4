// SPDX-License-Identifier: GPL-2.0-or-later
// slaguard's dashboard: reads /api/* every few seconds and fills the page.
// Everything shown comes from the daemon, parts of it (alert summaries,
// targets, evidence) from what attackers sent: text only, never markup
// (textContent and createElement; no innerHTML anywhere).
'use strict';

const REFRESH_MS = 5000;

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function row(cells) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.appendChild(c instanceof Node ? c : el('td', c));
  return tr;
}

function fill(id, rows, cols, empty) {
  const tbody = document.querySelector('#' + id + ' tbody');
  tbody.replaceChildren();
  if (!rows.length) {
    const td = el('td', empty, 'empty');
    td.colSpan = cols;
    tbody.appendChild(row([td]));
    return;
  }
  for (const r of rows) tbody.appendChild(r);
}

async function get(path) {
  const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
  return r.json();
}

function fmt(v) {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  return String(v);
}

function bound(s) {
  if (s.bound === null || s.bound === undefined) return '';
  return (s.bound_kind === 'min' ? '>= ' : '<= ') + fmt(s.bound);
}

function renderStatus(st) {
  document.getElementById('sla').textContent = st.sla || '';
  const ev = st.events || {};
  document.getElementById('meta').textContent =
    'file ' + (st.file || '') + ' · started ' + (st.started || '') +
    (st.dry_run ? ' · DRY RUN (nothing enforced)' : '') +
    ' · events ' + fmt(ev.received) + ' (lost ' + fmt(ev.lost) + ')' +
    ' · alerts ' + fmt(st.alerts);
  const rows = (st.slos || []).map((s) => {
    const state = el('td', s.state, 'state-' + s.state);
    const tr = row([s.id, s.metric, state, fmt(s.value), bound(s),
      el('td', s.severity, 'sev-' + s.severity), (s.evidence || {}).since || '']);
    tr.dataset.slo = s.id;
    tr.dataset.state = s.state;
    return tr;
  });
  fill('slos', rows, 7, 'the SLA has no SLOs');
}

function renderCountermeasures(cm, alertsById) {
  const rows = (cm.countermeasures || []).map((c) => {
    const a = c.alert ? alertsById.get(c.alert) : undefined;
    const why = (c.ref || '') + (a ? ': ' + a.summary : '');
    const tr = row([c.id, c.action + (c.dry_run ? ' (dry run)' : ''), c.target, why,
      c.alert || '', (c.expires || '') + (c.remaining_s !== undefined ? ' (' + fmt(c.remaining_s) + ' s left)' : '')]);
    tr.dataset.id = c.id;
    if (c.alert) tr.dataset.alert = c.alert;
    return tr;
  });
  fill('countermeasures', rows, 6, 'none');
}

function actionsText(actions) {
  if (!Array.isArray(actions)) return '';
  return actions.map((x) => (x.action || '') + ' ' + (x.result || '') +
    (x.detail ? ' (' + x.detail + ')' : '')).join('; ');
}

function renderAlerts(al) {
  const list = (al.alerts || []).slice().reverse();
  const rows = list.map((a) => {
    const tr = row([a.time, a.id, el('td', a.severity, 'sev-' + a.severity), a.kind,
      a.ref || '', a.summary, actionsText(a.actions)]);
    tr.dataset.alert = a.id;
    return tr;
  });
  fill('timeline', rows, 7, 'no alerts');
}

async function refresh() {
  const err = document.getElementById('error');
  try {
    const [st, al, cm] = await Promise.all([
      get('/api/status'), get('/api/alerts'), get('/api/countermeasures')]);
    const byId = new Map((al.alerts || []).map((a) => [a.id, a]));
    renderStatus(st);
    renderCountermeasures(cm, byId);
    renderAlerts(al);
    err.hidden = true;
    document.body.dataset.loaded = String(Date.now());
  } catch (e) {
    err.textContent = 'cannot read the daemon: ' + e.message;
    err.hidden = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  refresh();
  setInterval(refresh, REFRESH_MS);
});
