import { setTimeout as delay } from 'node:timers/promises';
import { gunzipSync } from 'node:zlib';
import { parseText } from '@tessera/exposition';
import { promtoolCheckMetrics } from '@tessera/test-support';
import { register } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger, deferred } from './helpers.js';
import { valuePlugin } from './fixtures/plugins.js';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

let exporter: Exporter;
beforeEach(async () => {
  exporter = await createExporter({
    config: { collectors: { gamma: { enabled: false } } },
    plugins: { alpha: valuePlugin('alpha').plugin, beta: valuePlugin('beta').plugin, gamma: valuePlugin('gamma').plugin },
    onlySuppliedPlugins: true,
    logger: captureLogger().logger,
  });
});
afterEach(async () => {
  await exporter.close();
});

function collectorsIn(text: string): string[] {
  const success = parseText(text).find((family) => family.name === 'tessera_scrape_collector_success');
  return (success?.samples ?? []).map((sample) => sample.labels.collector ?? '');
}

describe('/metrics', () => {
  it('serves text 0.0.4 with the exact Content-Type even when OpenMetrics is preferred', async () => {
    const response = await exporter.app.inject({ url: '/metrics', headers: { accept: OPENMETRICS_ACCEPT } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(CONTENT_TYPE);
    expect(response.body).not.toContain('# EOF');
    const names = parseText(response.body).map((family) => family.name);
    expect(names).toEqual(expect.arrayContaining(['alpha_value', 'beta_value', 'tessera_build_info', 'tessera_collector_info', 'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes']));
    expect(collectorsIn(response.body)).toEqual(['alpha', 'beta']);
  });

  it('lints clean with promtool, process and Node.js metrics included', async () => {
    const text = (await exporter.app.inject({ url: '/metrics' })).body;
    expect(text).toContain('# TYPE process_resident_memory_bytes gauge');
    expect(await promtoolCheckMetrics(text)).toEqual({ exitCode: 0, findings: [] });
  });

  it('gzips when the client accepts it, and the body round-trips', async () => {
    const zipped = await exporter.app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip, deflate' } });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers['content-type']).toBe(CONTENT_TYPE);
    const text = gunzipSync(zipped.rawPayload).toString('utf8');
    expect(parseText(text).map((family) => family.name)).toContain('alpha_value');
    const refused = await exporter.app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip;q=0, identity' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    expect(refused.body).toContain('# TYPE alpha_value gauge');
  });

  it('filters with collect[] and exclude[]', async () => {
    expect(collectorsIn((await exporter.app.inject({ url: '/metrics?collect[]=beta' })).body)).toEqual(['beta']);
    expect(collectorsIn((await exporter.app.inject({ url: '/metrics?collect[]=beta&collect[]=alpha' })).body)).toEqual(['alpha', 'beta']);
    const excluded = (await exporter.app.inject({ url: '/metrics?exclude[]=alpha' })).body;
    expect(collectorsIn(excluded)).toEqual(['beta']);
    expect(excluded).not.toContain('alpha_value');
  });

  it('answers 400 with one line for combined filters and for unknown or disabled collectors', async () => {
    const cases = {
      '/metrics?collect[]=alpha&exclude[]=beta': 'collect[] and exclude[] cannot be combined',
      '/metrics?collect[]=nosuch': 'missing collector: "nosuch"',
      '/metrics?exclude[]=gamma': 'missing collector: "gamma"',
    };
    for (const [url, reason] of Object.entries(cases)) {
      const response = await exporter.app.inject({ url });
      expect(response.statusCode, url).toBe(400);
      expect(response.body.trimEnd().split('\n'), url).toHaveLength(1);
      expect(response.body, url).toContain(reason);
    }
  });

  it('caps concurrent scrapes with web.maxRequests (503 beyond it)', async () => {
    const gate = deferred();
    const capped = await createExporter({
      config: { web: { maxRequests: 1 } },
      plugins: { slow: valuePlugin('slow', { before: () => gate.promise }).plugin },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    try {
      const first = capped.app.inject({ url: '/metrics' });
      await delay(30);
      const second = await capped.app.inject({ url: '/metrics' });
      expect(second.statusCode).toBe(503);
      expect(second.body).toContain('--web.max-requests');
      gate.resolve();
      expect((await first).statusCode).toBe(200);
    } finally {
      gate.resolve();
      await capped.close();
    }
  });

  it('leaves the global prom-client registry untouched and drops process metrics when asked', async () => {
    await exporter.app.inject({ url: '/metrics' });
    expect(register.getMetricsAsArray()).toEqual([]);
    const quiet = await createExporter({
      config: { web: { disableExporterMetrics: true } },
      plugins: { alpha: valuePlugin('alpha').plugin },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    try {
      const names = parseText((await quiet.app.inject({ url: '/metrics' })).body).map((family) => family.name);
      expect(names.filter((name) => name.startsWith('process_') || name.startsWith('nodejs_'))).toEqual([]);
      expect(names).toContain('alpha_value');
    } finally {
      await quiet.close();
    }
    expect(register.getMetricsAsArray()).toEqual([]);
  });
});

describe('other routes', () => {
  it('serves one collector at /metrics/<collector>, without process metrics', async () => {
    const response = await exporter.app.inject({ url: '/metrics/beta' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe(CONTENT_TYPE);
    const names = parseText(response.body).map((family) => family.name);
    expect(names).toEqual(['beta_value', 'tessera_build_info', 'tessera_collector_info', 'tessera_scrape_collector_duration_seconds', 'tessera_scrape_collector_success']);
    expect((await exporter.app.inject({ url: '/metrics/gamma' })).statusCode).toBe(404);
  });

  it('answers health, readiness, the status page and 404', async () => {
    expect((await exporter.app.inject({ url: '/-/healthy' })).statusCode).toBe(200);
    const before = await exporter.app.inject({ url: '/' });
    expect(before.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(before.body).toContain('not scraped yet');
    // Readiness runs the first collection of a collector without probe(), and keeps the answer.
    expect((await exporter.app.inject({ url: '/-/ready' })).statusCode).toBe(200);
    await exporter.app.inject({ url: '/metrics' });
    const after = (await exporter.app.inject({ url: '/' })).body;
    expect(after).toContain('<a href="metrics/alpha">/metrics/alpha</a>');
    expect(after).toContain('<a href="metrics">/metrics</a>');
    expect(after).toMatch(/<section class="card ok" data-state="ok" data-collector="alpha" data-instance="default">.*<p class="summary">ok<\/p>.*<dt>Duration<\/dt><dd>\d+ ms<\/dd>/s);
    const missing = await exporter.app.inject({ url: '/nope<script>alert(1)</script>?x=<b>' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toBe('404 page not found\n');
    expect(missing.headers['content-type']).toBe('text/plain; charset=utf-8');
    for (const url of ['/nope', '/metrics', '/', '/-/healthy']) expect((await exporter.app.inject({ url })).headers['x-content-type-options'], url).toBe('nosniff');
  });
});
