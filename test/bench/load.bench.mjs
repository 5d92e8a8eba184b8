// `pnpm bench load`: 50 concurrent scrapers against tessera (node collector) and against the Debian
// node_exporter with the same collectors, one target at a time, each for BENCH_LOAD_SECONDS (default
// 60): 25 scrapers reuse one keep-alive connection each, 25 open a new connection per scrape.
// Prints requests served, errors, p50/p99 per connection kind, and RSS and open file descriptors
// before and after. Figures and ratios, never a pass/fail of the build.
import { readdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { startNodeExporter, startTessera } from '@tessera/test-support';
import { memoryOf, percentile, timedGet } from './measure.mjs';

const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const SCRAPERS_PER_KIND = 25;
const COLLECTORS = ['cpu', 'meminfo', 'loadavg', 'diskstats', 'netdev', 'filesystem', 'uname', 'time', 'stat', 'vmstat', 'textfile'];

/** One scrape: its time, or what failed (the HTTP status, else the error's code). */
function scrape(url, agent) {
  return timedGet(`${url}/metrics`, { agent, headers: agent === false ? { connection: 'close' } : {} }).then(
    ({ milliseconds }) => ({ ok: true, ms: milliseconds }),
    (error) => ({ ok: false, status: error.status ?? error.code ?? error.message, ms: 0 }),
  );
}

const process_ = (pid) => ({ rss: memoryOf(pid).rss, fds: readdirSync(`/proc/${pid}/fd`).length });

async function load(name, peer) {
  const before = process_(peer.process.pid);
  const until = Date.now() + SECONDS * 1000;
  const results = { keepAlive: [], newConnection: [] };
  const errors = {};
  const loop = async (kind, agent) => {
    while (Date.now() < until) {
      const result = await scrape(peer.url, agent);
      if (result.ok) results[kind].push(result.ms);
      else errors[`${kind} ${result.status}`] = (errors[`${kind} ${result.status}`] ?? 0) + 1;
    }
  };
  const agents = Array.from({ length: SCRAPERS_PER_KIND }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  await Promise.all([...agents.map((agent) => loop('keepAlive', agent)), ...Array.from({ length: SCRAPERS_PER_KIND }, () => loop('newConnection', false))]);
  // The scrapers hang up (an idle keep-alive connection is the client's to close), and the target
  // gets time to close its side before its descriptors are counted again.
  for (const agent of agents) agent.destroy();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return { name, before, after: process_(peer.process.pid), results, errors };
}

const nodeExporter = await startNodeExporter(['--collector.disable-defaults', ...COLLECTORS.map((collector) => `--collector.${collector}`), '--web.disable-exporter-metrics']);
const tessera = await startTessera({ config: { collectors: { node: { collectors: COLLECTORS } }, log: { level: 'warn' } }, args: ['--web.disable-exporter-metrics'] });
try {
  const rows = [await load('tessera', tessera), await load('node_exporter', nodeExporter)];
  console.log(`\nload benchmark: ${SCRAPERS_PER_KIND} keep-alive + ${SCRAPERS_PER_KIND} new-connection scrapers for ${SECONDS} s per target\n`);
  console.log('target         kind             served   p50 ms   p99 ms   errors');
  for (const row of rows) {
    for (const kind of ['keepAlive', 'newConnection']) {
      const times = row.results[kind];
      const failed = Object.entries(row.errors).filter(([key]) => key.startsWith(kind)).reduce((sum, [, count]) => sum + count, 0);
      console.log(`${row.name.padEnd(14)} ${kind.padEnd(15)} ${String(times.length).padStart(7)} ${percentile(times, 0.5).toFixed(1).padStart(8)} ${percentile(times, 0.99).toFixed(1).padStart(8)} ${String(failed).padStart(8)}`);
    }
    console.log(`${''.padEnd(14)} RSS ${row.before.rss.toFixed(1)} → ${row.after.rss.toFixed(1)} MB, open fds ${row.before.fds} → ${row.after.fds}${Object.keys(row.errors).length > 0 ? `, errors: ${JSON.stringify(row.errors)}` : ''}`);
  }
  const [ours, theirs] = rows;
  const ratio = percentile(ours.results.newConnection, 0.5) / percentile(theirs.results.newConnection, 0.5);
  // 503 is the answer past --web.max-requests (40 concurrent scrapes, as node_exporter's default): by design with 50 scrapers.
  const errorCount = Object.entries(ours.errors).filter(([key]) => !key.endsWith(' 503')).reduce((sum, [, count]) => sum + count, 0);
  console.log(`\ntargets: new-connection p50 <= 1.0x node_exporter's: ${ratio <= 1 ? 'met' : 'missed'} (${ratio.toFixed(2)}x); no errors but the 503s of --web.max-requests: ${errorCount === 0 ? 'met' : `missed (${errorCount})`}; fds back to baseline: ${ours.after.fds <= ours.before.fds ? 'met' : `missed (${ours.before.fds} → ${ours.after.fds})`}`);
} finally {
  await Promise.all([tessera.stop(), nodeExporter.stop()]);
}
