// SPDX-License-Identifier: GPL-2.0-or-later
// slaguard-coord's page: reads /api/state every few seconds and shows the
// fleet, with the helpers of /web.js (text only, never markup: names,
// evidence and summaries come from the nodes).
'use strict';

const REFRESH_MS = 3000;

function when(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : 'never';
}

function ago(ms, now) {
  if (!ms) return 'never';
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 120) return s + 's ago';
  if (s < 7200) return Math.round(s / 60) + 'm ago';
  return Math.round(s / 3600) + 'h ago';
}

function renderSlos(st) {
  const rows = (st.slos || []).map((s) => {
    const tr = row([s.id, s.kind, el('td', s.state, 'state-' + s.state),
      el('td', s.severity, 'sev-' + s.severity), when(s.since_ms), s.evidence]);
    tr.dataset.slo = s.id;
    tr.dataset.state = s.state;
    return tr;
  });
  fill('slos', rows, 6, 'the composite SLA has no SLOs');
}

function renderNodes(st, now) {
  const rows = (st.nodes || []).map((n) => {
    const heard = n.silent ? (n.heard_ms ? 'silent' : 'never heard') : 'heard';
    const sla = n.sla ? n.sla.name + ' (' + (n.sla.revision ? 'r' + n.sla.revision : 'its file') +
      ')' + (n.sla.refused ? ' refused a deploy: ' + n.sla.refused : '') : '';
    const tr = row([n.name, n.site, n.host || '',
      el('td', heard, n.silent ? 'state-violated' : 'state-compliant'),
      when(n.heard_ms) + ' (' + ago(n.heard_ms, now) + ')',
      n.under_attack ? el('td', 'yes: ' + (n.attack || ''), 'sev-high') : 'no',
      sla, fmt(n.alerts)]);
    tr.dataset.node = n.name;
    tr.dataset.heard = n.silent ? 'silent' : 'heard';
    return tr;
  });
  fill('nodes', rows, 8, 'the composite SLA names no nodes');
}

function renderAlerts(st) {
  const rows = (st.alerts || []).slice().reverse().map((a) => {
    const tr = row([when(a.real_ms), a.node, a.id, el('td', a.severity, 'sev-' + a.severity),
      a.ref, a.summary]);
    tr.dataset.alert = a.id;
    return tr;
  });
  fill('alerts', rows, 6, 'no alerts from the nodes yet');
}

async function refresh() {
  const st = await get('/api/state');
  const now = st.updated_ms || Date.now();
  document.getElementById('composite').textContent = st.composite || '';
  document.getElementById('meta').textContent = (st.nodes || []).length + ' nodes · ' +
    (st.slos || []).length + ' composite SLOs · as of ' + when(st.updated_ms);
  renderSlos(st);
  renderNodes(st, now);
  renderAlerts(st);
}

document.addEventListener('DOMContentLoaded', () => {
  refreshEvery(REFRESH_MS, 'the coordinator', refresh);
});
