// The device page: every printer, scale, scanner and camera with its state and last activity, a test for
// each, the shop link, the queues, the version and the uptime; live from the device event stream.
'use strict';

(() => {
  const { el, fill, post, get, follow, live, ago } = packd;

  function stateCell(d) {
    const ok = d.state === 'ready';
    return el('td', { class: 'state ' + (ok ? 'ready' : 'fault') }, ok ? 'ready' : d.state + (d.detail ? ': ' + d.detail : ''));
  }

  function result(message, ok) {
    const box = document.getElementById('test-result');
    box.className = 'test-result ' + (ok ? 'ok' : 'error');
    box.textContent = message;
  }

  function testButton(label, run) {
    return el('button', { type: 'button', class: 'small', onclick: run }, label);
  }

  function uptime(s) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return (h ? h + ' h ' : '') + m + ' min';
  }

  function show(status) {
    const store = status.store || {};
    const broker = status.broker || {};
    fill('facts',
      el('div', { class: 'fact' }, el('b', {}, 'packd '), status.version, ' · site ', status.site),
      el('div', { class: 'fact' }, 'up ', uptime(status.uptime_s || 0)),
      el('div', { class: 'fact ' + (broker.connected ? 'ready' : 'fault'), id: 'broker' }, 'shop link: ', broker.connected ? 'connected' : (broker.state || 'offline')),
      el('div', { class: 'fact', id: 'outbox' }, 'outbox: ', store.outbox ?? 0, store.outbox_oldest_ms ? ' (oldest ' + Math.round(store.outbox_oldest_ms / 1000) + ' s)' : ''),
      el('div', { class: 'fact' }, 'labels queued: ', store.labels_queued ?? 0, store.labels_uncertain ? ', may have printed: ' + store.labels_uncertain : ''),
      el('div', { class: 'fact' }, 'orders open: ', store.orders_open ?? 0));
    fill('summary', status.summary || '');
    fill('printers', (status.printers || []).map((p) => el('tr', { dataset: { name: p.name } },
      el('td', {}, p.name), el('td', {}, p.type || ''), stateCell(p), el('td', {}, p.queued ?? 0),
      el('td', {}, p.last_printed_at || 'none yet'),
      el('td', {}, testButton('Print test label', async () => {
        const a = await post('/api/printers/' + encodeURIComponent(p.name) + '/test', {});
        result(a.ok ? 'test label queued on ' + p.name + ' (job ' + a.job + ')' : a.error, a.ok);
      })))));
    fill('scales', (status.scales || []).map((s) => {
      const r = s.reading;
      const reading = r ? (r.valid ? Math.round(r.milligrams / 1000) + ' g ' + (r.stable ? 'stable' : 'unstable') : r.reason) : 'no reading';
      return el('tr', { dataset: { name: s.name } },
        el('td', {}, s.name), el('td', {}, s.type || ''), stateCell(s), el('td', {}, reading),
        el('td', {}, s.last_reading ? ago(s.last_reading.at_ms) : 'never'),
        el('td', {}, testButton('Read scale', async () => {
          const a = await get('/api/scales/' + encodeURIComponent(s.name));
          const sc = a.ok && (a.scales || []).find((x) => x.name === s.name);
          result(sc ? s.name + ': ' + JSON.stringify(sc.reading || sc) : (a.error || 'no answer'), !!sc);
        })));
    }));
    fill('scanners', (status.scanners || []).map((s) => {
      const last = s.last_scan;
      return el('tr', { dataset: { name: s.name } },
        el('td', {}, s.name), el('td', {}, s.type || ''), stateCell(s),
        el('td', { class: 'scan' }, last ? last.what.data + (last.what.station ? ' at ' + last.what.station : '') : 'none yet'),
        el('td', {}, last ? ago(last.at_ms) : ''));
    }));
    document.body.dataset.updated = String(Date.now());
  }

  follow('/events/devices', { devices: show }, live);
})();
