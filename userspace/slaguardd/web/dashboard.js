// SPDX-License-Identifier: GPL-2.0-or-later
// slaguard's dashboard: reads /api/* every few seconds and fills the page,
// with the helpers of /web.js (text only, never markup).
'use strict';

const REFRESH_MS = 5000;

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
  const rows = (st.slos || []).map((s) => row([s.id, s.metric, stateCell(s.state),
    fmt(s.value), bound(s), sevCell(s.severity), (s.evidence || {}).since || ''],
  { slo: s.id, state: s.state }));
  fill('slos', rows, 7, 'the SLA has no SLOs');
}

function renderCountermeasures(cm, alertsById) {
  const rows = (cm.countermeasures || []).map((c) => {
    const a = c.alert ? alertsById.get(c.alert) : undefined;
    const why = (c.ref || '') + (a ? ': ' + a.summary : '');
    return row([c.id, c.action + (c.dry_run ? ' (dry run)' : ''), c.target, why,
      c.alert || '', (c.expires || '') + (c.remaining_s !== undefined ? ' (' + fmt(c.remaining_s) + ' s left)' : '')],
    { id: c.id, alert: c.alert });
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
  const rows = list.map((a) => row([a.time, a.id, sevCell(a.severity), a.kind,
    a.ref || '', a.summary, actionsText(a.actions)], { alert: a.id }));
  fill('timeline', rows, 7, 'no alerts');
}

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = String(text);
  return e;
}

function pct(x) {
  return (100 * (x || 0)).toFixed(2) + '%';
}

function duration(s) {
  s = Math.round(s || 0);
  const d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
  const m = Math.floor(s % 3600 / 60), r = s % 60;
  return (d ? d + 'd' : '') + (h ? h + 'h' : '') + (m ? m + 'm' : '') + (r || !s ? r + 's' : '');
}

// One bar per SLO: the shares of the period compliant, violated, unknown.
function renderReport(rep) {
  const slos = rep.slos || [];
  const W = 640, LABEL = 160, BAR = 18, GAP = 8, width = W - LABEL - 140;
  const chart = document.getElementById('chart');
  document.getElementById('period').textContent = (rep.from || '') + ' to ' + (rep.to || '');
  chart.replaceChildren();
  if (!slos.length) {
    chart.appendChild(el('p', 'nothing recorded yet', 'empty'));
  } else {
    const root = svg('svg', { width: W, height: slos.length * (BAR + GAP) + GAP,
      role: 'img', 'aria-label': 'compliance per SLO' });
    slos.forEach((o, i) => {
      const y = GAP + i * (BAR + GAP);
      const g = svg('g', { 'data-slo': o.slo, 'data-compliant': o.compliant,
        'data-violated': o.violated, 'data-unknown': o.unknown });
      g.appendChild(svg('text', { x: 0, y: y + BAR - 5 }, o.slo));
      let x = LABEL;
      for (const k of ['compliant', 'violated', 'unknown']) {
        const w = Math.max(0, (o[k] || 0) * width);
        const r = svg('rect', { x: x, y: y, width: w, height: BAR, class: k });
        r.appendChild(svg('title', {}, o.slo + ': ' + k + ' ' + pct(o[k])));
        g.appendChild(r);
        x += w;
      }
      g.appendChild(svg('text', { x: LABEL + width + 8, y: y + BAR - 5 },
        pct(o.compliant) + ' compliant'));
      root.appendChild(g);
    });
    chart.appendChild(root);
  }
  const rows = [];
  for (const o of slos) {
    for (const v of o.violations || []) {
      rows.push(row([o.slo, v.start, v.end === null ? '(ongoing)' : v.end,
        duration(v.duration_s), v.worst === null ? '' : fmt(v.worst)]));
    }
  }
  fill('violations', rows, 5, 'no violations in the period');
}

async function refreshReport() {
  const since = document.getElementById('since').value;
  try {
    renderReport(await get('/api/report?since=' + encodeURIComponent(since)));
  } catch (e) {
    const chart = document.getElementById('chart');
    chart.replaceChildren(el('p', 'no report: ' + e.message, 'empty'));
  }
}

async function refresh() {
  const [st, al, cm] = await Promise.all([
    get('/api/status'), get('/api/alerts'), get('/api/countermeasures')]);
  const byId = new Map((al.alerts || []).map((a) => [a.id, a]));
  renderStatus(st);
  renderCountermeasures(cm, byId);
  renderAlerts(al);
  await refreshReport();
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('since').addEventListener('change', refreshReport);
  refreshEvery(REFRESH_MS, 'the daemon', refresh);
});
