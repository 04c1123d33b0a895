// What every page of packd's web UI shares: building elements (text only: every value from orders,
// scans or devices goes in as textContent, never as markup), calling the API with the CSRF token, and
// following a live event stream that says when it is not live.
'use strict';

const packd = (() => {
  let csrf = null;

  /** An element with attributes and children; strings become text nodes, never HTML. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === 'class') node.className = value;
      else if (name === 'dataset') Object.assign(node.dataset, value);
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Replaces the children of the element with id `id`. */
  function fill(id, ...children) {
    const node = document.getElementById(id);
    node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false)
      .map((c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
    return node;
  }

  function text(id, value) {
    document.getElementById(id).textContent = value === undefined || value === null ? '' : String(value);
  }

  async function get(path) {
    const response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    const body = await response.json().catch(() => ({ ok: false, error: 'not JSON' }));
    return body;
  }

  async function session() {
    const s = await get('/api/session');
    csrf = s.csrf;
    return s;
  }

  /** POSTs `body` as JSON; fetches a new CSRF token once if packd restarted since the page loaded. */
  async function post(path, body) {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!csrf) await session();
      const response = await fetch(path, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Packd-Csrf': csrf },
        body: JSON.stringify(body || {}),
      });
      if (response.status === 403 && attempt === 0) {
        csrf = null;
        continue;
      }
      return response.json().catch(() => ({ ok: false, error: 'not JSON' }));
    }
    return { ok: false, error: 'refused' };
  }

  /**
   * Follows a server-sent event stream. `handlers` maps event names to functions; `onLive(bool)` says
   * whether what is shown is live. Without an event for 25 s (packd sends a heartbeat every 10 s) the
   * stream is taken as dead and opened again.
   */
  function follow(url, handlers, onLive) {
    let source = null;
    let watchdog = null;
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => { onLive(false); open(); }, 25000);
    };
    function open() {
      if (source) source.close();
      source = new EventSource(url);
      source.onopen = () => alive();
      source.onerror = () => onLive(false);
      source.addEventListener('heartbeat', () => {
        alive();
        onLive(true);
      });
      for (const [name, handle] of Object.entries(handlers)) {
        source.addEventListener(name, (event) => {
          alive();
          onLive(true);
          handle(JSON.parse(event.data));
        });
      }
      source.onmessage = () => alive();
    }
    open();
  }

  /** Shows or hides the "reconnecting" banner and marks the page stale. */
  function live(isLive) {
    document.body.classList.toggle('stale', !isLive);
    const banner = document.getElementById('connection');
    if (banner) banner.textContent = isLive ? '' : 'Reconnecting to packd… what is shown is not live';
  }

  function ago(ms) {
    if (!ms) return 'never';
    const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    return Math.round(s / 3600) + ' h ago';
  }

  return { el, fill, text, get, post, session, follow, live, ago };
})();
