// A whole site for end-to-end browser tests: a private mosquitto on a free loopback port, the ZPL printer
// emulator (packd_zpl_printer_sim) on another, the real packd with a generated config in a temporary
// folder (TCP printer "zebra", sim scale "bench", sim scanners "gun1" and "gun2", stations pack1 and
// pick1), and Debian's Chromium through playwright-core. The C++ twin of this is
// tests/integration/packd_fixture.hpp with tests/support/test_env.cpp.
//
// Binaries come from the environment, set by tests/browser/CMakeLists.txt for ctest: PACKD_BIN,
// PACKCTL_BIN, PACKD_PRINTER_SIM, PACKD_SOURCE_DIR; PACKD_BUILD_DIR for the artefacts folder unless
// PACKD_BROWSER_ARTIFACTS names one; PACKD_CHROMIUM for another browser than /usr/bin/chromium;
// PACKD_BROWSER_KEEP=1 keeps each site's temporary folder.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

import { chromium } from 'playwright-core';

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 30_000;
const TOPIC_PREFIX = 'packd/v1';

/// The value of an environment variable the harness cannot work without; throws when it is not set.
export function requireEnv(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: the browser tests need PACKD_BIN, PACKCTL_BIN, PACKD_PRINTER_SIM and ` +
        'PACKD_SOURCE_DIR (ctest sets them; see tests/browser/CMakeLists.txt)');
  }
  return value;
}

function binaries() {
  const b = {
    packd: requireEnv('PACKD_BIN'),
    packctl: requireEnv('PACKCTL_BIN'),
    printerSim: requireEnv('PACKD_PRINTER_SIM'),
    sourceDir: requireEnv('PACKD_SOURCE_DIR'),
  };
  for (const [what, file] of Object.entries(b)) {
    // The children run in the site's folder: a path relative to ours would not be found there.
    b[what] = path.resolve(file);
    if (!fs.existsSync(b[what])) {
      throw new Error(`${what}: ${b[what]} does not exist (is the build complete?)`);
    }
  }
  return b;
}

/// A TCP port on 127.0.0.1 that nobody listened on a moment ago.
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

/// Polls `check` (sync or async) until it returns a truthy value, which it resolves to. On the deadline it
/// rejects with `message`, the last value or error seen and, when given, `logs()` (packd's output).
export async function waitUntil(check, { timeout = 20_000, interval = 50, message = 'condition', logs } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await check();
      if (value) {
        return value;
      }
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const seen = last instanceof Error ? last.stack : JSON.stringify(last, null, 2);
      throw new Error(
        `timed out after ${timeout} ms waiting for ${message}; last seen: ${seen}` +
          (logs ? `\n--- packd output ---\n${logs()}` : ''));
    }
    await delay(interval);
  }
}

/// `promise`, or `fallback()` (its value, or what it throws) once `ms` have passed. The timer is cleared
/// when the promise settles first, so it keeps no test process alive.
function within(promise, ms, fallback) {
  let timer;
  const late = new Promise((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(fallback());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

// Children still running when the test process ends are killed, so no packd outlives its broker; on
// SIGINT or SIGTERM too, after which the signal ends the process as it would have.
const children = new Set();
const killChildren = () => {
  for (const child of children) {
    child.kill('SIGKILL');
  }
};
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killChildren();
    process.kill(process.pid, signal);
  });
}

/// A child process whose stdout and stderr are kept together in order.
class Child {
  constructor(name, command, args, { cwd, env, stdin = 'ignore', captureStdout = true } = {}) {
    this.name = name;
    this.output = '';
    this.exit = null;  // {code, signal} once it has ended
    this.proc = spawn(command, args, { cwd, env: env ?? process.env, stdio: [stdin, 'pipe', 'pipe'] });
    children.add(this.proc);
    this.exited = new Promise((resolve) => {
      const ended = (exit) => {
        if (this.exit === null) {
          children.delete(this.proc);
          this.exit = exit;
          resolve(exit);
        }
      };
      // 'exit', not 'close': a helper packd started may hold its stdout open a moment longer.
      this.proc.on('exit', (code, signal) => ended({ code, signal }));
      this.proc.on('error', (error) => {
        this.output += `[${name}: ${error.message}]\n`;
        if (this.proc.pid === undefined) {
          ended({ code: null, signal: null, error: error.message });  // it never started
        }
      });
    });
    const keep = (chunk) => {
      this.output += chunk;
    };
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', keep);
    if (captureStdout) {
      this.proc.stdout.setEncoding('utf8');
      this.proc.stdout.on('data', keep);
    }
  }

  running() {
    return this.exit === null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /// Resolves once the output holds `text`; rejects when the process ends first or on the deadline.
  async waitForOutput(text, timeout) {
    const deadline = Date.now() + timeout;
    while (!this.output.includes(text)) {
      if (!this.running()) {
        throw new Error(`${this.name} ended (${describeExit(this.exit)}) before it printed "${text}"`);
      }
      if (Date.now() >= deadline) {
        throw new Error(`${this.name} did not print "${text}" within ${timeout} ms`);
      }
      await delay(20);
    }
  }

  /// Sends `signal`, waits up to `timeout` ms, then kills; resolves to the exit.
  async stop(signal = 'SIGTERM', timeout = STOP_TIMEOUT_MS) {
    if (this.running()) {
      this.proc.kill(signal);
      const ended = await within(this.exited, timeout, () => null);
      if (ended === null) {
        this.output += `[${this.name} did not end within ${timeout} ms of ${signal}: killed]\n`;
        this.proc.kill('SIGKILL');
      }
    }
    return this.exited;
  }
}

function describeExit(exit) {
  if (!exit) {
    return 'still running';
  }
  if (exit.error) {
    return `not started: ${exit.error}`;
  }
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/// Runs a command to its end; resolves to {code, stdout, stderr}. `input` is written to its stdin.
function run(command, args, { input, timeout = COMMAND_TIMEOUT_MS, env } = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: env ?? process.env });
    children.add(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8');
    proc.stderr.setEncoding('utf8');
    proc.stdout.on('data', (chunk) => (stdout += chunk));
    proc.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeout);
    proc.on('error', (error) => {
      clearTimeout(timer);
      children.delete(proc);
      reject(new Error(`cannot run ${command}: ${error.message}`));
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(proc);
      if (signal) {
        reject(new Error(`${command} ${args.join(' ')}: ended by ${signal} (limit ${timeout} ms)\n${stderr}`));
        return;
      }
      resolve({ code, stdout, stderr });
    });
    proc.stdin.on('error', () => {});  // a command that exits without reading its input
    proc.stdin.end(input ?? '');
  });
}

/// A TOML basic string.
function tomlString(value) {
  let out = '"';
  for (const ch of String(value)) {
    const code = ch.codePointAt(0);
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/// packd's own order JSON (docs/mqtt.md): `qty` x `sku` to a short valid address, as packd_fixture.hpp's
/// order_payload.
export function orderPayload(id, sku, qty = 1, { eventId = `evt-${id}` } = {}) {
  return {
    event_id: eventId,
    type: 'order.created',
    order: {
      id,
      ship_to: { name: 'A', street1: 'B 1', city: 'C', postal_code: '1', country: 'DE' },
      lines: [{ sku, quantity: qty }],
    },
  };
}

async function startBroker(dir) {
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  // As in tests/support/test_env.cpp: run as whoever runs the tests (as root mosquitto would switch to its
  // own user otherwise), and raise max_queued_messages above the default 1000 (DESIGN.md, "The broker").
  const user = os.userInfo().username;
  await fsp.writeFile(
    conf,
    `user ${user}\nlistener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n` +
      'max_queued_messages 10000\nlog_dest stderr\nlog_type error\nlog_type warning\n');
  const broker = new Child('mosquitto', 'mosquitto', ['-c', conf], { cwd: dir });
  await waitUntil(() => canConnect(port), { timeout: 10_000, message: `mosquitto on port ${port}` }).catch(
    (error) => {
      broker.stop('SIGKILL');
      throw new Error(`${error.message}\n--- mosquitto output ---\n${broker.output}`);
    });
  return { broker, port };
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/// The printer emulator process: "port N" first, then one answer line per command line.
async function startPrinterSim(simBinary, dir) {
  const sim = new Child('packd_zpl_printer_sim', simBinary, ['0'], {
    cwd: dir,
    stdin: 'pipe',
    captureStdout: false,  // read line by line below
  });
  const lines = readline.createInterface({ input: sim.proc.stdout });
  const waiting = [];  // resolvers of the commands sent, oldest first
  let portLine;
  const gotPort = new Promise((resolve) => (portLine = resolve));
  lines.on('line', (line) => {
    sim.output += `${line}\n`;
    if (portLine) {
      const resolve = portLine;
      portLine = null;
      resolve(line);
    } else if (waiting.length > 0) {
      waiting.shift()(line);
    }
  });
  const first = await within(
    Promise.race([
      gotPort,
      sim.exited.then((exit) => {
        throw new Error(`packd_zpl_printer_sim ended (${describeExit(exit)}) before its port:\n${sim.output}`);
      }),
    ]),
    10_000,
    () => {
      throw new Error(`packd_zpl_printer_sim said nothing within 10 s:\n${sim.output}`);
    });
  const match = /^port (\d+)$/.exec(first);
  if (!match) {
    await sim.stop('SIGKILL');
    throw new Error(`packd_zpl_printer_sim: expected "port N", found "${first}"`);
  }
  sim.proc.stdin.on('error', () => {});
  let queue = Promise.resolve();
  // Commands go one at a time, so each answer is the one of its command.
  const command = (text) => {
    const result = queue.then(async () => {
      if (!sim.running()) {
        throw new Error(`packd_zpl_printer_sim is not running (${describeExit(sim.exit)}):\n${sim.output}`);
      }
      const answer = new Promise((resolve) => waiting.push(resolve));
      sim.proc.stdin.write(`${text}\n`);
      const line = await within(answer, 10_000, () => {
        throw new Error(`packd_zpl_printer_sim: no answer to "${text}" within 10 s`);
      });
      if (line.startsWith('error')) {
        throw new Error(`packd_zpl_printer_sim: "${text}": ${line}`);
      }
      return line;
    });
    queue = result.catch(() => {});
    return result;
  };
  return { sim, port: Number(match[1]), command };
}

/// The packd config the harness writes; `extraToml` is appended verbatim (a `[web]` section, say).
function packdConfig({ dir, siteId, brokerPort, printerPort, extraToml }) {
  const file = (name) => tomlString(path.join(dir, name));
  return `[site]
id = ${tomlString(siteId)}
name = "Browser Test Site"
street1 = "1 Test Road"
city = "Testville"
postal_code = "12345"
country = "US"

[daemon]
state_dir = ${file('state')}
admin_socket = ${file('packd.sock')}
log_level = "debug"

[broker]
host = "127.0.0.1"
port = ${brokerPort}
client_id = ${tomlString(`packd-browser-${process.pid}-${path.basename(dir)}`)}
reconnect_min_ms = 100
reconnect_max_ms = 1000

[labels]
printer = "zebra"

# The ZPL printer emulator. packd asks a TCP printer for its state only around a job (before the formats,
# then until its buffer is empty), so a fault shows once a job has tried to print.
[printers.zebra]
type = "tcp"
host = "127.0.0.1"
port = ${printerPort}
connect_timeout_ms = 1000
status_timeout_ms = 1000
job_timeout_ms = 10000

[scales.bench]
type = "sim"
fifo = ${file('bench.fifo')}

[scanners.gun1]
type = "sim"
fifo = ${file('gun1.fifo')}

[scanners.gun2]
type = "sim"
fifo = ${file('gun2.fifo')}

[stations.pack1]
printer = "zebra"
scale = "bench"
scanner = "gun1"

[stations.pick1]
mode = "pick"
printer = "zebra"
scanner = "gun2"
${extraToml ? `\n${extraToml}\n` : ''}`;
}

/// Writes one line to a FIFO that packd reads. Opened without blocking: packd holds its FIFOs open, and
/// until it does (start-up) the open is tried again rather than waiting forever for a reader.
async function writeFifoLine(fifo, line, timeout = 10_000) {
  if (/[\r\n]/.test(line)) {
    throw new Error(`one line expected, found a line break in ${JSON.stringify(line)}`);
  }
  const flags = fs.constants.O_WRONLY | fs.constants.O_NONBLOCK;
  const handle = await waitUntil(
    () =>
      fsp.open(fifo, flags).catch((error) => {
        if (error.code === 'ENXIO' || error.code === 'ENOENT') {
          return null;  // no reader yet, or not made yet
        }
        throw error;
      }),
    { timeout, message: `a reader on ${fifo}` });
  try {
    const bytes = Buffer.from(`${line}\n`);
    // At most PIPE_BUF bytes go in one piece; a line is short.
    const { bytesWritten } = await handle.write(bytes);
    if (bytesWritten !== bytes.length) {
      throw new Error(`${fifo}: wrote ${bytesWritten} of ${bytes.length} bytes`);
    }
  } finally {
    await handle.close();
  }
}

/// Starts a site (see the top of this file). options: `extraToml` (appended to packd's config),
/// `siteId` (default "browser"), `env` (extra environment for packd).
export async function startSite(options = {}) {
  const bin = binaries();
  const siteId = options.siteId ?? 'browser';
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'packd-browser-'));
  const started = [];  // stopped in reverse on failure or stop()
  let packd = null;
  let packdKilled = false;  // by killPackd(): its end is no failure
  let packdLog = '';  // output of the packd runs before the current one
  const logs = () => packdLog + (packd ? packd.output : '');

  // Stops packd with SIGTERM; a packd that does not then exit 0 (a sanitizer's report, a crash, a
  // shutdown past its deadline), or that had ended by itself, is a failure named with its output.
  const stopPackd = async () => {
    if (!packd) {
      return null;
    }
    if (!packd.running()) {
      return packdKilled ? null : `packd had ended by itself (${describeExit(packd.exit)})`;
    }
    const exit = await packd.stop('SIGTERM');
    return exit.code === 0 ? null : `packd did not exit 0 on SIGTERM (${describeExit(exit)})`;
  };

  const stopAll = async () => {
    const problem = await stopPackd().catch((error) => error.message);
    for (const child of started.reverse()) {
      if (child.name === 'packd_zpl_printer_sim' && child.running()) {
        child.proc.stdin.end();  // ends it as "quit" does
        await within(child.exited, 2000, () => null);
      }
      await child.stop('SIGTERM');
    }
    return problem;
  };

  try {
    const { broker, port: brokerPort } = await startBroker(dir);
    started.push(broker);
    const printerSim = await startPrinterSim(bin.printerSim, dir);
    started.push(printerSim.sim);

    const configPath = path.join(dir, 'packd.toml');
    const config = packdConfig({
      dir,
      siteId,
      brokerPort,
      printerPort: printerSim.port,
      // A function is given the site's folder, for sections that name files in it.
      extraToml: typeof options.extraToml === 'function' ? options.extraToml(dir) : options.extraToml,
    });
    await fsp.writeFile(configPath, config);
    const socket = path.join(dir, 'packd.sock');
    const packdEnv = { ...process.env, ...(options.env ?? {}) };
    // systemd's variables of the test's own environment are not packd's.
    delete packdEnv.NOTIFY_SOCKET;
    delete packdEnv.WATCHDOG_USEC;
    delete packdEnv.WATCHDOG_PID;

    const startPackd = async () => {
      if (packd) {
        packdLog += `${packd.output}--- packd ${describeExit(packd.exit)}; started again ---\n`;
      }
      packd = new Child('packd', bin.packd, ['--config', configPath], { cwd: dir, env: packdEnv });
      packdKilled = false;
      try {
        await packd.waitForOutput('ready:', READY_TIMEOUT_MS);
      } catch (error) {
        await packd.stop('SIGKILL');
        throw new Error(`packd did not become ready: ${error.message}\n--- packd output ---\n${logs()}`);
      }
    };
    await startPackd();

    // packctl prints the answer only when packd said ok; a refusal is exit code 1 and a line on stderr.
    const packctl = async (...args) => {
      const words = args.map(String);
      const r = await run(bin.packctl, ['--socket', socket, '--json', ...words]);
      if (r.code !== 0) {
        const error = new Error(`packctl ${words.join(' ')}: exit code ${r.code}: ${r.stderr.trim()}`);
        Object.assign(error, { code: r.code, stderr: r.stderr });
        throw error;
      }
      try {
        return JSON.parse(r.stdout);
      } catch {
        throw new Error(`packctl ${words.join(' ')}: not JSON: ${r.stdout}\n--- packd output ---\n${logs()}`);
      }
    };

    const publish = async (topic, payload) => {
      const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
      const r = await run(
        'mosquitto_pub',
        ['-h', '127.0.0.1', '-p', String(brokerPort), '-q', '1', '-t', topic, '-s'],
        { input: body });
      if (r.code !== 0) {
        throw new Error(`mosquitto_pub to ${topic}: exit code ${r.code}: ${r.stderr}${r.stdout}`);
      }
    };

    const site = {
      dir,
      siteId,
      brokerPort,
      configPath,
      socket,
      config,
      topic: (rest) => `${TOPIC_PREFIX}/${siteId}/${rest}`,
      publish,
      publishOrder: (payload) => publish(`${TOPIC_PREFIX}/${siteId}/in/orders`, payload),
      scan: (scanner, text) => writeFifoLine(path.join(dir, `${scanner}.fifo`), text),
      weigh: (grams, { motion = false, scale = 'bench' } = {}) =>
        writeFifoLine(path.join(dir, `${scale}.fifo`), `${grams} g${motion ? ' motion' : ''}`),
      printer: {
        port: printerSim.port,
        fault: (kind) => printerSim.command(`fault ${kind}`),
        online: (on) => printerSim.command(`online ${on ? 1 : 0}`),
        printed: async () => {
          const line = await printerSim.command('printed');
          const match = /^printed (\d+)$/.exec(line);
          if (!match) {
            throw new Error(`packd_zpl_printer_sim: expected "printed N", found "${line}"`);
          }
          return Number(match[1]);
        },
      },
      packctl,
      seedCatalogue: async () => {
        for (const location of ['A-01-01', 'A-01-02']) {
          await packctl('location', 'add', location);
        }
        await packctl('import', 'products', path.join(bin.sourceDir, 'config/samples/products.csv'));
        await packctl('import', 'stock', path.join(bin.sourceDir, 'config/samples/stock.csv'));
      },
      restartPackd: async () => {
        const problem = await stopPackd();
        if (problem) {
          throw new Error(`${problem}\n--- packd output ---\n${logs()}`);
        }
        await startPackd();
      },
      killPackd: async () => {
        if (!packd) {
          return null;
        }
        packdKilled = true;
        return packd.stop('SIGKILL');
      },
      packdRunning: () => Boolean(packd && packd.running()),
      logs,
      brokerLogs: () => broker.output,
      printerLogs: () => printerSim.sim.output,
      stop: async () => {
        const problem = await stopAll();
        if (keepFolders() || problem) {
          process.stderr.write(`packd browser site kept in ${dir}\n`);
        } else {
          await fsp.rm(dir, { recursive: true, force: true });
        }
        if (problem) {
          throw new Error(`${problem}; its folder is kept in ${dir}\n--- packd output ---\n${logs()}`);
        }
      },
    };
    return site;
  } catch (error) {
    await stopAll();
    if (!keepFolders()) {
      await fsp.rm(dir, { recursive: true, force: true });
    }
    throw error;
  }
}

function keepFolders() {
  const keep = process.env.PACKD_BROWSER_KEEP;
  return Boolean(keep) && keep !== '0';
}

/// Debian's Chromium (or $PACKD_CHROMIUM) through Playwright; `options` go to chromium.launch.
export async function launchBrowser(options = {}) {
  const { args = [], ...rest } = options;
  return chromium.launch({
    executablePath: process.env.PACKD_CHROMIUM || '/usr/bin/chromium',
    // Root in a container has no user namespaces for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', ...args],
    ...rest,
  });
}

/// Where screenshots and traces go: $PACKD_BROWSER_ARTIFACTS, else <build dir>/test-artifacts/browser.
export function artifactsDir() {
  const dir =
    process.env.PACKD_BROWSER_ARTIFACTS ||
    path.join(requireEnv('PACKD_BUILD_DIR'), 'test-artifacts', 'browser');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
