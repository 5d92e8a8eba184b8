// `pnpm bench arkouda`: the arkouda collector against 50 simulated Arkouda servers (8 locales, 40
// commands, one user each, 5 ms reply latency; the simulator runs in a child process), first with
// every server answering, then with 5 of them wedged by the kind of request that stops a real
// metrics daemon. Prints:
// - one poll cycle's wall time (every server polled once, all at the same moment);
// - start-up: creating 50 instances, every server up, /-/ready;
// - scrapes of /metrics served from the snapshots (gzip, as Prometheus asks), interleaved with
//   scrapes of the Debian Pushgateway holding the same series (pushed once: Go's text encoder
//   serving the same exposition), their CPU time, and what of it is the collectors' rendering;
// - the event loop's longest delay while scraping, beside its longest delay with nothing to do
//   (the baseline of this shared machine), and RSS.
// Figures and ratios, never a pass/fail.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent } from 'node:http';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import arkouda, { ArkoudaClient, render } from '@tessera/collector-arkouda';
import { createExporter } from '@tessera/exporter';
import { SampleCollection } from '@tessera/exposition';
import { startPushgateway } from '@tessera/test-support';
import { Request } from 'zeromq';
import { cpuMilliseconds, GZIP, loopDelayDuring, percentile, timedGet } from './measure.mjs';

const SERVERS = 50;
const WEDGED = 5;
const CYCLES = Number(process.env.BENCH_CYCLES ?? 10);
const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 100);
const POLL_INTERVAL_SECONDS = 5;
const REQUEST_TIMEOUT_SECONDS = 4;
const TARGETS = { cycleMs: 1000, scrapeMs: 20, eventLoopMs: 20 };

const simulatorMain = fileURLToPath(new URL('../../tooling/sim-arkouda/dist/main.js', import.meta.url));
const simulator = spawn(process.execPath, [simulatorMain, '--servers', String(SERVERS), '--locales', '8', '--commands', '40', '--latency-ms', '5'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [line] = await once(createInterface({ input: simulator.stdout }), 'line');
const { config } = JSON.parse(line);

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const clock = { now: () => Date.now(), monotonic: () => performance.now() };
const rssMegabytes = () => process.memoryUsage().rss / 1024 / 1024;

/**
 * Poll cycles with one client per server, every server polled at the same moment: the time until
 * every server that answers has answered. A wedged server's poll still waits for its timeout (one
 * request in flight), and never holds up the cycle of the others. Also renders each snapshot
 * as a collection would, timing what the collectors' part of a scrape costs.
 */
async function measureCycles(wedged) {
  const clients = config.map((entry) => new ArkoudaClient({ url: `tcp://${entry.host}:${entry.port}`, serverName: entry.instance, requestTimeoutMs: REQUEST_TIMEOUT_SECONDS * 1000, logger: silent, clock }));
  const busy = new Set();
  const snapshots = [];
  const cycle = async () => {
    const started = performance.now();
    const answering = [];
    clients.forEach((client, index) => {
      if (busy.has(index)) return;
      busy.add(index);
      const poll = client.poll(new AbortController().signal).finally(() => busy.delete(index));
      if (index >= wedged) answering.push(poll.then((snapshot) => (snapshots[index] = snapshot)));
      else poll.catch(() => undefined);
    });
    await Promise.all(answering);
    return performance.now() - started;
  };
  await cycle(); // connects and reads each server's info
  const { result: times, maxMs } = await loopDelayDuring(async () => {
    const measured = [];
    for (let index = 0; index < CYCLES; index++) measured.push(await cycle());
    return measured;
  });
  for (const client of clients) client.close();
  // What the instances' collect() calls of one scrape cost: each snapshot into the host's validating sink.
  const served = snapshots.filter((snapshot) => snapshot !== undefined);
  const renderTimes = [];
  for (let round = 0; round < 20; round++) {
    const started = process.cpuUsage();
    for (const snapshot of served) {
      const sink = new SampleCollection(arkouda.metrics, 'bench');
      render(snapshot, sink);
      sink.seal();
    }
    renderTimes.push(cpuMilliseconds(started));
  }
  return { median: percentile(times, 0.5), max: Math.max(...times), eventLoopMs: maxMs, renderCpuMs: percentile(renderTimes, 0.5) };
}

const upCount = (text) => text.split('\n').filter((sample) => /^arkouda_up\{.*\} 1$/.test(sample)).length;

/** The host with one instance per server at the default poll interval: start-up, then scrapes served from the snapshots. */
async function measureHost(wedged, pushgateway) {
  const entries = config.map((entry) => ({ ...entry, pollIntervalSeconds: POLL_INTERVAL_SECONDS, requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS }));
  const created = performance.now();
  const exporter = await createExporter({ config: { collectors: { arkouda: entries }, log: { level: 'error' } }, plugins: { arkouda }, onlySuppliedPlugins: true });
  const createMs = performance.now() - created;
  try {
    const url = await exporter.listen('127.0.0.1:0');
    progress(`  created in ${createMs.toFixed(0)} ms, waiting for /-/ready`);
    // Ready once every server answered its probe, before any scrape (which would make it ready): never, with a wedged server.
    let readyMs;
    while (readyMs === undefined && performance.now() - created < 3000) {
      const ready = await exporter.app.inject({ method: 'GET', url: '/-/ready' });
      if (ready.statusCode === 200) readyMs = performance.now() - created;
      else await delay(50);
    }
    // The first polls are spread over one interval; a wedged server's never succeeds.
    while (upCount((await exporter.collect()).text) < SERVERS - wedged) await delay(100);
    const allUpMs = performance.now() - created;
    progress(`  ready after ${readyMs?.toFixed(0) ?? '(not within 3 s)'} ms, every server up after ${allUpMs.toFixed(0)} ms; scraping`);

    const idle = await loopDelayDuring(() => delay(3000));
    const agents = { tessera: new Agent({ keepAlive: true, maxSockets: 1 }), pushgateway: new Agent({ keepAlive: true, maxSockets: 1 }) };
    const times = { tessera: [], pushgateway: [], cpu: [] };
    let bytes = 0;
    // 25 ms apart, so the scrapes meet polls under way over several poll intervals.
    const { maxMs, p99Ms } = await loopDelayDuring(async () => {
      for (let index = 0; index < SCRAPES; index++) {
        const scrape = await timedGet(`${url}/metrics`, { agent: agents.tessera, headers: GZIP });
        times.tessera.push(scrape.milliseconds);
        times.cpu.push(scrape.cpuMs);
        bytes = scrape.body.length;
        if (pushgateway !== undefined) times.pushgateway.push((await timedGet(`${pushgateway.url}/metrics`, { agent: agents.pushgateway, headers: GZIP })).milliseconds);
        await delay(25);
      }
    });
    for (const agent of Object.values(agents)) agent.destroy();
    const text = (await exporter.collect({ collectors: ['arkouda'] })).text;
    return {
      createMs,
      readyMs,
      allUpMs,
      median: percentile(times.tessera, 0.5),
      p99: percentile(times.tessera, 0.99),
      cpuMs: percentile(times.cpu, 0.5),
      peer: times.pushgateway.length === 0 ? undefined : { median: percentile(times.pushgateway, 0.5), p99: percentile(times.pushgateway, 0.99) },
      eventLoopMs: maxMs,
      eventLoopP99Ms: p99Ms,
      idleLoopMs: idle.maxMs,
      series: text.split('\n').filter((sample) => sample.startsWith('arkouda_')).length,
      text,
      bytes,
      up: upCount(text),
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

/** The arkouda families of a collection, for the Pushgateway (which adds its own job and instance). */
const arkoudaOnly = (text) =>
  text
    .split('\n')
    .filter((sample) => sample.startsWith('arkouda_') || /^# (HELP|TYPE) arkouda_/.test(sample))
    .join('\n') + '\n';

const progress = (message) => process.stderr.write(`${message}\n`);
const rows = [];
const pushgateway = await startPushgateway();
try {
  // The peer holds the series of one healthy collection, measured first without it.
  progress('measuring the host once, for the series the Pushgateway will hold');
  const warm = await measureHost(0, undefined);
  const pushed = await fetch(`${pushgateway.url}/metrics/job/arkouda`, { method: 'PUT', headers: { 'content-type': 'text/plain; version=0.0.4' }, body: arkoudaOnly(warm.text) });
  if (!pushed.ok) throw new Error(`push to the Pushgateway: HTTP ${pushed.status}`);
  for (const wedged of [0, WEDGED]) {
    if (wedged > 0) for (const entry of config.slice(0, wedged)) await wedge(entry);
    progress(`${wedged} wedged: poll cycles`);
    const cycles = await measureCycles(wedged);
    progress(`${wedged} wedged: the host`);
    const host = await measureHost(wedged, pushgateway);
    rows.push({ wedged, cycles, host, rss: rssMegabytes() });
  }
} finally {
  simulator.kill('SIGTERM');
  await pushgateway.stop();
}

const fmt = (value, width = 9) => value.toFixed(1).padStart(width);
console.log(`\narkouda benchmark: ${SERVERS} simulated servers (8 locales, 40 commands, 1 user, 5 ms latency), poll every ${POLL_INTERVAL_SECONDS} s, ${CYCLES} poll cycles, ${SCRAPES} scrapes (gzip) interleaved with the Pushgateway holding the same series\n`);
console.log('wedged | cycle median/max ms | start: create / ready / all up ms | scrape median/p99 ms | CPU ms/scrape (collectors) | Pushgateway median/p99 ms | loop max (idle) ms | series | gzip KB | up | RSS MB');
for (const { wedged, cycles, host, rss } of rows) {
  console.log(
    [
      String(wedged).padStart(6),
      `${fmt(cycles.median, 7)} /${fmt(cycles.max, 7)}`,
      `${fmt(host.createMs, 7)} /${host.readyMs === undefined ? '   none' : fmt(host.readyMs, 7)} /${fmt(host.allUpMs, 7)}`,
      `${fmt(host.median, 7)} /${fmt(host.p99, 7)}`,
      `${fmt(host.cpuMs, 7)} (${cycles.renderCpuMs.toFixed(1)})`,
      host.peer === undefined ? '-' : `${fmt(host.peer.median, 7)} /${fmt(host.peer.p99, 7)}`,
      `${fmt(Math.max(cycles.eventLoopMs, host.eventLoopMs), 7)} (${host.idleLoopMs.toFixed(1)})`,
      String(host.series).padStart(6),
      fmt(host.bytes / 1024, 7),
      String(host.up).padStart(3),
      fmt(rss, 6),
    ].join(' | '),
  );
}
console.log('\nratios (<= 1.00x meets the target):');
for (const { wedged, cycles, host } of rows) {
  const eventLoop = Math.max(cycles.eventLoopMs, host.eventLoopMs);
  console.log(
    `  ${wedged} wedged: cycle max ${(cycles.max / TARGETS.cycleMs).toFixed(2)}x of ${TARGETS.cycleMs} ms, scrape median ${(host.median / TARGETS.scrapeMs).toFixed(2)}x of ${TARGETS.scrapeMs} ms, event loop max ${(eventLoop / TARGETS.eventLoopMs).toFixed(2)}x of ${TARGETS.eventLoopMs} ms (idle baseline ${(host.idleLoopMs / TARGETS.eventLoopMs).toFixed(2)}x)`,
  );
  if (host.peer !== undefined) console.log(`            tessera / Pushgateway scrape: median ${(host.median / host.peer.median).toFixed(2)}x, p99 ${(host.p99 / host.peer.p99).toFixed(2)}x`);
}
const [healthy, withWedged] = rows;
console.log(`\n${WEDGED} wedged servers against none: cycle median ${(withWedged.cycles.median / healthy.cycles.median).toFixed(2)}x, scrape median ${(withWedged.host.median / healthy.host.median).toFixed(2)}x`);
