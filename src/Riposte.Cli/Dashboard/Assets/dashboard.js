// Riposte's dashboard. Everything shown comes from alerts, so every value is treated as hostile: text goes in with
// textContent only, never as HTML. Requests carry the session cookie set at sign-in and the X-Riposte-Request header,
// which a cross-site form cannot send (the API refuses cookie-authenticated writes without it).
'use strict';

const state = { active: [], events: [], lastId: 0, lastFleetId: 0, fleet: false, serverSkew: 0, agents: [] };
const MAX_EVENTS = 200;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v; else if (k.startsWith('data-')) node.setAttribute(k, v); else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return node;
}

async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { 'X-Riposte-Request': '1', 'Accept': 'application/json' } };
  if (body !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = typeof body === 'string' ? body : JSON.stringify(body); }
  const response = await fetch(path, init);
  if (response.status === 401) { location.href = '/'; throw new Error('signed out'); }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error((data && (data.detail || data.title)) || response.statusText);
  return data;
}

function items(data) { return Array.isArray(data) ? data : (data && (data.items || data.data) || []); }

function toast(message, isError) {
  const t = document.getElementById('toast');
  t.textContent = message; t.className = isError ? 'error' : ''; t.hidden = false;
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { t.hidden = true; }, 5000);
}

function target(entry) { return (entry.keys && entry.keys.length ? entry.keys.join(', ') : entry.rkey) || ''; }

function left(entry) {
  const expires = Date.parse(entry.expires_at);
  if (isNaN(expires)) return '';
  const s = Math.max(0, Math.round((expires - Date.now() - state.serverSkew) / 1000));
  const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
  return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + sec + 's';
}

function renderActive() {
  const body = document.querySelector('#active tbody');
  body.replaceChildren(...state.active.map(entry => {
    const button = el('button', { class: 'revoke', type: 'button', 'data-rkey': entry.rkey }, 'Revoke');
    button.addEventListener('click', () => revoke(entry, button));
    return el('tr', { 'data-rkey': entry.rkey },
      el('td', {}, entry.response || entry.ar_name || ''), el('td', { class: 'target' }, target(entry)), el('td', {}, entry.agent || 'this host'),
      el('td', {}, entry.offense || 1), el('td', { class: 'left' }, left(entry)),
      el('td', { class: 'muted' }, entry.expires_at ? new Date(entry.expires_at).toLocaleString() : ''), el('td', {}, button));
  }));
  document.getElementById('active-count').textContent = state.active.length;
  document.getElementById('active-empty').hidden = state.active.length > 0;
}

function tick() { document.querySelectorAll('#active tbody tr').forEach((row, i) => { if (state.active[i]) row.querySelector('.left').textContent = left(state.active[i]); }); }

async function revoke(entry, button) {
  const where = entry.agent ? ' on agent ' + entry.agent : '';
  if (!confirm('Revoke ' + (entry.response || '') + ' for ' + target(entry) + where + '? Its delete runs now' +
      (entry.agent ? ' (or when the agent is back)' : '') + '.')) return;
  button.disabled = true;
  try {
    // An agent's entry is revoked on that agent: the manager queues it on the agent's stream and answers 202.
    const path = '/api/v1/active/' + encodeURIComponent(entry.rkey) + (entry.agent ? '?agent=' + encodeURIComponent(entry.agent) : '');
    await api('DELETE', path);
    toast(entry.agent ? 'Revoke sent to agent ' + entry.agent + ' for ' + target(entry) : 'Revoked ' + target(entry));
    await loadActive();
  } catch (e) { button.disabled = false; toast('Revoke failed: ' + e.message, true); }
}

function eventLine(e) {
  const time = new Date(e.time);
  const li = el('li', { class: e.severity || 'info', 'data-event': e.event },
    el('span', { class: 'time' }, isNaN(time) ? '' : time.toLocaleTimeString()),
    el('span', { class: 'kind' }, e.event),
    [e.response, target(e), e.agent ? 'agent ' + e.agent : '', e.rule_id ? 'rule ' + e.rule_id : '',
      e.exit_code != null ? 'exit ' + e.exit_code : '', e.duration_ms ? e.duration_ms + ' ms' : '', e.detail || ''].filter(Boolean).join('  ·  '));
  li.title = JSON.stringify(e, null, 1);
  return li;
}

function renderCounts(tableId, keyOf) {
  const counts = new Map();
  for (const e of state.events) { if (e.event !== 'add' && e.event !== 'abort' && e.event !== 'refused' && e.event !== 'failure' && e.event !== 'kill') continue; const k = keyOf(e); if (k) counts.set(k, (counts.get(k) || 0) + 1); }
  const rows = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
  document.querySelector('#' + tableId + ' tbody').replaceChildren(...(rows.length ? rows.map(([k, n]) => el('tr', {}, el('td', {}, k), el('td', {}, n))) : [el('tr', {}, el('td', { class: 'muted' }, 'no responses yet'))]));
}

function renderEvents() {
  document.getElementById('timeline').replaceChildren(...state.events.slice(0, MAX_EVENTS).map(eventLine));
  renderCounts('by-rule', e => e.rule_id ? 'rule ' + e.rule_id : null);
  renderCounts('by-response', e => e.response);
  const failures = state.events.filter(e => e.severity === 'error').length;
  document.getElementById('summary').textContent = state.events.length + ' recent events' + (failures ? ', ' + failures + ' failed' : '');
}

function addEvent(e) {
  if (state.events.some(x => x.id === e.id && x.agent === e.agent)) return;
  state.events.unshift(e);
  if (state.events.length > 1000) state.events.length = 1000;
  renderEvents();
  if (['add', 'continue', 'abort', 'delete', 'revoke', 'lapsed', 'failure', 'kill'].includes(e.event)) scheduleActiveReload();
}

let reloadTimer = null;
function scheduleActiveReload() { clearTimeout(reloadTimer); reloadTimer = setTimeout(loadActive, 150); }

async function loadActive() {
  try {
    const response = await fetch('/api/v1/active?limit=500', { credentials: 'same-origin', headers: { 'X-Riposte-Request': '1' } });
    if (response.status === 401) { location.href = '/'; return; }
    const date = Date.parse(response.headers.get('Date'));
    if (!isNaN(date)) state.serverSkew = Date.now() - date > 2000 || date - Date.now() > 2000 ? Date.now() - date : 0;
    state.active = items(await response.json());
    renderActive();
  } catch (e) { toast('Could not load active responses: ' + e.message, true); }
}

// On a manager the agents' history is a log of its own (ids of their own): both are read, and the live stream
// resumes after the newest of each ("LOCAL.FLEET"), so nothing between the two reads and the stream is missed.
async function loadHistory() {
  try {
    const [mine, theirs] = await Promise.all([api('GET', '/api/v1/history?limit=500'),
      state.fleet ? api('GET', '/api/v1/history?agent=*&limit=500') : Promise.resolve(null)]);
    const local = items(mine), agents = items(theirs);
    state.lastId = local.reduce((m, e) => (e.id > m ? e.id : m), 0);
    state.lastFleetId = agents.reduce((m, e) => (e.id > m ? e.id : m), 0);
    state.events = local.concat(agents).sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, 1000);
    renderEvents();
  } catch (e) { toast('Could not load history: ' + e.message, true); }
}

async function loadAgents() {
  try {
    const response = await fetch('/api/v1/agents', { credentials: 'same-origin', headers: { 'X-Riposte-Request': '1' } });
    if (!response.ok) return;
    const data = await response.json();
    state.fleet = !!(data && data.fleet);
    const agents = items(data);
    if (!agents.length) return;
    document.getElementById('agents-section').hidden = false;
    document.querySelector('#agents tbody').replaceChildren(...agents.map(a => el('tr', { class: a.state === 'active' ? '' : 'down', 'data-agent': a.agent },
      el('td', {}, a.agent), el('td', { class: 'state' }, a.state || ''), el('td', { class: 'muted' }, a.last_seen ? new Date(a.last_seen).toLocaleString() : ''), el('td', {}, a.pending || 0))));
  } catch (e) { /* no fleet */ }
}

function listen() {
  const live = document.getElementById('live');
  const after = state.fleet ? state.lastId + '.' + state.lastFleetId : (state.lastId ? String(state.lastId) : '');
  const source = new EventSource('/api/v1/events' + (after ? '?after=' + after : ''));
  source.onopen = () => { live.textContent = 'live'; live.className = 'pill on'; };
  source.onerror = () => { live.textContent = 'reconnecting…'; live.className = 'pill off'; };
  const onMessage = m => { try { addEvent(JSON.parse(m.data)); } catch (e) { /* a heartbeat or an unknown frame */ } };
  source.onmessage = onMessage;
  for (const kind of ['add', 'continue', 'abort', 'delete', 'revoke', 'trigger', 'failure', 'kill', 'refused', 'rate-limited', 'skip', 'dry-run', 'lapsed', 'expired', 'undeliverable', 'sent', 'reconcile', 'response']) source.addEventListener(kind, onMessage);
}

document.getElementById('explain-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const out = document.getElementById('explain-output');
  const text = document.getElementById('explain-input').value.trim();
  if (!text) return;
  out.textContent = 'explaining…';
  try { out.textContent = JSON.stringify(await api('POST', '/api/v1/explain', text), null, 2); out.className = ''; }
  catch (e) { out.textContent = 'Error: ' + e.message; out.className = 'error'; }
});

(async () => {
  await loadAgents();
  await Promise.all([loadActive(), loadHistory()]);
  listen();
  setInterval(tick, 1000);
  setInterval(loadAgents, 15000);
})();
