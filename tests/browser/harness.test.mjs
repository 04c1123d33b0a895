// The browser harness itself: a site comes up, takes an order over MQTT, opens it at a pack station from a
// sim scanner, shows a printer fault and its end, and a headless Chromium loads a page and saves a
// screenshot. The web UI's own tests build on the same calls.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { artifactsDir, launchBrowser, orderPayload, startSite, waitUntil } from './harness.mjs';

let site;

before(async () => {
  site = await startSite();
});

after(async () => {
  await site?.stop();
});

const zebra = (status) => status.status.printers.find((p) => p.name === 'zebra');

test('an order published over MQTT reaches the store and prints its label on the TCP printer', async () => {
  await site.seedCatalogue();
  await site.publishOrder(orderPayload('SO-B1', 'MUG-RED', 1));
  // packctl refuses an order it does not know yet (a rejection waitUntil tries again).
  const answer = await waitUntil(() => site.packctl('order', 'SO-B1'), {
    message: 'packctl order SO-B1 to show the order',
    logs: site.logs,
  });
  assert.equal(answer.order.id, 'SO-B1');
  assert.equal(answer.order.state, 'accepted');
  assert.deepEqual(
    answer.order.lines.map((l) => [l.sku, l.quantity]),
    [['MUG-RED', 1]]);
  // The shipping label goes to the emulator, and packd sees the printer ready after its status checks.
  await waitUntil(async () => (await site.printer.printed()) === 1, {
    message: 'the shipping label of SO-B1 on the printer emulator',
    logs: site.logs,
  });
  const ready = await waitUntil(
    async () => {
      const z = zebra(await site.packctl('status'));
      assert.equal(z.state, 'ready');
      return z;
    },
    { message: 'printer zebra ready', logs: site.logs });
  assert.equal(ready.last_error, '');
});

test('a scan at gun1 opens the order at pack1, and the bench scale reads what the harness weighs', async () => {
  await site.scan('gun1', 'SO-B1');
  // An assertion that fails inside waitUntil is tried again; the last one is the error on the deadline.
  const station = await waitUntil(
    async () => {
      const [s] = (await site.packctl('station', 'pack1')).stations;
      assert.equal(s.order_id, 'SO-B1');
      return s;
    },
    { message: 'packctl station pack1 to show SO-B1 open', logs: site.logs });
  assert.equal(station.station, 'pack1');
  assert.equal(station.mode, 'pack');
  assert.equal(station.state, 'packing');
  assert.deepEqual(station.progress, [{ sku: 'MUG-RED', wanted: 1, packed: 0 }]);
  assert.equal((await site.packctl('order', 'SO-B1')).order.state, 'picking');

  await site.weigh(812);
  await waitUntil(
    async () => {
      const [bench] = (await site.packctl('scale', 'bench')).scales;
      assert.deepEqual(bench.reading, { milligrams: 812000, stable: true, valid: true, reason: '' });
      return true;
    },
    { message: 'scale bench to read 812 g', logs: site.logs });
  await site.weigh(900, { motion: true });
  await waitUntil(
    async () => {
      const [bench] = (await site.packctl('scale', 'bench')).scales;
      assert.deepEqual(bench.reading, { milligrams: 900000, stable: false, valid: true, reason: '' });
      return true;
    },
    { message: 'scale bench to read 900 g in motion', logs: site.logs });
});

test('a scan at gun2 reaches pick1', async () => {
  await site.scan('gun2', 'NOT-A-CODE');
  const [scan] = await waitUntil(
    async () => {
      const scans = (await site.packctl('scans', 'pick1')).scans.pick1 ?? [];
      assert.equal(scans.length, 1);
      return scans;
    },
    { message: 'the scan at gun2 in packctl scans pick1', logs: site.logs });
  assert.equal(scan.device, 'gun2');
  assert.equal(scan.raw, 'NOT-A-CODE');
  assert.equal(scan.valid, false);
});

test('paper out on the printer shows in packctl status, and so does its end', async () => {
  await site.printer.fault('paper_out');
  // packd asks a TCP printer for its state around a job: a reprint makes it ask. A reprint is refused
  // until the first print is settled, and a refused one is tried again.
  await waitUntil(() => site.packctl('reprint', 'SO-B1'), { message: 'a reprint of SO-B1', logs: site.logs });
  const fault = await waitUntil(
    async () => {
      const z = zebra(await site.packctl('status'));
      assert.notEqual(z.state, 'ready');
      assert.match(z.detail, /paper out/);
      return z;
    },
    { message: 'printer zebra not ready with a paper-out detail', logs: site.logs });
  assert.equal(fault.state, 'fault');
  assert.equal(await site.printer.printed(), 1, 'nothing prints while the paper is out');

  await site.printer.fault('none');
  // The print queue tries again on its own (1 s, doubling), prints the reprint and sees the printer ready.
  await waitUntil(async () => (await site.printer.printed()) === 2, {
    timeout: 30_000,
    message: 'the reprint of SO-B1 once paper is back',
    logs: site.logs,
  });
  const ready = await waitUntil(
    async () => {
      const z = zebra(await site.packctl('status'));
      assert.equal(z.state, 'ready');
      return z;
    },
    { message: 'printer zebra ready again', logs: site.logs });
  assert.doesNotMatch(ready.detail, /paper out/);
});

test('a printer switched off shows offline, and ready once it is back', async () => {
  await site.printer.online(false);
  await waitUntil(() => site.packctl('reprint', 'SO-B1'), { message: 'a reprint of SO-B1', logs: site.logs });
  const offline = await waitUntil(
    async () => {
      const z = zebra(await site.packctl('status'));
      assert.equal(z.state, 'offline');
      return z;
    },
    { message: 'printer zebra offline', logs: site.logs });
  assert.match(offline.detail, /cannot connect|no connection/);
  await site.printer.online(true);
  await waitUntil(async () => (await site.printer.printed()) === 3, {
    timeout: 30_000,
    message: 'the second reprint of SO-B1 once the printer is back',
    logs: site.logs,
  });
  await waitUntil(
    async () => {
      assert.equal(zebra(await site.packctl('status')).state, 'ready');
      return true;
    },
    { message: 'printer zebra ready again', logs: site.logs });
});

test('the store outlives a restart and a kill of packd', async () => {
  await site.restartPackd();
  assert.equal((await site.packctl('order', 'SO-B1')).order.state, 'picking');
  const killed = await site.killPackd();
  assert.equal(killed.signal, 'SIGKILL');
  assert.equal(site.packdRunning(), false);
  await assert.rejects(site.packctl('status'), /exit code 1/);
  await site.restartPackd();
  const [s] = (await site.packctl('station', 'pack1')).stations;
  assert.equal(s.order_id, 'SO-B1', 'the open order survives at pack1');
  assert.match(site.logs(), /started again/);
});

test('Chromium loads a page and saves a screenshot into the artefacts folder', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
    await page.goto('data:text/html,' + encodeURIComponent(
      '<!doctype html><title>packd</title><h1 id="hello">packd browser harness</h1>'));
    assert.equal(await page.textContent('#hello'), 'packd browser harness');
    const file = path.join(artifactsDir(), 'harness-data-page.png');
    fs.rmSync(file, { force: true });
    await page.screenshot({ path: file });
    assert.ok(fs.existsSync(file), `${file} exists`);
    const png = fs.readFileSync(file);
    assert.ok(png.length > 0, `${file} is not empty`);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
  } finally {
    await browser.close();
  }
});
