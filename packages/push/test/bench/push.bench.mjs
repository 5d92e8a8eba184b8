// `pnpm bench push` (root) → `pnpm --filter @tessera/push bench` → this file, after `pnpm build`.
// 1. Overhead of job.time() around an empty async function (target ≤ 2 µs a call).
// 2. Push latency of a 1,000-series registry to a local Pushgateway, ours against prom-client's own
//    Pushgateway class pushing the very same registry, interleaved in the same run (target ≤ 1.0×).
// 3. Wall time `tessera-push exec` adds to a command, pushing to the same Pushgateway: to `true`
//    (target ≤ 150 ms) and to a 10 s command (target ≤ 1 %), each against the bare command run
//    interleaved in the same run. `--quick` skips the 10 s command.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Pushgateway } from 'prom-client';
import { startPushgateway } from '@tessera/test-support';
import { pino } from 'pino';
import { createJob } from '../../dist/index.js';

const TIME_TARGET_NS = 2000;
const EXEC_STARTUP_TARGET_MS = 150;
const EXEC_LONG_TARGET_RATIO = 0.01;
const EXEC_SHORT_RUNS = 15;
const EXEC_LONG_RUNS = 2;
const BIN = fileURLToPath(new URL('../../dist/bin/tessera-push.js', import.meta.url));
const RATIO_TARGET = 1.0;
const SERIES = 1000;
const PUSHES = 50;
const WARM_UP = 5;

const quiet = pino({ level: 'silent' });

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function median(values) {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

async function measureTimeOverhead() {
  const job = createJob({ job: 'bench_timer', logger: quiet });
  const empty = async () => {};
  const iterations = 200_000;
  const bare = [];
  const timed = [];
  for (let round = 0; round < 7; round++) {
    let started = performance.now();
    for (let index = 0; index < iterations; index++) await empty();
    bare.push(((performance.now() - started) * 1e6) / iterations);
    started = performance.now();
    for (let index = 0; index < iterations; index++) await job.time('noop', empty);
    timed.push(((performance.now() - started) * 1e6) / iterations);
  }
  // The first rounds warm the JIT up; the median of the rest is stable.
  const bareNs = median(bare.slice(2));
  const timedNs = median(timed.slice(2));
  return { bareNs, timedNs, overheadNs: Math.max(0, timedNs - bareNs) };
}

async function measurePushLatency(gatewayUrl) {
  const job = createJob({ job: 'bench_ours', namespace: 'bench', gateway: gatewayUrl, logger: quiet, retries: 0 });
  const gauge = job.gauge({ name: 'shard_bytes', help: 'Bytes per shard.', labelNames: ['shard'] });
  for (let shard = 0; shard < SERIES; shard++) gauge.set({ shard: String(shard) }, shard * 1024);
  const promClient = new Pushgateway(gatewayUrl, { timeout: 5000 }, job.registry);

  const ours = [];
  const theirs = [];
  const pushOurs = async () => {
    const started = performance.now();
    const result = await job.push();
    if (!result.ok) throw new Error(`our push failed: ${result.message}`);
    return performance.now() - started;
  };
  const pushTheirs = async () => {
    const started = performance.now();
    await promClient.push({ jobName: 'bench_prom_client' });
    return performance.now() - started;
  };
  for (let index = 0; index < WARM_UP; index++) {
    await pushOurs();
    await pushTheirs();
  }
  for (let index = 0; index < PUSHES; index++) {
    // Alternate who goes first, so neither always meets a just-busy Pushgateway.
    if (index % 2 === 0) {
      ours.push(await pushOurs());
      theirs.push(await pushTheirs());
    } else {
      theirs.push(await pushTheirs());
      ours.push(await pushOurs());
    }
  }
  await job.close();
  const summarize = (values) => {
    const sorted = [...values].sort((a, b) => a - b);
    return { median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  };
  return { ours: summarize(ours), theirs: summarize(theirs), bodyBytes: Buffer.byteLength(await job.metrics()) };
}

/** Wall milliseconds of running `command`, bare and under `tessera-push exec`, interleaved. */
function measureExec(gatewayUrl, command, runs) {
  const bare = [];
  const wrapped = [];
  const run = (argv) => {
    const started = performance.now();
    const result = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
    if (result.status !== 0) throw new Error(`${argv.join(' ')} exited with ${result.status}`);
    return performance.now() - started;
  };
  const underExec = [process.execPath, BIN, 'exec', '--gateway', gatewayUrl, '--job', 'bench_exec', '--', ...command];
  for (let index = 0; index < runs; index++) {
    bare.push(run(command));
    wrapped.push(run(underExec));
  }
  return { bare: median(bare), wrapped: median(wrapped) };
}

const verdict = (ok) => (ok ? 'PASS' : 'MISS');
const gateway = await startPushgateway();
try {
  const timer = await measureTimeOverhead();
  const push = await measurePushLatency(gateway.url);
  const ratio = push.ours.median / push.theirs.median;
  const ms = (value) => `${value.toFixed(2)} ms`.padStart(9);
  console.log(`@tessera/push benchmark — Node ${process.version}, Pushgateway on ${gateway.url}`);
  console.log('');
  console.log('time() around an empty async function');
  console.log(`  bare await              ${timer.bareNs.toFixed(0).padStart(6)} ns/call`);
  console.log(`  await job.time(...)     ${timer.timedNs.toFixed(0).padStart(6)} ns/call`);
  console.log(`  overhead                ${timer.overheadNs.toFixed(0).padStart(6)} ns/call   target ≤ ${TIME_TARGET_NS} ns   ${verdict(timer.overheadNs <= TIME_TARGET_NS)}`);
  console.log('');
  console.log(`push of a ${SERIES.toLocaleString('en')}-series registry (${(push.bodyBytes / 1024).toFixed(0)} KiB), ${PUSHES} pushes each, interleaved`);
  console.log('                             median       p99');
  console.log(`  @tessera/push (undici)  ${ms(push.ours.median)} ${ms(push.ours.p99)}`);
  console.log(`  prom-client Pushgateway ${ms(push.theirs.median)} ${ms(push.theirs.p99)}`);
  console.log(`  ratio ours / prom-client   ${ratio.toFixed(2)}×   target ≤ ${RATIO_TARGET.toFixed(1)}×   ${verdict(ratio <= RATIO_TARGET)}`);
  console.log('');
  const short = measureExec(gateway.url, ['true'], EXEC_SHORT_RUNS);
  const startup = short.wrapped - short.bare;
  console.log(`tessera-push exec, wall time (median), bare command and under exec, interleaved`);
  console.log(`  true, ${EXEC_SHORT_RUNS} runs each         bare ${ms(short.bare)}   exec ${ms(short.wrapped)}`);
  console.log(`  start-up overhead       ${ms(startup)}   target ≤ ${EXEC_STARTUP_TARGET_MS} ms   ${verdict(startup <= EXEC_STARTUP_TARGET_MS)}`);
  console.log(`  node -e '' (Node's own start, for scale) ${ms(measureExec(gateway.url, [process.execPath, '-e', ''], 5).bare)}`);
  if (!process.argv.includes('--quick')) {
    const long = measureExec(gateway.url, ['sleep', '10'], EXEC_LONG_RUNS);
    const overhead = (long.wrapped - long.bare) / long.bare;
    console.log(`  sleep 10, ${EXEC_LONG_RUNS} runs each      bare ${ms(long.bare)}   exec ${ms(long.wrapped)}`);
    console.log(`  overhead                ${(overhead * 100).toFixed(2).padStart(6)} %   target ≤ ${(EXEC_LONG_TARGET_RATIO * 100).toFixed(0)} %   ${verdict(overhead <= EXEC_LONG_TARGET_RATIO)}`);
  }
} finally {
  await gateway.stop();
}
