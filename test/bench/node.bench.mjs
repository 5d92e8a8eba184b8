// tessera's node collector against the Debian node_exporter, on this machine, in the same run.
//
//   pnpm bench node              the 11 collectors node_exporter and tessera both had first
//   pnpm bench node --defaults   every default collector of each: what a node running one or the other serves
//   pnpm bench node --textfile   one 50 MB textfile (50 000 series): time per scrape, RSS, /-/healthy meanwhile
//
// Scrapes go over one keep-alive connection per target, interleaved (BENCH_SCRAPES, default 500).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNodeExporter, startTessera } from '@tessera/test-support';
import { healthChecksDuring, memoryOf, percentile, timedGet } from './measure.mjs';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 500);
const WARMUP = 20;
const FIRST_COLLECTORS = ['cpu', 'meminfo', 'loadavg', 'diskstats', 'netdev', 'filesystem', 'uname', 'time', 'stat', 'vmstat', 'textfile'];

/** One GET of `url`: its time and its body as text. */
async function scrape(agent, url) {
  const { milliseconds, body } = await timedGet(url, { agent });
  return { milliseconds, body: body.toString('utf8') };
}

const countSeries = (text) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
const countFamilies = (text) => text.split('\n').filter((line) => line.startsWith('# TYPE ')).length;

/** Scrapes both targets `scrapes` times, interleaved, and prints latency, series and memory. */
async function compareScrapes(title, tessera, nodeExporter, scrapes) {
  const targets = [
    { name: 'tessera', peer: tessera, agent: new Agent({ keepAlive: true, maxSockets: 1 }), times: [] },
    { name: 'node_exporter', peer: nodeExporter, agent: new Agent({ keepAlive: true, maxSockets: 1 }), times: [] },
  ];
  for (const target of targets) for (let i = 0; i < WARMUP; i++) await scrape(target.agent, `${target.peer.url}/metrics`);
  for (let i = 0; i < scrapes; i++) {
    const order = i % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const { milliseconds, body } = await scrape(target.agent, `${target.peer.url}/metrics`);
      target.times.push(milliseconds);
      target.series = countSeries(body);
      target.families = countFamilies(body);
    }
  }
  const rows = targets.map((target) => ({
    name: target.name,
    median: percentile(target.times, 0.5),
    p99: percentile(target.times, 0.99),
    series: target.series,
    families: target.families,
    ...memoryOf(target.peer.process.pid),
  }));
  const [ours, theirs] = rows;
  console.log(`\n${title}: ${scrapes} scrapes each, interleaved, one keep-alive connection per target\n`);
  console.log('target          median ms   p99 ms   series  families   RSS MB   peak RSS MB');
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(14)} ${row.median.toFixed(2).padStart(9)} ${row.p99.toFixed(2).padStart(8)} ${String(row.series).padStart(8)} ${String(row.families).padStart(9)} ${row.rss.toFixed(1).padStart(8)} ${row.peak.toFixed(1).padStart(13)}`,
    );
  }
  const medianRatio = ours.median / theirs.median;
  console.log(`\nratios tessera/node_exporter: median ${medianRatio.toFixed(2)}x, p99 ${(ours.p99 / theirs.p99).toFixed(2)}x, RSS ${(ours.rss / theirs.rss).toFixed(2)}x`);
  console.log(`target median <= 1.0x: ${medianRatio <= 1 ? 'met' : 'missed'}; target RSS <= 80 MB after ${scrapes} scrapes: ${ours.rss <= 80 ? 'met' : 'missed'} (${ours.rss.toFixed(1)} MB)`);
}

async function firstCollectors() {
  const nodeExporter = await startNodeExporter(['--collector.disable-defaults', ...FIRST_COLLECTORS.map((collector) => `--collector.${collector}`), '--web.disable-exporter-metrics']);
  const tessera = await startTessera({ config: { collectors: { node: { collectors: FIRST_COLLECTORS } }, log: { level: 'warn' } }, args: ['--web.disable-exporter-metrics'] });
  try {
    await compareScrapes('node collector benchmark (the 11 first collectors)', tessera, nodeExporter, SCRAPES);
  } finally {
    await Promise.all([tessera.stop(), nodeExporter.stop()]);
  }
}

async function defaultCollectors() {
  // Each with its own defaults: node_exporter's default collector set, tessera's default sub-collectors.
  const nodeExporter = await startNodeExporter(['--web.disable-exporter-metrics']);
  const tessera = await startTessera({ config: { log: { level: 'warn' } }, args: ['--web.disable-exporter-metrics'] });
  try {
    await compareScrapes('node collector benchmark (every default collector)', tessera, nodeExporter, SCRAPES);
  } finally {
    await Promise.all([tessera.stop(), nodeExporter.stop()]);
  }
}

/** A batch job's evaluation results: 10 gauge families of 5 000 series, about 1 kB a line, 50 MB in all. */
function largeTextfile() {
  const lines = [];
  for (let familyIndex = 0; familyIndex < 10; familyIndex++) {
    const name = `batch_eval_metric_${familyIndex}`;
    lines.push(`# HELP ${name} Evaluation metric ${familyIndex} of one item.`, `# TYPE ${name} gauge`);
    for (let item = 0; item < 5000; item++) {
      const path = `/datasets/corpus-${familyIndex}/shard-${item % 64}/${'segment/'.repeat(100)}item-${item}.parquet`;
      lines.push(
        `${name}{checkpoint="step-${120000 + familyIndex}",dataset="corpus-${familyIndex}",item="${item}",model="llama-70b-finetune-v3",path="${path}",shard="${item % 64}",split="validation"} ${(item * 0.37) % 1}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

async function largeTextfileBench() {
  const scrapes = Number(process.env.BENCH_SCRAPES ?? 10);
  const directory = await mkdtemp(join(tmpdir(), 'tessera-bench-textfile-'));
  const nodeExporter = await startNodeExporter(['--collector.disable-defaults', '--collector.textfile', `--collector.textfile.directory=${directory}`, '--web.disable-exporter-metrics']);
  const tessera = await startTessera({
    config: { collectors: { node: { collectors: ['textfile'], textfile: { directory } } }, log: { level: 'warn' } },
    args: ['--web.disable-exporter-metrics'],
  });
  try {
    // Memory before the file exists, after a few scrapes of the empty directory.
    const before = {};
    for (const [name, peer] of [['tessera', tessera], ['node_exporter', nodeExporter]]) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = 0; i < 5; i++) await scrape(agent, `${peer.url}/metrics`);
      agent.destroy();
      before[name] = memoryOf(peer.process.pid).rss;
    }
    const text = largeTextfile();
    await writeFile(join(directory, 'eval.prom'), text);
    const rows = [];
    for (const [name, peer] of [
      ['tessera', tessera],
      ['node_exporter', nodeExporter],
    ]) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const first = await healthChecksDuring(peer.url, () => scrape(agent, `${peer.url}/metrics`));
      const times = [];
      let series = 0;
      for (let i = 0; i < scrapes; i++) {
        const { milliseconds, body } = await scrape(agent, `${peer.url}/metrics`);
        times.push(milliseconds);
        series = countSeries(body);
      }
      const later = await healthChecksDuring(peer.url, () => scrape(agent, `${peer.url}/metrics`));
      agent.destroy();
      rows.push({ name, first: first.result.milliseconds, median: percentile(times, 0.5), series, before: before[name], ...memoryOf(peer.process.pid), health: Math.max(...first.health, ...later.health) });
    }
    const [ours, theirs] = rows;
    console.log(`\nlarge textfile benchmark: one ${(text.length / 1e6).toFixed(1)} MB file, first scrape then ${scrapes} more, one at a time\n`);
    console.log('target          first ms  median ms   series  RSS before MB   RSS MB   peak RSS MB  longest /-/healthy ms');
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(14)} ${row.first.toFixed(0).padStart(9)} ${row.median.toFixed(0).padStart(10)} ${String(row.series).padStart(8)} ${row.before.toFixed(1).padStart(14)} ${row.rss.toFixed(1).padStart(8)} ${row.peak.toFixed(1).padStart(13)} ${row.health.toFixed(0).padStart(22)}`,
      );
    }
    const perSeries = (row) => ((row.peak - row.before) * 1024 * 1024) / row.series;
    console.log(
      `\nratios tessera/node_exporter: first scrape ${(ours.first / theirs.first).toFixed(2)}x, later scrapes ${(ours.median / theirs.median).toFixed(2)}x, peak RSS ${(ours.peak / theirs.peak).toFixed(2)}x, peak memory per series ${(perSeries(ours) / perSeries(theirs)).toFixed(2)}x (${perSeries(ours).toFixed(0)} against ${perSeries(theirs).toFixed(0)} bytes)`,
    );
    console.log(
      `target time <= 1.0x: ${ours.median <= theirs.median ? 'met' : 'missed'} (later scrapes), ${ours.first <= theirs.first ? 'met' : 'missed'} (first); target memory <= 3x: ${perSeries(ours) <= 3 * perSeries(theirs) ? 'met' : 'missed'}`,
    );
  } finally {
    await Promise.all([tessera.stop(), nodeExporter.stop()]);
    await rm(directory, { recursive: true, force: true });
  }
}

if (process.argv.includes('--textfile')) await largeTextfileBench();
else if (process.argv.includes('--defaults')) await defaultCollectors();
else await firstCollectors();
