// Scan-to-screen latency with ten station screens open in Chromium: each of ten pack stations gets a
// scan a second on its sim scanner, and each screen notes when its DOM shows that scan's reply. Printed
// beside the floor measured in the same run (a request from the page to packd and back), and with packd's
// own loop figures with and without the screens, so the screens' cost to scans is seen too. Prints
// figures, asserts nothing (timings are no pass/fail matter on a shared machine).
//
//   scripts/bench-screens [SECONDS]      (default 30 s per phase)

import { performance } from 'node:perf_hooks';

import { freePort, launchBrowser, startSite } from './harness.mjs';

const STATIONS = 10;
const seconds = Number(process.argv[2] || process.env.PACKD_BENCH_SECONDS || 30);
const now = () => performance.timeOrigin + performance.now();
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const fmt = (v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');

function stationsToml(dir) {
  let toml = '';
  for (let i = 1; i <= STATIONS; i++) {
    toml += `[scanners.s${i}]\ntype = "sim"\nfifo = "${dir}/s${i}.fifo"\n\n`;
    toml += `[stations.bench${i}]\nprinter = "zebra"\nscanner = "s${i}"\n\n`;
  }
  return toml;
}

/** One scan a second at every station for `seconds`, staggered; returns when each was written. */
async function scanPhase(site, phase) {
  const written = new Map();
  const interval = 1000 / STATIONS;
  const total = seconds * STATIONS;
  const start = now();
  for (let n = 0; n < total; n++) {
    const station = (n % STATIONS) + 1;
    const code = `BENCH-${phase}-${n}`;
    const at = start + n * interval;
    const wait = at - now();
    if (wait > 0) await delay(wait);
    written.set(code, now());
    await site.scan(`s${station}`, code);
  }
  await delay(1500);
  return written;
}

async function loopFigures(site) {
  const a = await site.packctl('loop');
  return a.loop || a;
}

const port = await freePort();
const site = await startSite({
  extraToml: (dir) => `[web]\nport = ${port}\n\n${stationsToml(dir)}`,
});
// Ten kiosks are ten foreground windows: no page of the run is throttled as a background tab.
const browser = await launchBrowser({
  args: ['--autoplay-policy=no-user-gesture-required', '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
});
try {
  // Phase 1: scans with no screen open, for packd's loop figures alone.
  await site.packctl('loop', 'reset');
  await scanPhase(site, 'alone');
  const alone = await loopFigures(site);

  // Phase 2: ten screens, one per station.
  const pages = [];
  for (let i = 1; i <= STATIONS; i++) {
    const page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
    await page.goto(`http://127.0.0.1:${port}/station/bench${i}`);
    await page.evaluate(() => {
      window.__seen = [];
      window.addEventListener('packd:station', () => {
        const m = /BENCH-[a-z]+-\d+/.exec(document.getElementById('message').textContent);
        if (m) window.__seen.push([m[0], performance.timeOrigin + performance.now()]);
      });
    });
    pages.push(page);
  }
  await delay(1000);
  await site.packctl('loop', 'reset');
  const written = await scanPhase(site, 'screens');
  const withScreens = await loopFigures(site);
  const latencies = [];
  for (const page of pages) {
    const seen = await page.evaluate(() => window.__seen);
    const first = new Map();
    for (const [code, at] of seen) if (!first.has(code)) first.set(code, at);
    for (const [code, at] of first) {
      if (written.has(code)) latencies.push(at - written.get(code));
    }
  }
  // The floor: a request from the page to packd and back, on the same loopback and the same loop.
  const floor = [];
  for (let i = 0; i < 200; i++) {
    floor.push(await pages[i % STATIONS].evaluate(async () => {
      const t = performance.now();
      await fetch('/api/session', { cache: 'no-store' });
      return performance.now() - t;
    }));
  }
  console.log(`scan-to-screen with ${STATIONS} screens open, one scan a second each, ${seconds} s`);
  console.log(`  scans written ${written.size}, shown ${latencies.length}`);
  console.log(`  sim scan written -> DOM updated: p50 ${fmt(percentile(latencies, 50))} ms, p99 ${fmt(percentile(latencies, 99))} ms, max ${fmt(Math.max(...latencies))} ms`);
  console.log(`  floor, page -> packd -> page (GET /api/session): p50 ${fmt(percentile(floor, 50))} ms, p99 ${fmt(percentile(floor, 99))} ms`);
  console.log(`  packd loop without screens: lag p99 ${alone.lag_p99_ms} ms, max ${alone.lag_max_ms} ms, longest handler ${alone.longest_handler_ms} ms (${alone.longest_handler})`);
  console.log(`  packd loop with ${STATIONS} screens: lag p99 ${withScreens.lag_p99_ms} ms, max ${withScreens.lag_max_ms} ms, longest handler ${withScreens.longest_handler_ms} ms (${withScreens.longest_handler})`);
} finally {
  await browser.close();
  await site.stop();
}
