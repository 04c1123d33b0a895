// The lookup page (and the index's station list): find a SKU, a barcode, a location or an order; stock per
// location with lot and expiry, the latest movements, an order's timeline with its labels.
'use strict';

(() => {
  const { el, fill, get } = packd;

  if (document.body.dataset.page === 'index') {
    get('/api/stations').then((a) => fill('stations', (a.stations || []).map((s) =>
      el('li', {}, el('a', { href: '/station/' + encodeURIComponent(s.station) }, s.station), ' · ', s.mode))));
    return;
  }

  function table(headers, rows) {
    return el('table', { class: 'grid' }, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
      el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c ?? ''))))));
  }

  function when(ms) {
    return typeof ms === 'number' ? new Date(ms).toLocaleString() : ms || '';
  }

  async function showProduct(sku) {
    const [stock, moves] = await Promise.all([
      get('/api/stock?sku=' + encodeURIComponent(sku)),
      get('/api/movements?limit=20&sku=' + encodeURIComponent(sku)),
    ]);
    const level = (stock.stock || [])[0] || {};
    const rows = (level.rows || []).map((r) => [r.location, r.on_hand, r.lot, r.expiry]);
    fill('detail', el('h2', {}, 'Stock of ', sku, level.name ? ' · ' + level.name : ''),
      el('p', {}, 'on hand ', level.on_hand ?? 0, ' · reserved ', level.reserved ?? 0, ' · available ', level.available ?? 0),
      table(['Location', 'On hand', 'Lot', 'Expiry'], rows),
      el('h2', {}, 'Latest movements'),
      table(['When', 'Location', 'Change', 'Reason', 'Lot', 'Note'], (moves.movements || []).map((m) =>
        [when(m.at_ms), m.location, m.delta, m.reason, m.lot, m.note])));
  }

  async function showLocation(code) {
    const stock = await get('/api/stock?location=' + encodeURIComponent(code));
    if (!stock.ok) {
      fill('detail', el('p', { class: 'error' }, stock.error));
      return;
    }
    const rows = (stock.rows || []).map((r) => [r.sku, r.on_hand, r.lot, r.expiry]);
    fill('detail', el('h2', {}, 'Location ', code, ' · ', stock.location.kind), table(['SKU', 'On hand', 'Lot', 'Expiry'], rows));
  }

  async function showOrder(id) {
    const a = await get('/api/orders/' + encodeURIComponent(id));
    if (!a.ok) {
      fill('detail', el('p', { class: 'error' }, a.error));
      return;
    }
    const o = a.order;
    fill('detail', el('h2', {}, 'Order ', o.id, ' · ', o.state),
      o.hold_reason ? el('p', { class: 'error' }, 'held: ', o.hold_reason) : null,
      el('p', {}, 'ship to ', (o.ship_to && o.ship_to.name) || ''),
      table(['SKU', 'Quantity'], (o.lines || []).map((l) => [l.sku, l.quantity])),
      el('h2', {}, 'Timeline'),
      table(['When', 'State', 'Detail', 'Station'], (o.timeline || []).map((t) => [when(t.at), t.state, t.detail, [t.station, t.operator].filter(Boolean).join(' · ')])),
      el('h2', {}, 'Labels'),
      table(['Job', 'Kind', 'Printer', 'State', 'Tracking'], (o.labels || []).map((l) => [l.job, l.kind, l.printer, l.state, l.tracking_number])),
      table(['Carrier', 'Tracking number', 'Weight'], (o.shipments || []).map((s) => [s.carrier, s.tracking_number, s.weight_g])));
  }

  async function find(q) {
    const a = await get('/api/find?q=' + encodeURIComponent(q));
    if (!a.ok) {
      fill('results', el('p', { class: 'error' }, a.error));
      return;
    }
    const link = (label, open) => el('a', { href: '#', onclick: (e) => { e.preventDefault(); open(); } }, label);
    fill('results',
      (a.products || []).map((p) => el('div', { class: 'hit' }, 'product ', link(p.sku, () => showProduct(p.sku)), ' ', p.name || '', ' · available ', p.available ?? '')),
      (a.locations || []).map((l) => el('div', { class: 'hit' }, 'location ', link(l.code, () => showLocation(l.code)), ' ', l.kind || '')),
      (a.orders || []).map((o) => el('div', { class: 'hit' }, 'order ', link(o.id, () => showOrder(o.id)), ' ', o.state)),
      (a.products || []).length + (a.locations || []).length + (a.orders || []).length === 0 ? el('p', {}, 'nothing matches') : null);
    const only = [...(a.products || []).map((p) => () => showProduct(p.sku)), ...(a.locations || []).map((l) => () => showLocation(l.code)), ...(a.orders || []).map((o) => () => showOrder(o.id))];
    if (only.length === 1) only[0]();
  }

  document.getElementById('search').addEventListener('submit', (e) => {
    e.preventDefault();
    const q = document.getElementById('query').value.trim();
    if (q) find(q);
  });
  const initial = new URLSearchParams(location.search).get('q');
  if (initial) {
    document.getElementById('query').value = initial;
    find(initial);
  }
})();
