// `pnpm bench render`: a FlashBlade-shaped collector emitting about 200k series, served by tessera,
// against the Debian Pushgateway holding the same series (pushed once, then only scraped: Go's text
// encoder serving the same exposition), interleaved, both gzip-compressed as Prometheus asks.
// Prints scrape time (median, p99, ratio), tessera's event-loop maximum delay while scraping, RSS,
// and the time of /-/healthy requests sent during tessera's scrapes. Figures, never a pass/fail.
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startPushgateway } from '@tessera/test-support';
import { forkChild, GZIP, healthChecksDuring, memoryOf, percentile, timedGet } from './measure.mjs';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 20);
const TARGET = fileURLToPath(new URL('render-target.mjs', import.meta.url));
const MONITOR = fileURLToPath(new URL('event-loop-monitor.mjs', import.meta.url));

function put(url, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers: { 'content-type': 'text/plain; version=0.0.4' } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 || response.statusCode === 202 ? resolve() : reject(new Error(`push: HTTP ${response.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const startTarget = (cacheTtlSeconds) => forkChild(TARGET, [cacheTtlSeconds], ['--import', MONITOR]);

async function measure(cacheTtlSeconds, pushgateway, label) {
  const tessera = startTarget(cacheTtlSeconds);
  const { url } = await tessera.next();
  const agents = { tessera: new Agent({ keepAlive: true, maxSockets: 1 }), pushgateway: new Agent({ keepAlive: true, maxSockets: 1 }) };
  // One scrape to warm up (and, with a cache, to fill it).
  const warm = await timedGet(`${url}/metrics`, { agent: agents.tessera, headers: GZIP });
  await timedGet(`${pushgateway.url}/metrics`, { agent: agents.pushgateway, headers: GZIP });
  await tessera.ask('reset');
  const times = { tessera: [], pushgateway: [] };
  const health = [];
  for (let i = 0; i < SCRAPES; i++) {
    const measured = await healthChecksDuring(url, () => timedGet(`${url}/metrics`, { agent: agents.tessera, headers: GZIP }));
    times.tessera.push(measured.result.milliseconds);
    health.push(...measured.health);
    times.pushgateway.push((await timedGet(`${pushgateway.url}/metrics`, { agent: agents.pushgateway, headers: GZIP })).milliseconds);
  }
  const stats = await tessera.ask('stats');
  const row = {
    label,
    tessera: { median: percentile(times.tessera, 0.5), p99: percentile(times.tessera, 0.99) },
    pushgateway: { median: percentile(times.pushgateway, 0.5), p99: percentile(times.pushgateway, 0.99) },
    healthMax: Math.max(...health),
    healthMedian: percentile(health, 0.5),
    healthCount: health.length,
    gzipBytes: warm.body.length,
    stats,
    pushgatewayRss: memoryOf(pushgateway.process.pid).rss,
  };
  await tessera.stop();
  return row;
}

// The Pushgateway gets the same families, once: the plain exposition of one tessera collection.
const pushgateway = await startPushgateway();
try {
  const source = startTarget(0);
  const { url } = await source.next();
  const exposition = (await timedGet(`${url}/metrics/flashblade`)).body.toString('utf8');
  await source.stop();
  const collectorText = exposition.split('\n').filter((line, index, lines) => !line.includes('tessera_') && !(line.startsWith('# ') && lines[index + 1]?.includes('tessera_'))).join('\n');
  const series = collectorText.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  await put(`${pushgateway.url}/metrics/job/flashblade`, collectorText);

  const first = await measure(0, pushgateway, 'every scrape collects and renders (no cache)');
  const cached = await measure(600, pushgateway, 'repeat within the cache TTL');
  console.log(`\nrender benchmark: ${series} series (${(collectorText.length / 2 ** 20).toFixed(1)} MiB of text), ${SCRAPES} scrapes each, interleaved, gzip as Prometheus asks\n`);
  for (const row of [first, cached]) {
    console.log(`${row.label}:`);
    console.log(`  tessera      median ${row.tessera.median.toFixed(1).padStart(7)} ms   p99 ${row.tessera.p99.toFixed(1).padStart(7)} ms   RSS ${row.stats.rssMb.toFixed(0)} MB   gzip body ${(row.gzipBytes / 2 ** 20).toFixed(2)} MiB`);
    console.log(`  pushgateway  median ${row.pushgateway.median.toFixed(1).padStart(7)} ms   p99 ${row.pushgateway.p99.toFixed(1).padStart(7)} ms   RSS ${row.pushgatewayRss.toFixed(0)} MB`);
    console.log(`  ratio tessera/pushgateway: median ${(row.tessera.median / row.pushgateway.median).toFixed(2)}x, p99 ${(row.tessera.p99 / row.pushgateway.p99).toFixed(2)}x`);
    console.log(`  tessera event loop during the scrapes: max delay ${row.stats.eventLoopMaxMs.toFixed(1)} ms, p99 ${row.stats.eventLoopP99Ms.toFixed(1)} ms`);
    console.log(`  /-/healthy during tessera's scrapes: ${row.healthCount} requests, median ${row.healthMedian.toFixed(1)} ms, max ${row.healthMax.toFixed(1)} ms\n`);
  }
  const ratio = first.tessera.median / first.pushgateway.median;
  const loopMax = Math.max(first.stats.eventLoopMaxMs, cached.stats.eventLoopMaxMs);
  const healthMax = Math.max(first.healthMax, cached.healthMax);
  console.log('targets:');
  console.log(`  first scrape <= 1.0x the Pushgateway: ${ratio <= 1 ? 'met' : 'missed'} (${ratio.toFixed(2)}x)`);
  console.log(`  repeat within the cache TTL <= 20 ms: ${cached.tessera.median <= 20 ? 'met' : 'missed'} (median ${cached.tessera.median.toFixed(1)} ms)`);
  console.log(`  event loop max delay <= 50 ms: ${loopMax <= 50 ? 'met' : 'missed'} (${loopMax.toFixed(1)} ms)`);
  console.log(`  /-/healthy <= 60 ms during a scrape: ${healthMax <= 60 ? 'met' : 'missed'} (max ${healthMax.toFixed(1)} ms)`);
} finally {
  await pushgateway.stop();
}
