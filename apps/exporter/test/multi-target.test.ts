import { defineCollector, defineMetric } from '@tessera/collector-api';
import { parseText } from '@tessera/exposition';
import { startConnectionCounter, type ConnectionCounter } from '@tessera/test-support';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger } from './helpers.js';

// An array-like source: every instance emits the very same series (the anchor leaves telling arrays
// apart to Prometheus' target label), so the host adds `array` in /metrics and /probe leaves it out.
const capacity = defineMetric({ name: 'array_capacity_bytes', type: 'gauge', help: 'Capacity of the array.', labelNames: ['type'] });
const arrays = defineCollector({
  specificationVersion: 'v1',
  name: 'arrays',
  description: 'Storage arrays, one instance each.',
  defaultEnabled: false,
  instanceLabel: 'array',
  configSchema: z.strictObject({ endpoint: z.string(), capacity: z.number() }),
  metrics: [capacity],
  create: (config) => ({
    collect(sink) {
      sink.add(capacity, { type: 'usable' }, config.capacity);
      return Promise.resolve();
    },
  }),
});

let exporter: Exporter | undefined;
let listener: ConnectionCounter | undefined;
afterEach(async () => {
  await exporter?.close();
  exporter = undefined;
  await listener?.close();
  listener = undefined;
});

describe('several targets of one collector', () => {
  it('serves every instance in /metrics told apart by the instance label, and one instance in its own shape at /probe', async () => {
    exporter = await createExporter({
      config: { collectors: { arrays: [{ instance: 'a', endpoint: 'https://a.example', capacity: 1000 }, { instance: 'b', endpoint: 'https://b.example', capacity: 2000 }] } },
      plugins: { arrays },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    const all = await exporter.app.inject({ url: '/metrics' });
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('# TYPE array_capacity_bytes gauge\narray_capacity_bytes{array="a",type="usable"} 1000\narray_capacity_bytes{array="b",type="usable"} 2000\n');
    expect(all.body).toContain('tessera_scrape_collector_success{collector="arrays",collector_instance="a"} 1\n');
    expect(all.body).toContain('tessera_scrape_collector_success{collector="arrays",collector_instance="b"} 1\n');

    const probe = await exporter.app.inject({ url: '/probe?collector=arrays&target=b' });
    expect(probe.statusCode).toBe(200);
    expect(probe.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parseText(probe.body);
    const samples = (name: string) => families.find((family) => family.name === name)?.samples.map(({ labels, value }) => ({ labels, value }));
    expect(samples('array_capacity_bytes')).toEqual([{ labels: { type: 'usable' }, value: 2000 }]);
    expect(probe.body).not.toContain('array="');
    expect(samples('tessera_scrape_collector_success')).toEqual([{ labels: { collector: 'arrays', collector_instance: 'b' }, value: 1 }]);
    expect(probe.body).not.toContain('process_');
    // The same bytes again, now from the render cache.
    expect((await exporter.app.inject({ url: '/probe?collector=arrays&target=b', headers: { 'accept-encoding': 'gzip' } })).headers['content-encoding']).toBe('gzip');
  });

  it('refuses an unknown collector or target, an address or a URL, with 400, naming the valid ones, and never connects anywhere', async () => {
    listener = await startConnectionCounter();
    const { port } = listener;
    exporter = await createExporter({
      config: { collectors: { arrays: [{ instance: 'a', endpoint: 'https://a.example', capacity: 1 }] } },
      plugins: { arrays },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    const url = await exporter.listen('127.0.0.1:0');
    const refusals: [string, RegExp][] = [
      [`/probe?collector=arrays&target=127.0.0.1:${port}`, /^unknown target "127\.0\.0\.1:\d+" for collector arrays: configured instances are a\n$/],
      [`/probe?collector=arrays&target=${encodeURIComponent(`http://127.0.0.1:${port}/metrics`)}`, /^unknown target "http:\/\/127\.0\.0\.1:\d+\/metrics" for collector arrays: configured instances are a\n$/],
      ['/probe?collector=arrays&target=[::1]', /^unknown target "\[::1\]"/],
      ['/probe?collector=nosuch&target=a', /^unknown collector "nosuch": enabled collectors are arrays\n$/],
      ['/probe?collector=arrays', /^probe needs exactly one collector=<name> and one target=<instance>/],
      ['/probe?collector=arrays&target=a&target=b', /^probe needs exactly one collector=<name> and one target=<instance>/],
    ];
    for (const [path, expected] of refusals) {
      const response = await request(`${url}${path}`);
      expect(response.statusCode, path).toBe(400);
      expect(await response.body.text(), path).toMatch(expected);
    }
    expect(listener.connections).toBe(0);
  });
});
