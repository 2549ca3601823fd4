// SPDX-License-Identifier: GPL-2.0-or-later
// What slaguard's pages share (/web.js, loaded before each page's own
// script). Everything shown comes from the daemon, parts of it (alert
// summaries, targets, evidence) from what attackers sent: text only,
// never markup (textContent and createElement; no innerHTML anywhere).
'use strict';

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

// A table row of CELLS (text or elements); DATA: its data-* attributes
// (those undefined, null or '' left out).
function row(cells, data) {
  const tr = document.createElement('tr');
  for (const c of cells) tr.appendChild(c instanceof Node ? c : el('td', c));
  for (const [k, v] of Object.entries(data || {}))
    if (v !== undefined && v !== null && v !== '') tr.dataset[k] = String(v);
  return tr;
}

// Cells coloured by web.css: an SLO's state, a severity.
function stateCell(state) { return el('td', state, 'state-' + state); }
function sevCell(sev) { return el('td', sev, 'sev-' + sev); }

// The column names of table ID's head.
function heads(id, names) {
  document.querySelector('#' + id + ' thead').replaceChildren(row(names.map((n) => el('th', n))));
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

// LOAD() now and every MS: #error says what failed (reading WHAT), and
// body[data-loaded] when the page last filled.
function refreshEvery(ms, what, load) {
  async function tick() {
    const err = document.getElementById('error');
    try {
      await load();
      err.hidden = true;
      document.body.dataset.loaded = String(Date.now());
    } catch (e) {
      err.textContent = 'cannot read ' + what + ': ' + e.message;
      err.hidden = false;
    }
  }
  tick();
  setInterval(tick, ms);
}
