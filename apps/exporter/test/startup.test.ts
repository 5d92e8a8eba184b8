import { setTimeout as delay } from 'node:timers/promises';
import { defineCollector, defineMetric } from '@tessera/collector-api';
import { parseText } from '@tessera/exposition';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger } from './helpers.js';

let exporter: Exporter | undefined;
afterEach(async () => {
  await exporter?.close();
  exporter = undefined;
});

const serverUp = defineMetric({ name: 'server_up', type: 'gauge', help: 'Whether the server answered.', labelNames: ['server'] });

/** Fifty servers whose create() takes a second each (a slow handshake); `broken` throws instead. */
function slowServers(broken: string, created: string[]) {
  return defineCollector({
    specificationVersion: 'v1',
    name: 'servers',
    description: 'Slow to create.',
    defaultEnabled: false,
    configSchema: z.strictObject({ server: z.string() }),
    metrics: [serverUp],
    async create(config) {
      await delay(1000);
      if (config.server === broken) throw new Error(`cannot resolve ${config.server}`);
      created.push(config.server);
      return {
        collect(sink) {
          sink.add(serverUp, { server: config.server }, 1);
          return Promise.resolve();
        },
      };
    },
  });
}

describe('start-up at scale', () => {
  it('creates 50 instances concurrently, and serves 49 while the one whose create() threw is shown as failed', async () => {
    const created: string[] = [];
    const servers = Array.from({ length: 50 }, (_, index) => ({ instance: `s${index}`, server: `server-${index}` }));
    const { logger, records } = captureLogger();
    const started = performance.now();
    exporter = await createExporter({ config: { collectors: { servers } }, plugins: { servers: slowServers('server-17', created) }, onlySuppliedPlugins: true, logger });
    const seconds = (performance.now() - started) / 1000;
    // One after another this would take 50 s; 16 at a time it takes about 4.
    expect(seconds).toBeLessThan(15);
    expect(created).toHaveLength(49);

    const response = await exporter.app.inject({ url: '/metrics' });
    const families = parseText(response.body);
    expect(families.find((family) => family.name === 'server_up')?.samples).toHaveLength(49);
    const success = families.find((family) => family.name === 'tessera_scrape_collector_success')?.samples ?? [];
    expect(success.filter((sample) => sample.value === 1)).toHaveLength(49);
    expect(success.filter((sample) => sample.value === 0).map((sample) => sample.labels.collector_instance)).toEqual(['s17']);
    const page = await exporter.app.inject({ url: '/' });
    expect(page.body).toContain('cannot be created: create() failed: cannot resolve server-17');
    expect(records.filter((record) => record.level === 'error').map((record) => record.msg)).toEqual([
      'the collector cannot be created: create() failed: cannot resolve server-17 (retrying in the background)',
    ]);
    expect((await exporter.app.inject({ url: '/-/ready' })).body).toBe('Not ready: waiting for the first successful collection or probe of servers/s17\n');
  }, 30_000);

  it('fails an instance whose create() outlives its deadline (three collection deadlines) without holding up start-up, and retries it', async () => {
    let attempts = 0;
    const stuck = defineCollector({
      specificationVersion: 'v1',
      name: 'stuck',
      description: 'Hangs in create() the first time.',
      defaultEnabled: false,
      configSchema: z.strictObject({}),
      metrics: [serverUp],
      create() {
        attempts++;
        if (attempts === 1) return new Promise(() => undefined);
        return { collect: (sink) => Promise.resolve(sink.add(serverUp, { server: 'x' }, 1)) };
      },
    });
    const started = performance.now();
    exporter = await createExporter({ config: { collectors: { stuck: { timeoutSeconds: 0.2 } } }, plugins: { stuck }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    expect(performance.now() - started).toBeLessThan(3000);
    const first = await exporter.app.inject({ url: '/metrics' });
    expect(first.body).toContain('tessera_scrape_collector_success{collector="stuck",collector_instance="default"} 0\n');
    expect((await exporter.app.inject({ url: '/' })).body).toContain('cannot be created: create() did not finish within 0.6 s');
    // The retry comes a second later and succeeds.
    const deadline = Date.now() + 10_000;
    while (attempts < 2 && Date.now() < deadline) await delay(50);
    await delay(50);
    const later = await exporter.app.inject({ url: '/metrics' });
    expect(later.body).toContain('server_up{server="x"} 1\n');
    expect(attempts).toBe(2);
  }, 30_000);
});
