import { setTimeout as delay } from 'node:timers/promises';
import { parseText } from '@tessera/exposition';
import { afterEach, describe, expect, it } from 'vitest';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger, deferred } from './helpers.js';
import { valuePlugin } from './fixtures/plugins.js';

let exporter: Exporter | undefined;
afterEach(async () => {
  await exporter?.close();
  exporter = undefined;
});

function value(text: string, family: string): number | undefined {
  return parseText(text).find((parsed) => parsed.name === family)?.samples[0]?.value;
}

describe('single-flight and cache TTL', () => {
  it('answers 20 concurrent scrapes of a collector with a cache TTL with exactly one collection', async () => {
    const gate = deferred();
    const cached = valuePlugin('cached', { cacheTtlSeconds: 60, before: () => gate.promise });
    exporter = await createExporter({ plugins: { cached: cached.plugin }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    const app = exporter.app;
    const responses = Promise.all(Array.from({ length: 20 }, () => app.inject({ url: '/metrics' })));
    await delay(50);
    gate.resolve();
    const bodies = (await responses).map((response) => response.body);
    expect(cached.calls.collect).toBe(1);
    expect(bodies.map((body) => value(body, 'cached_value'))).toEqual(Array.from({ length: 20 }, () => 1));
    // Later scrapes inside the TTL are served from the cache.
    const later = await exporter.app.inject({ url: '/metrics' });
    expect(value(later.body, 'cached_value')).toBe(1);
    expect(cached.calls.collect).toBe(1);
    expect((await exporter.app.inject({ url: '/' })).body).toContain('ok (cached)');
  });

  it('shares one in-flight collection between concurrent scrapes without a TTL, and collects again afterwards', async () => {
    const gate = deferred();
    const shared = valuePlugin('shared', { before: () => gate.promise });
    exporter = await createExporter({ plugins: { shared: shared.plugin }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    const app = exporter.app;
    const responses = Promise.all(Array.from({ length: 20 }, () => app.inject({ url: '/metrics' })));
    await delay(50);
    gate.resolve();
    const bodies = (await responses).map((response) => response.body);
    expect(shared.calls.collect).toBe(1);
    expect(new Set(bodies.map((body) => value(body, 'shared_value')))).toEqual(new Set([1]));
    const next = await exporter.app.inject({ url: '/metrics' });
    expect(shared.calls.collect).toBe(2);
    expect(value(next.body, 'shared_value')).toBe(2);
  });

  it('takes the TTL from the config entry over the plugin default, and collects again once it expired', async () => {
    const plugin = valuePlugin('ttl', { cacheTtlSeconds: 3600 });
    exporter = await createExporter({
      config: { collectors: { ttl: { cacheTtlSeconds: 0.05 } } },
      plugins: { ttl: plugin.plugin },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    await exporter.app.inject({ url: '/metrics' });
    expect(plugin.calls.collect).toBe(1);
    await delay(120);
    const response = await exporter.app.inject({ url: '/metrics' });
    expect(plugin.calls.collect).toBe(2);
    expect(value(response.body, 'ttl_value')).toBe(2);
  });
});
