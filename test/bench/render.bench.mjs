// `pnpm bench render`: a FlashBlade-shaped collector emitting about 200k series, served by tessera,
// against the Debian Pushgateway holding the same series (pushed once, then only scraped: Go's text
// encoder serving the same exposition), interleaved, both gzip-compressed as Prometheus asks.
// Prints scrape time (median, p99, ratio), tessera's event-loop maximum delay while scraping, RSS,
// and the time of /-/healthy requests sent during tessera's scrapes. Figures, never a pass/fail.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startPushgateway } from '@tessera/test-support';

const SCRAPES = Number(process.env.BENCH_SCRAPES ?? 20);
const target = fileURLToPath(new URL('render-target.mjs', import.meta.url));

function get(agent, url, headers = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request(url, { agent, headers }, (response) => {
      let bytes = 0;
      response.on('data', (chunk) => (bytes += chunk.length));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`${url}: HTTP ${response.statusCode}`));
        else resolve({ milliseconds: Number(process.hrtime.bigint() - started) / 1e6, bytes, encoding: response.headers['content-encoding'] });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

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

const percentile = (values, fraction) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
};
const rssOf = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

function startTarget(cacheTtlSeconds) {
  const child = fork(target, [String(cacheTtlSeconds)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = () => new Promise((resolve) => child.once('message', resolve));
  return { child, next, ask: async (message) => { const reply = next(); child.send(message); return reply; } };
}

/** Scrapes `url` while sending /-/healthy every 10 ms, returning both timings. */
async function scrapeWithHealthChecks(agent, url, healthUrl) {
  const healthAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  const health = [];
  let done = false;
  const checks = (async () => {
    while (!done) {
      health.push((await get(healthAgent, healthUrl)).milliseconds);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const scrape = await get(agent, url, { 'accept-encoding': 'gzip' });
  done = true;
  await checks;
  healthAgent.destroy();
  return { scrape, health };
}

async function measure(cacheTtlSeconds, pushgateway, label) {
  const tessera = startTarget(cacheTtlSeconds);
  const { url } = await tessera.next();
  const agents = { tessera: new Agent({ keepAlive: true, maxSockets: 1 }), pushgateway: new Agent({ keepAlive: true, maxSockets: 1 }) };
  // One scrape to warm up (and, with a cache, to fill it).
  const warm = await get(agents.tessera, `${url}/metrics`, { 'accept-encoding': 'gzip' });
  await get(agents.pushgateway, `${pushgateway.url}/metrics`, { 'accept-encoding': 'gzip' });
  await tessera.ask('reset');
  const times = { tessera: [], pushgateway: [] };
  const health = [];
  for (let i = 0; i < SCRAPES; i++) {
    const measured = await scrapeWithHealthChecks(agents.tessera, `${url}/metrics`, `${url}/-/healthy`);
    times.tessera.push(measured.scrape.milliseconds);
    health.push(...measured.health);
    times.pushgateway.push((await get(agents.pushgateway, `${pushgateway.url}/metrics`, { 'accept-encoding': 'gzip' })).milliseconds);
  }
  const stats = await tessera.ask('stats');
  const row = {
    label,
    tessera: { median: percentile(times.tessera, 0.5), p99: percentile(times.tessera, 0.99) },
    pushgateway: { median: percentile(times.pushgateway, 0.5), p99: percentile(times.pushgateway, 0.99) },
    healthMax: Math.max(...health),
    healthMedian: percentile(health, 0.5),
    healthCount: health.length,
    gzipBytes: warm.bytes,
    stats,
    pushgatewayRss: rssOf(pushgateway.process.pid),
  };
  tessera.child.send('stop');
  await new Promise((resolve) => tessera.child.once('exit', resolve));
  return row;
}

// The Pushgateway gets the same families, once: the plain exposition of one tessera collection.
const pushgateway = await startPushgateway();
try {
  const source = startTarget(0);
  const { url } = await source.next();
  const exposition = await new Promise((resolve, reject) => {
    request(`${url}/metrics/flashblade`, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
  source.child.send('stop');
  await new Promise((resolve) => source.child.once('exit', resolve));
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
