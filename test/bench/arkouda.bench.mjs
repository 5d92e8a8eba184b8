// The arkouda collector against 50 simulated Arkouda servers (8 locales, 40 commands, one user each,
// 5 ms reply latency; the simulator runs in a child process): the wall time of one poll cycle of
// all servers, the latency of scrapes served from the snapshots, RSS and the event loop's longest
// delay, first with every server answering, then with 5 of them wedged by the kind of request that
// stops a real metrics daemon. No other Arkouda exporter can run here, so the figures are given as
// ratios to the targets.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import arkouda, { ArkoudaClient } from '@tessera/collector-arkouda';
import { createExporter } from '@tessera/exporter';
import { Request } from 'zeromq';

const SERVERS = 50;
const WEDGED = 5;
const CYCLES = Number(process.env.BENCH_CYCLES ?? 10);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 200);
const REQUEST_TIMEOUT_MS = 4000;
const TARGETS = { cycleMs: 1000, scrapeMs: 20, eventLoopMs: 20 };

const simulatorMain = fileURLToPath(new URL('../../tooling/sim-arkouda/dist/main.js', import.meta.url));
const simulator = spawn(process.execPath, [simulatorMain, '--servers', String(SERVERS), '--locales', '8', '--commands', '40', '--latency-ms', '5'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [line] = await once(createInterface({ input: simulator.stdout }), 'line');
const { config } = JSON.parse(line);

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const clock = { now: () => Date.now(), monotonic: () => performance.now() };
const percentile = (values, fraction) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(fraction * values.length) - 1)];
const rssMegabytes = () => process.memoryUsage().rss / 1024 / 1024;

/** Poll cycles with one client per server: the time until every server that answers has answered. */
async function measureCycles(wedged) {
  const clients = config.map((entry) => new ArkoudaClient({ url: `tcp://${entry.host}:${entry.port}`, serverName: entry.instance, requestTimeoutMs: REQUEST_TIMEOUT_MS, logger: silent, clock }));
  const busy = new Set();
  const cycle = async () => {
    const started = performance.now();
    const answering = [];
    clients.forEach((client, index) => {
      if (busy.has(index)) return; // a wedged server's poll still waits for its timeout: one request in flight
      busy.add(index);
      const poll = client.poll(new AbortController().signal).finally(() => busy.delete(index));
      if (index >= wedged) answering.push(poll);
      else poll.catch(() => undefined);
    });
    await Promise.all(answering);
    return performance.now() - started;
  };
  await cycle(); // connects and reads each server's info
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const times = [];
  for (let index = 0; index < CYCLES; index++) times.push(await cycle());
  loop.disable();
  for (const client of clients) client.close();
  return { median: percentile(times, 0.5), max: Math.max(...times), eventLoopMs: loop.max / 1e6 };
}

function scrape(url) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    request(`${url}/metrics`, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () => resolve({ milliseconds: performance.now() - started, bytes }));
    })
      .on('error', reject)
      .end();
  });
}

/** The host with one instance per server, polling every second: scrapes served from the snapshots. */
async function measureScrapes(wedged) {
  const entries = config.map((entry) => ({ ...entry, pollIntervalSeconds: 1, requestTimeoutSeconds: REQUEST_TIMEOUT_MS / 1000 }));
  const exporter = await createExporter({ config: { collectors: { arkouda: entries }, log: { level: 'error' } }, plugins: { arkouda }, onlySuppliedPlugins: true });
  try {
    const url = await exporter.listen('127.0.0.1:0');
    const upLines = async () => (await exporter.collect()).text.split('\n').filter((text) => /^arkouda_up\{.*\} 1$/.test(text)).length;
    while ((await upLines()) < SERVERS - wedged) await delay(100);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const times = [];
    let bytes = 0;
    // Spread over several poll intervals, so scrapes meet polls in flight.
    for (let index = 0; index < SCRAPES; index++) {
      const result = await scrape(url);
      times.push(result.milliseconds);
      bytes = result.bytes;
      await delay(25);
    }
    loop.disable();
    const text = (await exporter.collect()).text;
    return {
      median: percentile(times, 0.5),
      p99: percentile(times, 0.99),
      eventLoopMs: loop.max / 1e6,
      series: text.split('\n').filter((sample) => sample.startsWith('arkouda_')).length,
      bytes,
      up: text.split('\n').filter((sample) => /^arkouda_up\{.*\} 1$/.test(sample)).length,
    };
  } finally {
    await exporter.close();
  }
}

/** Sends what stops a real metrics daemon: `metrics` with RESPONSE_TIME, a category it has no case for. */
async function wedge(entry) {
  const socket = new Request({ linger: 0, receiveTimeout: 300, sendTimeout: 300 });
  socket.connect(`tcp://${entry.host}:${entry.port}`);
  const args = JSON.stringify([JSON.stringify({ key: 'category', dtype: 'str', val: 'RESPONSE_TIME' })]);
  await socket.send(JSON.stringify({ user: 'bench', token: '', cmd: 'metrics', format: 'STRING', args, size: 1 }));
  const answered = await socket.receive().then(
    () => true,
    () => false,
  );
  socket.close();
  if (answered) throw new Error(`${entry.instance} answered a request that wedges Arkouda`);
}

const rows = [];
try {
  for (const wedged of [0, WEDGED]) {
    if (wedged > 0) for (const entry of config.slice(0, wedged)) await wedge(entry);
    const cycles = await measureCycles(wedged);
    const scrapes = await measureScrapes(wedged);
    rows.push({ wedged, cycles, scrapes, rss: rssMegabytes() });
  }
} finally {
  simulator.kill('SIGTERM');
}

const fmt = (value, width = 9) => value.toFixed(2).padStart(width);
console.log(`\narkouda benchmark: ${SERVERS} simulated servers (8 locales, 40 commands, 1 user, 5 ms latency), ${CYCLES} poll cycles, ${SCRAPES} scrapes\n`);
console.log('wedged   cycle median ms   cycle max ms   scrape median ms   scrape p99 ms   event loop max ms   series   body KB   up   RSS MB');
for (const { wedged, cycles, scrapes, rss } of rows) {
  const eventLoop = Math.max(cycles.eventLoopMs, scrapes.eventLoopMs);
  console.log(
    `${String(wedged).padStart(6)} ${fmt(cycles.median, 17)} ${fmt(cycles.max, 14)} ${fmt(scrapes.median, 18)} ${fmt(scrapes.p99, 15)} ${fmt(eventLoop, 19)} ${String(scrapes.series).padStart(8)} ${fmt(scrapes.bytes / 1024, 9)} ${String(scrapes.up).padStart(4)} ${fmt(rss, 8)}`,
  );
}
console.log('\nratios to the targets (<= 1.00x meets it):');
for (const { wedged, cycles, scrapes } of rows) {
  const eventLoop = Math.max(cycles.eventLoopMs, scrapes.eventLoopMs);
  console.log(
    `  ${wedged} wedged: cycle max ${(cycles.max / TARGETS.cycleMs).toFixed(2)}x of ${TARGETS.cycleMs} ms, scrape p99 ${(scrapes.p99 / TARGETS.scrapeMs).toFixed(2)}x of ${TARGETS.scrapeMs} ms, event loop max ${(eventLoop / TARGETS.eventLoopMs).toFixed(2)}x of ${TARGETS.eventLoopMs} ms`,
  );
}
const [healthy, withWedged] = rows;
console.log(`\n${WEDGED} wedged servers against none: cycle median ${(withWedged.cycles.median / healthy.cycles.median).toFixed(2)}x, scrape median ${(withWedged.scrapes.median / healthy.scrapes.median).toFixed(2)}x`);
