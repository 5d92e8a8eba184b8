// `pnpm bench flashblade`: the `tessera` bin with the flashblade collector (default groups) against
// a simulated array with 10k file systems and 10k buckets answering every request 5 ms late, against
// the REST budget of pure-fb-openmetrics-exporter 1.1.4 for the same array (its scrape time
// estimated as calls × latency, its calls being sequential). Prints scrape time, REST calls per
// scrape (counted by the simulator), tessera's CPU time, RSS and its event loop's largest delay
// while scraping. The simulator runs in a process of its own. Figures, never a pass/fail.
// Options: BENCH_SCRAPES (default 5), BENCH_FILESYSTEMS, BENCH_BUCKETS, BENCH_LATENCY_MS.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { getFreePort, TESSERA_BIN } from '@tessera/test-support';
import { stringify } from 'yaml';
import { forkChild, GZIP, percentile, timedGet } from './measure.mjs';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 5);
const FILESYSTEMS = Number(process.env.BENCH_FILESYSTEMS ?? 10_000);
const BUCKETS = Number(process.env.BENCH_BUCKETS ?? 10_000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 5);
const BACKGROUND_PARTS = ['usage-users', 'usage-groups', 'clients-performance'];
const MONITOR = fileURLToPath(new URL('event-loop-monitor.mjs', import.meta.url));

/** pure-fb-openmetrics-exporter 1.1.4's REST calls for its /metrics (every group) on this array. */
function exporterCalls(fileSystems, buckets) {
  const session = 4; // api_version, login, arrays (purefb_info), logout
  const array = 15;
  const fileSystemGroup = 1 + Math.ceil(fileSystems / 5);
  const objectStore = 1 + 2 * Math.ceil(buckets / 5) + 1;
  const clients = 1;
  const usage = 1 + 2 * fileSystems;
  const policies = 1;
  return session + array + fileSystemGroup + objectStore + clients + usage + policies;
}

/** Polls `url` until it answers 200. */
async function waitUntilReady(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await new Promise((resolve) => request(url, (response) => resolve(response.resume().statusCode)).on('error', () => resolve(0)).end());
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const scrape = (agent, url) => timedGet(url, { agent, headers: GZIP });
const partOk = (text, part) => text.includes(`tessera_collector_part_success{collector="flashblade",collector_instance="default",part="${part}"} 1\n`);

const simulator = forkChild(fileURLToPath(new URL('flashblade-simulator.mjs', import.meta.url)), [FILESYSTEMS, BUCKETS, LATENCY_MS]);
const { url: arrayUrl, apiToken } = await simulator.next();
const workDir = await mkdtemp(join(tmpdir(), 'tessera-bench-flashblade-'));
const configFile = join(workDir, 'tessera.yaml');
await writeFile(configFile, stringify({ log: { level: 'warn' }, scrape: { timeoutSeconds: 60 }, collectors: { flashblade: { endpoint: arrayUrl, apiToken } } }));
const port = await getFreePort();
const url = `http://127.0.0.1:${port}`;
// The real bin (its V8 settings included), with the event-loop monitor loaded into it.
const tessera = forkChild(TESSERA_BIN, [`--config=${configFile}`, `--web.listen-address=127.0.0.1:${port}`, '--web.disable-exporter-metrics'], ['--import', MONITOR]);
try {
  await waitUntilReady(`${url}/-/ready`, 60_000);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  // Warm up until the background groups have their first refresh, so every scrape serves every group.
  let text = '';
  const warmUntil = Date.now() + 120_000;
  do {
    text = gunzipSync((await scrape(agent, `${url}/metrics`)).body).toString('utf8');
  } while (!BACKGROUND_PARTS.every((part) => partOk(text, part)) && Date.now() < warmUntil);
  if (!BACKGROUND_PARTS.every((part) => partOk(text, part))) throw new Error('the background groups did not refresh within 2 minutes');
  const series = text.split('\n').filter((line) => line.startsWith('purefb_')).length;

  const rows = [];
  for (let index = 0; index < SCRAPES; index++) {
    await simulator.ask('reset');
    await tessera.ask('reset');
    const { milliseconds, body } = await scrape(agent, `${url}/metrics`);
    const calls = await simulator.ask('stats');
    const stats = await tessera.ask('stats');
    rows.push({ milliseconds, gzipBytes: body.length, calls: calls.calls, maxInFlight: calls.maxInFlight, byEndpoint: calls.byEndpoint, ...stats });
  }
  agent.destroy();

  const budget = exporterCalls(FILESYSTEMS, BUCKETS);
  const exporterSeconds = (budget * LATENCY_MS) / 1000;
  const scrapeMs = percentile(rows.map((row) => row.milliseconds), 0.5);
  const calls = percentile(rows.map((row) => row.calls), 0.5);
  const loopMax = Math.max(...rows.map((row) => row.eventLoopMaxMs));
  const ownMax = Math.max(...rows.map((row) => row.ownDelayMaxMs));
  const rssMax = Math.max(...rows.map((row) => row.rssMb));
  console.log(`\nflashblade benchmark: ${FILESYSTEMS} file systems, ${BUCKETS} buckets, ${LATENCY_MS} ms per REST answer; ${SCRAPES} scrapes of /metrics (gzip), default groups (usage and clients served from their background refresh)\n`);
  console.log(`  series per scrape            ${series} purefb_* series, ${(rows[0].gzipBytes / 2 ** 20).toFixed(2)} MiB gzip`);
  console.log(`  tessera scrape time          median ${scrapeMs.toFixed(0)} ms, max ${Math.max(...rows.map((row) => row.milliseconds)).toFixed(0)} ms`);
  console.log(`  tessera REST calls           median ${calls} per scrape (at most ${Math.max(...rows.map((row) => row.maxInFlight))} in flight)`);
  console.log(`  tessera CPU time             median ${percentile(rows.map((row) => row.cpuMs), 0.5).toFixed(0)} ms per scrape (all threads)`);
  console.log(`  tessera event loop           max delay ${loopMax.toFixed(1)} ms, p99 ${Math.max(...rows.map((row) => row.eventLoopP99Ms)).toFixed(1)} ms; of the main thread's own work (its CPU time across the delay) at most ${ownMax.toFixed(1)} ms`);
  console.log(`  tessera memory               RSS max ${rssMax.toFixed(0)} MB`);
  console.log(`  machine                      load average ${loadavg().map((load) => load.toFixed(1)).join(' ')} on ${availableParallelism()} cores (delays beyond the process's own work are other processes')`);
  console.log(`  pure-fb-openmetrics-exporter ${budget} REST calls for its /metrics, sequential: about ${exporterSeconds.toFixed(0)} s at ${LATENCY_MS} ms each`);
  console.log(`  ratios                       calls ${(calls / budget).toFixed(4)} (1/${(budget / calls).toFixed(0)}), scrape time ${(scrapeMs / 1000 / exporterSeconds).toFixed(4)}`);
  console.log(`  calls by endpoint (last scrape): ${Object.entries(rows.at(-1).byEndpoint).map(([endpoint, statuses]) => `${endpoint} ${Object.values(statuses).reduce((a, b) => a + b, 0)}`).join(', ')}`);
  console.log('\ntargets:');
  console.log(`  scrape <= 3 s: ${scrapeMs <= 3000 ? 'met' : 'missed'} (${(scrapeMs / 1000).toFixed(2)} s)`);
  console.log(`  calls <= 1/5 of the exporter's: ${calls <= budget / 5 ? 'met' : 'missed'} (${calls} of ${budget})`);
  console.log(`  event loop max delay <= 50 ms: ${loopMax <= 50 ? 'met' : 'missed'} (${loopMax.toFixed(1)} ms wall clock); of the main thread's own work: ${ownMax <= 50 ? 'met' : 'missed'} (${ownMax.toFixed(1)} ms)`);
} finally {
  await tessera.stop('SIGTERM');
  await simulator.stop();
  await rm(workDir, { recursive: true, force: true });
}
