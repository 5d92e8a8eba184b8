// tessera (node collector only) against the Debian node_exporter with the same collectors:
// 500 scrapes each over one keep-alive connection, interleaved, then latency, series and RSS.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { startNodeExporter, startTessera } from '@tessera/test-support';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 500);
const WARMUP = 20;
const COLLECTORS = ['cpu', 'meminfo', 'loadavg', 'diskstats', 'netdev', 'filesystem', 'uname', 'time', 'stat', 'vmstat', 'textfile'];

function scrape(agent, url) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(url, { agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`${url}: HTTP ${response.statusCode}`));
        else resolve({ milliseconds: Number(process.hrtime.bigint() - started) / 1e6, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function percentile(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

const countSeries = (text) => text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;

const nodeExporter = await startNodeExporter([
  '--collector.disable-defaults',
  ...COLLECTORS.map((collector) => `--collector.${collector}`),
  '--web.disable-exporter-metrics',
]);
const tessera = await startTessera({
  config: { collectors: { node: { collectors: COLLECTORS } }, log: { level: 'warn' } },
  args: ['--web.disable-exporter-metrics'],
});
try {
  const targets = [
    { name: 'tessera', peer: tessera, agent: new Agent({ keepAlive: true, maxSockets: 1 }), times: [] },
    { name: 'node_exporter', peer: nodeExporter, agent: new Agent({ keepAlive: true, maxSockets: 1 }), times: [] },
  ];
  for (const target of targets) for (let i = 0; i < WARMUP; i++) await scrape(target.agent, `${target.peer.url}/metrics`);
  for (let i = 0; i < SCRAPES; i++) {
    const order = i % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) {
      const { milliseconds, body } = await scrape(target.agent, `${target.peer.url}/metrics`);
      target.times.push(milliseconds);
      target.series = countSeries(body);
    }
  }
  const rows = targets.map((target) => {
    const sorted = [...target.times].sort((a, b) => a - b);
    return { name: target.name, median: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), series: target.series, ...memory(target.peer.process.pid) };
  });
  const [ours, theirs] = rows;
  console.log(`\nnode collector benchmark: ${SCRAPES} scrapes each, interleaved, one keep-alive connection per target\n`);
  console.log('target          median ms   p99 ms   series   RSS MB   peak RSS MB');
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(14)} ${row.median.toFixed(2).padStart(9)} ${row.p99.toFixed(2).padStart(8)} ${String(row.series).padStart(8)} ${row.rss.toFixed(1).padStart(8)} ${row.peak.toFixed(1).padStart(13)}`,
    );
  }
  const medianRatio = ours.median / theirs.median;
  console.log(`\nratios tessera/node_exporter: median ${medianRatio.toFixed(2)}x, p99 ${(ours.p99 / theirs.p99).toFixed(2)}x, RSS ${(ours.rss / theirs.rss).toFixed(2)}x`);
  console.log(`target median <= 1.0x: ${medianRatio <= 1 ? 'met' : 'missed'}; target RSS <= 80 MB after ${SCRAPES} scrapes: ${ours.rss <= 80 ? 'met' : 'missed'} (${ours.rss.toFixed(1)} MB)`);
} finally {
  await Promise.all([tessera.stop(), nodeExporter.stop()]);
}
