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
  const rows = (st.slos || []).map((s) => row([s.id, s.kind, stateCell(s.state),
    sevCell(s.severity), when(s.since_ms), s.evidence], { slo: s.id, state: s.state }));
  fill('slos', rows, 6, 'the composite SLA has no SLOs');
}

function renderNodes(st, now) {
  const rows = (st.nodes || []).map((n) => {
    const heard = n.silent ? (n.heard_ms ? 'silent' : 'never heard') : 'heard';
    const sla = n.sla ? n.sla.name + ' (' + (n.sla.revision ? 'r' + n.sla.revision : 'its file') +
      ')' + (n.sla.refused ? ' refused a deploy: ' + n.sla.refused : '') : '';
    return row([n.name, n.site, n.host || '',
      el('td', heard, n.silent ? 'state-violated' : 'state-compliant'),
      when(n.heard_ms) + ' (' + ago(n.heard_ms, now) + ')',
      n.under_attack ? el('td', 'yes: ' + (n.attack || ''), 'sev-high') : 'no',
      sla, fmt(n.alerts)], { node: n.name, heard: n.silent ? 'silent' : 'heard' });
  });
  fill('nodes', rows, 8, 'the composite SLA names no nodes');
}

function renderAlerts(st) {
  const rows = (st.alerts || []).slice().reverse().map((a) => row([when(a.real_ms), a.node,
    a.id, sevCell(a.severity), a.ref, a.summary], { alert: a.id }));
  fill('alerts', rows, 6, 'no alerts from the nodes yet');
}

async function refresh() {
  const st = await get('/api/state');
  const now = st.updated_ms || Date.now();
  document.getElementById('composite').textContent = st.composite || '';
  document.getElementById('counts').textContent = (st.nodes || []).length + ' nodes, ' +
    (st.slos || []).filter((s) => s.state === 'violated').length + ' of ' +
    (st.slos || []).length + ' composite SLOs violated';
  document.getElementById('updated').textContent = when(st.updated_ms);
  renderSlos(st);
  renderNodes(st, now);
  renderAlerts(st);
}

document.addEventListener('DOMContentLoaded', () => {
  heads('slos', ['SLO', 'kind', 'state', 'severity', 'since', 'evidence']);
  heads('nodes', ['node', 'site', 'hypervisor', 'heard', 'last heard', 'under attack',
    'SLA (revision)', 'alerts']);
  heads('alerts', ['time', 'node', 'alert', 'severity', 'SLO / rule', 'summary']);
  refreshEvery(REFRESH_MS, 'the coordinator', refresh);
});
