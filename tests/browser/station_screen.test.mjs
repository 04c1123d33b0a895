// The web UI in Debian's Chromium against the real packd: a pack flow and a pick flow driven by sim scans
// and weights, checked on the station screens at each step (a refused scan's error, the weight's state,
// a printer out of paper and back, the label preview); the device page; an order name that is markup
// shown as text; a restart shown as "reconnecting"; and a LAN-bound server refusing a request without
// credentials. Screenshots go to the artefacts folder.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { artifactsDir, freePort, launchBrowser, startSite, waitUntil } from './harness.mjs';

const HOSTILE = '<script>window.__injected = 1</script><img src=x onerror="window.__injected = 2">Jana';

let site;
let browser;
let base;

before(async () => {
  const port = await freePort();
  site = await startSite({ extraToml: `[web]\naddress = "127.0.0.1"\nport = ${port}\n` });
  base = `http://127.0.0.1:${port}`;
  await site.seedCatalogue();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await site?.stop();
});

async function screenPage(url, viewport = { width: 1024, height: 600 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(base + url);
  page.errors = errors;
  return page;
}

/** Waits until `fn` (run in the page) returns a truthy value; the last value seen is in the error. */
function until(page, what, fn, arg) {
  return waitUntil(() => page.evaluate(fn, arg), { message: what, logs: site.logs, timeout: 20_000 });
}

const textOf = (page, id) => page.evaluate((i) => document.getElementById(i).textContent, id);

async function shot(page, name) {
  const file = path.join(artifactsDir(), name);
  await page.screenshot({ path: file });
  assert.ok(fs.statSync(file).size > 1000, `${file} is a screenshot`);
}

function order(id, lines, name = 'A') {
  return {
    event_id: `evt-${id}`,
    type: 'order.created',
    order: {
      id,
      ship_to: { name, street1: 'Hauptstraße 12', city: 'Köln', postal_code: '50667', country: 'DE' },
      lines: lines.map(([sku, quantity]) => ({ sku, quantity })),
    },
  };
}

test('a pack flow on the pack1 screen: order, wrong item, items, weight, a printer out of paper, the label', async () => {
  await site.publishOrder(order('1001', [['MUG-RED', 2], ['TEE-BLK-L', 1]], HOSTILE));
  await waitUntil(() => site.packctl('order', '1001'), { message: 'order 1001 stored', logs: site.logs });
  // The order's label printed on arrival; the screen shows the label of the order it packs.
  await waitUntil(async () => (await site.printer.printed()) >= 1, { message: 'label of 1001 printed', logs: site.logs });

  const page = await screenPage('/station/pack1');
  await until(page, 'the idle screen', () => document.getElementById('next').textContent === 'Scan an order');
  assert.equal(await textOf(page, 'mode'), 'pack');

  await site.scan('gun1', '1001');
  await until(page, 'order 1001 open', () => document.getElementById('task').textContent === 'Order 1001');
  // The hostile name is text: no element was made of it and no script of it ran.
  assert.equal(await textOf(page, 'customer'), HOSTILE);
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  assert.equal(await page.evaluate(() => document.querySelectorAll('#customer *').length), 0);
  const rows = () => page.evaluate(() => [...document.querySelectorAll('#line-rows tr')].map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual((await rows()).map((r) => r.slice(0, 3)), [['MUG-RED', '0', '2'], ['TEE-BLK-L', '0', '1']]);

  // A product the order does not hold: refused, in the error colour, and nothing changes.
  await site.scan('gun1', 'POSTER-A2');
  await until(page, 'the refusal', () => document.getElementById('message').classList.contains('error'));
  assert.match(await textOf(page, 'message'), /POSTER-A2/);
  assert.match(await textOf(page, 'message'), /nothing changed/);
  const red = await page.evaluate(() => getComputedStyle(document.getElementById('message')).backgroundColor);
  assert.equal(red, 'rgb(196, 0, 26)');
  await shot(page, 'pack-refused.png');
  assert.deepEqual((await rows()).map((r) => r[1]), ['0', '0']);

  await site.scan('gun1', '4006381333931');
  await until(page, 'one mug in', () => document.querySelector('#line-rows tr').cells[1].textContent === '1');
  assert.ok(await page.evaluate(() => document.getElementById('message').classList.contains('ok')));
  await site.scan('gun1', '4006381333931');
  await site.scan('gun1', 'TEE-BLK-L');
  await until(page, 'all items in', () => document.getElementById('progress').textContent === 'all items in');
  assert.deepEqual((await rows()).map((r) => r[1]), ['2', '1']);

  // The weight: 2 x 350 g + 180 g, within 50 g. In motion first, then stable.
  await site.weigh(870, { motion: true });
  await until(page, 'an unstable weight', () => document.getElementById('weight-state').textContent === 'unstable');
  assert.equal(await textOf(page, 'weight'), '870 g');
  assert.equal(await textOf(page, 'weight-range'), 'expected 830 g – 930 g');
  // A stable weight out of the range (an item missing?) turns the box red before DONE is scanned.
  for (let i = 0; i < 4; i++) await site.weigh(600);
  await until(page, 'a stable weight out of range', () =>
    document.getElementById('weight-state').textContent === 'stable' &&
    document.getElementById('weight-box').dataset.fit === 'out');
  const outBox = await page.evaluate(() => getComputedStyle(document.getElementById('weight-box')).borderColor);
  assert.equal(outBox, 'rgb(196, 0, 26)');
  await shot(page, 'pack-weight-out-of-range.png');
  for (let i = 0; i < 4; i++) await site.weigh(880);
  await until(page, 'a stable weight in range', () =>
    document.getElementById('weight-state').textContent === 'stable' &&
    document.getElementById('weight-box').dataset.fit === 'in');
  assert.equal(await textOf(page, 'weight'), '880 g');
  await shot(page, 'pack-weighing.png');
  await shot(page, 'station.png');  // README's picture

  // The label printed when the order arrived; its preview, drawn on request, is on the screen.
  await until(page, 'the label preview', () => {
    const img = document.getElementById('label-preview');
    return !document.getElementById('label-box').hidden && img.complete && img.naturalWidth > 100;
  });
  assert.match(await textOf(page, 'label-state'), /label printed on zebra/);

  // The printer runs out of paper as the packer asks for a reprint: the screen says so until it is fixed.
  await site.printer.fault('paper_out');
  const before = await site.printer.printed();
  await page.click('button[data-word="REPRINT"]');
  await until(page, 'the printer fault on the screen', () =>
    /Printer zebra: .*paper/i.test(document.getElementById('alert').textContent) &&
    document.body.classList.contains('printer-fault'));
  await shot(page, 'pack-paper-out.png');
  await site.printer.fault('none');
  await until(page, 'the printer ready again', () => !document.body.classList.contains('printer-fault') &&
    document.getElementById('alert').textContent === '');
  await waitUntil(async () => (await site.printer.printed()) > before, { message: 'the reprint printed after the fault', logs: site.logs });

  await site.scan('gun1', 'DONE');
  await waitUntil(async () => (await site.packctl('order', '1001')).order.state === 'shipped', {
    message: 'order 1001 shipped', logs: site.logs });
  await until(page, 'the shipment on the screen', () => document.getElementById('message').classList.contains('ok') &&
    /ship/i.test(document.getElementById('message').textContent));
  await shot(page, 'pack-shipped.png');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a pick flow on the pick1 screen: order, tote, walk, location, item', async () => {
  await site.publishOrder(order('1002', [['MUG-RED', 1]]));
  await waitUntil(() => site.packctl('order', '1002'), { message: 'order 1002 stored', logs: site.logs });
  const page = await screenPage('/station/pick1');
  await until(page, 'the pick screen', () => document.getElementById('mode').textContent === 'pick');
  const buttons = await page.evaluate(() => [...document.querySelectorAll('#buttons button')].map((b) => b.dataset.word));
  assert.deepEqual(buttons, ['SHORT', 'UNDO', 'CANCEL']);

  await site.scan('gun2', '1002');
  await until(page, 'asked for a tote', () => /tote/i.test(document.getElementById('message').textContent));
  await site.scan('gun2', 'TOTE-1');
  await until(page, 'the tote on the screen', () => /TOTE-1/.test(document.getElementById('line-rows').textContent));
  await site.scan('gun2', 'DONE');
  await until(page, 'the first stop', () => /A-01-01/.test(document.getElementById('next').textContent));
  const stop = await page.evaluate(() => [...document.querySelectorAll('#line-rows tr')].map((r) => [...r.cells].map((c) => c.textContent)));
  assert.deepEqual(stop.map((r) => r.slice(0, 3)), [['MUG-RED', '0', '1']]);
  assert.match(stop[0][3], /A-01-01/);
  await shot(page, 'pick-walk.png');

  // The wrong location is refused on the screen; the right one and the item end the wave.
  await site.scan('gun2', 'A-01-02');
  await until(page, 'the wrong location refused', () => document.getElementById('message').classList.contains('error'));
  await site.scan('gun2', 'A-01-01');
  await until(page, 'the location taken', () => document.getElementById('message').classList.contains('ok'));
  await site.scan('gun2', '4006381333931');
  await until(page, 'the wave picked', () => /wave picked/.test(document.getElementById('message').textContent));
  await shot(page, 'pick-done.png');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the touch buttons send the station its command words', async () => {
  await site.publishOrder(order('1003', [['TEE-BLK-L', 1]]));
  await waitUntil(() => site.packctl('order', '1003'), { message: 'order 1003 stored', logs: site.logs });
  const page = await screenPage('/station/pack1');
  await site.scan('gun1', '1003');
  await until(page, 'order 1003 open', () => document.getElementById('task').textContent === 'Order 1003');
  await site.scan('gun1', 'TEE-BLK-L');
  await until(page, 'the item in', () => document.querySelector('#line-rows tr').cells[1].textContent === '1');
  await page.click('button[data-word="UNDO"]');
  await until(page, 'the item out again', () => document.querySelector('#line-rows tr').cells[1].textContent === '0');
  const [station] = (await site.packctl('station', 'pack1')).stations;
  assert.deepEqual(station.progress.map((p) => [p.sku, p.packed]), [['TEE-BLK-L', 0]]);
  // A POST without the page's CSRF token changes nothing.
  const forged = await page.evaluate(async () => (await fetch('/api/stations/pack1/command', {
    method: 'POST', body: JSON.stringify({ word: 'CANCEL' }), headers: { 'Content-Type': 'application/json' },
  })).status);
  assert.equal(forged, 403);
  assert.equal((await site.packctl('station', 'pack1')).stations[0].order_id, '1003');
  await page.click('button[data-word="CANCEL"]');
  await until(page, 'the order put back', () => document.getElementById('task').textContent === 'No order open');
  await page.close();
});

test('the device page shows a printer out of paper and back, and its test label prints', async () => {
  const page = await screenPage('/devices');
  const zebraState = () => page.evaluate(() => document.querySelector('#printers tr[data-name="zebra"] td.state')?.textContent);
  await waitUntil(async () => (await zebraState()) === 'ready', { message: 'zebra ready on the device page', logs: site.logs });
  assert.match(await textOf(page, 'broker'), /connected/);
  const scanner = await page.evaluate(() => document.querySelector('#scanners tr[data-name="gun1"]').cells[3].textContent);
  assert.match(scanner, /TEE-BLK-L at pack1|1003 at pack1|DONE at pack1/);

  // packd sees a TCP printer's fault around a job: the test button sends one.
  await site.printer.fault('paper_out');
  const printedBefore = await site.printer.printed();
  await page.click('#printers tr[data-name="zebra"] button');
  await until(page, 'the test label queued', () => /test label queued on zebra/.test(document.getElementById('test-result').textContent));
  await waitUntil(async () => /paper/i.test((await zebraState()) || ''), { message: 'paper out on the device page', logs: site.logs });
  await shot(page, 'devices-paper-out.png');
  await site.printer.fault('none');
  await waitUntil(async () => (await zebraState()) === 'ready', { message: 'zebra ready again', logs: site.logs });
  await waitUntil(async () => (await site.printer.printed()) > printedBefore, { message: 'the test label printed', logs: site.logs });
  await page.click('#scales tr[data-name="bench"] button');
  await until(page, 'the scale read', () => /bench:/.test(document.getElementById('test-result').textContent));
  await shot(page, 'devices.png');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('lookup finds an order and shows its timeline and labels', async () => {
  const page = await screenPage('/lookup?q=1001');
  await until(page, 'the order found', () => /Order 1001/.test(document.getElementById('detail').textContent));
  const detail = await textOf(page, 'detail');
  assert.match(detail, /shipped/);
  assert.ok(detail.includes(HOSTILE), 'the hostile name is shown as text');
  assert.equal(await page.evaluate(() => window.__injected), undefined);
  const timeline = await page.evaluate(() => [...document.querySelectorAll('#detail table')[1].tBodies[0].rows].map((r) => r.cells[1].textContent));
  assert.deepEqual(timeline.filter((t) => ['received', 'accepted', 'picking', 'packed', 'shipped'].includes(t)).slice(-3), ['picking', 'packed', 'shipped']);
  await shot(page, 'lookup.png');

  // A SKU: its stock per location and its latest movements (the mugs packed for 1001 left A-01-01).
  await page.fill('#query', 'MUG-RED');
  await page.press('#query', 'Enter');
  await until(page, 'the stock of MUG-RED', () => /Stock of MUG-RED/.test(document.getElementById('detail').textContent));
  const stock = await page.evaluate(() => [...document.querySelectorAll('#detail table')[0].tBodies[0].rows].map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  const [level] = (await site.packctl('stock', 'MUG-RED')).stock;
  assert.deepEqual(stock, level.rows.map((r) => [r.location, String(r.on_hand)]));
  const moves = await page.evaluate(() => document.querySelectorAll('#detail table')[1].tBodies[0].rows.length);
  assert.ok(moves >= 2, 'the import and the pick of the mugs are movements');

  // A location: what it holds.
  await page.fill('#query', 'A-01-02');
  await page.press('#query', 'Enter');
  await until(page, 'location A-01-02', () => /Location A-01-02/.test(document.getElementById('detail').textContent));
  assert.match(await textOf(page, 'detail'), /TEE-BLK-L/);
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a screen says it is reconnecting while packd restarts, then shows live data again', async () => {
  const page = await screenPage('/station/pack1');
  await until(page, 'the screen live', () => !document.body.classList.contains('stale') && document.body.dataset.updated);
  const restart = site.restartPackd();
  await until(page, 'the reconnecting banner', () => document.body.classList.contains('stale') &&
    /Reconnecting/.test(document.getElementById('connection').textContent));
  await shot(page, 'reconnecting.png');
  await restart;
  await until(page, 'live again', () => !document.body.classList.contains('stale') &&
    document.getElementById('connection').textContent === '');
  await site.scan('gun1', 'NOPE-42');
  await until(page, 'a scan after the restart', () => /NOPE-42/.test(document.getElementById('message').textContent));
  await page.close();
});

test('a web UI on a LAN address refuses requests without credentials', async () => {
  const secrets = await fsp.mkdtemp(path.join(os.tmpdir(), 'packd-web-credentials-'));
  const credentials = path.join(secrets, 'web.credentials');
  const token = 'kiosk-token-0123456789abcdef';
  await fsp.writeFile(credentials, `# station screens\n${token}\nadmin:correct horse battery\n`, { mode: 0o600 });
  const port = await freePort();
  const lan = await startSite({
    siteId: 'lan',
    extraToml: `[web]\naddress = "0.0.0.0"\nport = ${port}\ncredentials_file = "${credentials}"\n`,
  });
  try {
    // The box's own LAN address where it has one; the listener on 0.0.0.0 asks for credentials either way.
    const lanAddress = Object.values(os.networkInterfaces()).flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
    const url = `http://${lanAddress}:${port}`;
    for (const p of ['/api/status', '/station/pack1', '/events/station/pack1', '/api/orders/1001']) {
      const r = await fetch(url + p);
      assert.equal(r.status, 401, `${p} without credentials`);
      assert.match(r.headers.get('www-authenticate') || '', /Basic/);
    }
    const wrong = await fetch(url + '/api/status', { headers: { Authorization: 'Bearer not-the-token-at-all' } });
    assert.equal(wrong.status, 401);
    const bearer = await fetch(url + '/api/status', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(bearer.status, 200);
    assert.equal((await bearer.json()).status.site, 'lan');
    const basic = await fetch(url + '/api/status', {
      headers: { Authorization: 'Basic ' + Buffer.from('admin:correct horse battery').toString('base64') },
    });
    assert.equal(basic.status, 200);
    assert.equal(bearer.headers.get('access-control-allow-origin'), null);
    // A kiosk passes the token once in the URL; the screen then runs on its cookie.
    const page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
    await page.goto(`${url}/station/pack1?token=${token}`);
    assert.equal(new URL(page.url()).search, '');
    await until(page, 'the kiosk screen live', () => document.getElementById('mode').textContent === 'pack');
    await page.close();
  } finally {
    await lan.stop();
    await fsp.rm(secrets, { recursive: true, force: true });
  }
});
