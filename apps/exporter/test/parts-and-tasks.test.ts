import { setTimeout as delay } from 'node:timers/promises';
import { defineCollector, defineMetric, NoDataError, type ScheduledTask } from '@tessera/collector-api';
import { parseText } from '@tessera/exposition';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger } from './helpers.js';

let exporter: Exporter | undefined;
afterEach(async () => {
  await exporter?.close();
  exporter = undefined;
});

/** `name{labels}` → value, for the samples of one family. */
function values(body: string, family: string): Record<string, number> {
  const samples = parseText(body).find((parsed) => parsed.name === family)?.samples ?? [];
  return Object.fromEntries(samples.map((sample) => [JSON.stringify(sample.labels), sample.value]));
}

async function until(condition: () => boolean | Promise<boolean>, limitMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error('condition not reached in time');
    await delay(10);
  }
}

describe('parts of a collection', () => {
  // Fifteen REST-like endpoint groups; two of them fail.
  const endpoint = defineMetric({ name: 'rest_endpoint_items', type: 'gauge', help: 'Items an endpoint returned.', labelNames: ['endpoint'] });
  const groups = defineCollector({
    specificationVersion: 'v1',
    name: 'rest',
    description: 'Fifteen endpoint groups.',
    defaultEnabled: false,
    configSchema: z.strictObject({ failing: z.array(z.number()).default([]) }),
    metrics: [endpoint],
    create: (config) => ({
      async collect(sink) {
        await Promise.all(
          Array.from({ length: 15 }, (_, index) =>
            sink.part(`group-${String(index + 1).padStart(2, '0')}`, async (part) => {
              part.add(endpoint, { endpoint: `/api/2.12/group-${index + 1}` }, index);
              await delay(1);
              if (config.failing.includes(index + 1)) throw new Error(`GET https://pureuser:s3cret@array.example/api/2.12/group-${index + 1} answered 500`);
            }),
          ),
        );
      },
    }),
  });

  it('serves the series of 13 parts when 2 throw, says which failed, keeps the instance successful and lists the failures on the status page', async () => {
    const { logger, records } = captureLogger();
    exporter = await createExporter({ config: { collectors: { rest: { failing: [4, 11] } } }, plugins: { rest: groups }, onlySuppliedPlugins: true, logger });
    const url = await exporter.listen('127.0.0.1:0');
    const body = await (await request(`${url}/metrics`)).body.text();
    expect(Object.keys(values(body, 'rest_endpoint_items'))).toHaveLength(13);
    expect(Object.keys(values(body, 'rest_endpoint_items'))).not.toContain('{"endpoint":"/api/2.12/group-4"}');
    expect(Object.keys(values(body, 'rest_endpoint_items'))).not.toContain('{"endpoint":"/api/2.12/group-11"}');
    expect(body).toContain('tessera_scrape_collector_success{collector="rest",collector_instance="default"} 1\n');
    const parts = values(body, 'tessera_collector_part_success');
    expect(Object.values(parts).filter((value) => value === 1)).toHaveLength(13);
    expect(Object.entries(parts).filter(([, value]) => value === 0).map(([labels]) => JSON.parse(labels) as Record<string, string>)).toEqual([
      { collector: 'rest', collector_instance: 'default', part: 'group-04' },
      { collector: 'rest', collector_instance: 'default', part: 'group-11' },
    ]);
    expect(Object.keys(values(body, 'tessera_collector_part_duration_seconds'))).toHaveLength(15);

    const page = await (await request(`${url}/`)).body.text();
    expect(page).toContain('partly failed: 2 of 15 parts');
    expect(page).toContain('<li><code>group-04</code>: GET https://[REDACTED]@array.example/api/2.12/group-4 answered 500</li>');
    expect(page).toContain('<li><code>group-11</code>: GET https://[REDACTED]@array.example/api/2.12/group-11 answered 500</li>');
    expect(page).toContain('data-state="degraded"');
    expect(page).not.toContain('s3cret');

    // A part that starts failing is a warning once; repeats are debug.
    await request(`${url}/metrics`).then((response) => response.body.text());
    const warnings = records.filter((record) => record.level === 'warn' && String(record.msg).startsWith('part '));
    expect(warnings.map((record) => record.part).sort()).toEqual(['group-04', 'group-11']);
    expect(records.filter((record) => record.level === 'debug' && String(record.msg).startsWith('part group-04 failed again'))).toHaveLength(1);
    expect(JSON.stringify(records)).not.toContain('s3cret');
  });
});

describe('background tasks', () => {
  const temperature = defineMetric({ name: 'sampled_temperature_celsius', type: 'gauge', help: 'A sampled temperature.', labelNames: [] });
  /** Samples in the background; its next `state.hangs` runs never settle, and collect() serves the snapshot at most 0.6 s old. */
  function sampledPlugin(state: { hangs: number; samples: number }) {
    return defineCollector({
      specificationVersion: 'v1',
      name: 'sampled',
      description: 'Samples in the background.',
      defaultEnabled: false,
      configSchema: z.strictObject({}),
      metrics: [temperature],
      create(_config, context) {
        const task: ScheduledTask<number> = context.scheduler.every(
          100,
          () => {
            if (state.hangs > 0) {
              state.hangs--;
              return new Promise<number>(() => undefined);
            }
            state.samples++;
            return 40 + state.samples;
          },
          { name: 'poll', timeoutMs: 150, maxAgeMs: 600 },
        );
        return {
          async collect(sink, signal) {
            sink.add(temperature, {}, await task.latest(signal));
          },
        };
      },
    });
  }

  it('abandons a run that never settles, warns once, recovers with an info line, shows its state, and fails collections once the snapshot is stale', async () => {
    const state = { hangs: 0, samples: 0 };
    const { logger, records } = captureLogger();
    exporter = await createExporter({ plugins: { sampled: sampledPlugin(state) }, onlySuppliedPlugins: true, logger });
    const url = await exporter.listen('127.0.0.1:0');
    const scrape = async (): Promise<string> => (await request(`${url}/metrics`)).body.text();
    const first = await scrape();
    expect(first).toContain('tessera_scrape_collector_success{collector="sampled",collector_instance="default"} 1\n');
    expect(first).toMatch(/tessera_collector_task_last_success_timestamp_seconds\{collector="sampled",collector_instance="default",task="poll"\} \d/);

    state.hangs = Infinity;
    // Served while the snapshot is younger than maxAgeMs, failed once it is older.
    await until(async () => (await scrape()).includes('tessera_scrape_collector_success{collector="sampled",collector_instance="default"} 0\n'));
    const stale = await scrape();
    expect(stale).not.toContain('sampled_temperature_celsius');
    expect(values(stale, 'tessera_collector_task_consecutive_failures')['{"collector":"sampled","collector_instance":"default","task":"poll"}']).toBeGreaterThanOrEqual(2);
    const page = await (await request(`${url}/`)).body.text();
    expect(page).toMatch(/failed: the last successful run of background task poll was [\d.]+ s ago, more than the 0.6 s allowed; last error: /);
    expect(page).toMatch(/task poll \(every 100 ms\): failing \d+×/);
    expect(page).toContain('2 hung runs');
    const warnings = records.filter((record) => record.level === 'warn' && String(record.msg).includes('background task poll'));
    expect(warnings.map((record) => record.msg)).toEqual(['background task poll failed: run timed out after 0.15 s (repeats are logged at debug level)']);
    expect(records.filter((record) => record.level === 'debug' && String(record.msg).startsWith('background task poll failed again')).length).toBeGreaterThanOrEqual(1);

  });

  it('starts the next run after a hung one, and logs the recovery at info', async () => {
    const { logger, records } = captureLogger();
    // The first run hangs past its timeout; then the source answers again.
    exporter = await createExporter({ plugins: { sampled: sampledPlugin({ hangs: 1, samples: 0 }) }, onlySuppliedPlugins: true, logger });
    await until(() => records.some((record) => record.level === 'warn'));
    await until(() => records.some((record) => record.level === 'info' && String(record.msg).startsWith('background task poll recovered')), 4000).catch((error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(records)}`);
    });
    const recovered = await exporter.app.inject({ url: '/metrics' });
    expect(recovered.body).toContain('tessera_scrape_collector_success{collector="sampled",collector_instance="default"} 1\n');
    expect(recovered.body).toContain('tessera_collector_task_consecutive_failures{collector="sampled",collector_instance="default",task="poll"} 0\n');
  });

  it('a task whose source is absent makes the collection report NoDataError: success 0, ready, no warning or error', async () => {
    const absent = defineCollector({
      specificationVersion: 'v1',
      name: 'absent',
      description: 'Samples a device this node does not have.',
      defaultEnabled: false,
      configSchema: z.strictObject({}),
      metrics: [temperature],
      create(_config, context) {
        const task = context.scheduler.every(100, (): number => {
          throw new NoDataError('no GPU on this node');
        });
        return {
          async collect(sink, signal) {
            sink.add(temperature, {}, await task.latest(signal));
          },
        };
      },
    });
    const { logger, records } = captureLogger();
    exporter = await createExporter({ plugins: { absent }, onlySuppliedPlugins: true, logger });
    for (let scrape = 0; scrape < 3; scrape++) {
      const response = await exporter.app.inject({ url: '/metrics' });
      expect(response.body).toContain('tessera_scrape_collector_success{collector="absent",collector_instance="default"} 0\n');
      await delay(120);
    }
    expect((await exporter.app.inject({ url: '/-/ready' })).statusCode).toBe(200);
    expect(records.filter((record) => record.level === 'warn' || record.level === 'error')).toEqual([]);
    expect(records.some((record) => record.level === 'debug' && record.msg === 'no data: no GPU on this node')).toBe(true);
  });

  it('lets a first scrape wait for the first sample within its deadline', async () => {
    const slow = defineCollector({
      specificationVersion: 'v1',
      name: 'slow',
      description: 'Its first sample takes a while.',
      defaultEnabled: false,
      configSchema: z.strictObject({}),
      metrics: [temperature],
      create(_config, context) {
        const task = context.scheduler.every(60_000, async () => {
          await delay(300);
          return 21;
        });
        return {
          async collect(sink, signal) {
            sink.add(temperature, {}, await task.latest(signal));
          },
        };
      },
    });
    exporter = await createExporter({ plugins: { slow }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    const response = await exporter.app.inject({ url: '/metrics' });
    expect(response.body).toContain('sampled_temperature_celsius 21\n');
    expect(response.body).toContain('tessera_scrape_collector_success{collector="slow",collector_instance="default"} 1\n');
  });
});
