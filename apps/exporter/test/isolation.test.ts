import { defineCollector, defineMetric, type CollectorPlugin, type MetricFamily } from '@tessera/collector-api';
import { parseText, type ParsedFamily } from '@tessera/exposition';
import { promtoolCheckMetrics } from '@tessera/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger, deferred } from './helpers.js';
import { hangingPlugin, impostorPlugin, noDataPlugin, throwingPlugin, undeclaredPlugin, valuePlugin, wrongLabelsPlugin } from './fixtures/plugins.js';

let exporter: Exporter | undefined;
afterEach(async () => {
  await exporter?.close();
  exporter = undefined;
});

function families(text: string): Map<string, ParsedFamily> {
  return new Map(parseText(text).map((family) => [family.name, family]));
}

/** Emits one series of `family` (a histogram or a gauge) on every collection. */
function oneFamilyPlugin(name: string, family: MetricFamily): CollectorPlugin {
  return defineCollector({
    specificationVersion: 'v1',
    name,
    description: `Emits ${family.name}.`,
    defaultEnabled: true,
    configSchema: z.strictObject({}),
    metrics: [family],
    create: () => ({
      collect(sink) {
        if (family.type === 'histogram') sink.addHistogram(family, {}, { buckets: [[1, 2]], count: 3, sum: 4 });
        else sink.add(family, {}, 5);
        return Promise.resolve();
      },
    }),
  });
}

function successByCollector(parsed: Map<string, ParsedFamily>): Record<string, number> {
  const samples = parsed.get('tessera_scrape_collector_success')?.samples ?? [];
  return Object.fromEntries(samples.map((sample) => [`${sample.labels.collector}/${sample.labels.collector_instance}`, sample.value]));
}

describe('one failing collector costs only its own series', () => {
  it('serves every healthy family while throwing, hanging, undeclared and mislabeled collectors fail', async () => {
    const good = valuePlugin('good', { value: 42 });
    const hanging = hangingPlugin();
    const { logger, records } = captureLogger();
    exporter = await createExporter({
      config: { scrape: { timeoutSeconds: 0.3 }, web: { disableExporterMetrics: true } },
      plugins: {
        good: good.plugin,
        thrower: throwingPlugin(),
        hanger: hanging.plugin,
        undeclared: undeclaredPlugin(),
        mislabeled: wrongLabelsPlugin(),
      },
      onlySuppliedPlugins: true,
      logger,
    });
    const response = await exporter.app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    const parsed = families(response.body);
    expect(parsed.get('good_value')?.samples.map((sample) => sample.value)).toEqual([42]);
    expect(successByCollector(parsed)).toEqual({
      'good/default': 1,
      'hanger/default': 0,
      'mislabeled/default': 0,
      'thrower/default': 0,
      'undeclared/default': 0,
    });
    // Nothing a failed collection added survives, not even the samples emitted before the failure.
    for (const name of ['thrower_partial', 'undeclared_declared', 'undeclared_secret', 'mislabeled_value', 'hanger_value']) expect(parsed.has(name)).toBe(false);
    expect(parsed.get('tessera_scrape_collector_duration_seconds')?.samples).toHaveLength(5);

    // The hanging collector saw its signal aborted with a timeout, and each failure is logged once.
    expect(hanging.signals).toHaveLength(1);
    expect(hanging.signals[0]!.aborted).toBe(true);
    expect((hanging.signals[0]!.reason as Error).name).toBe('CollectorTimeoutError');
    const errors = records.filter((record) => record.level === 'error');
    expect(errors.map((record) => `${String(record.collector)}/${String(record.instance)}`).sort()).toEqual([
      'hanger/default',
      'mislabeled/default',
      'thrower/default',
      'undeclared/default',
    ]);
    expect(errors.find((record) => record.collector === 'undeclared')?.msg).toMatch(/undeclared_secret was not declared/);
    expect(errors.find((record) => record.collector === 'mislabeled')?.msg).toMatch(/label disk is not declared/);
    expect(errors.find((record) => record.collector === 'thrower')?.msg).toMatch(/the source is on fire/);
    expect(errors.find((record) => record.collector === 'hanger')?.msg).toMatch(/timed out after 0\.3s/);
  });

  it('fails an instance whose abandoned collection is still pending, without calling it again', async () => {
    const hanging = hangingPlugin();
    exporter = await createExporter({
      config: { scrape: { timeoutSeconds: 0.2 }, web: { disableExporterMetrics: true } },
      plugins: { hanger: hanging.plugin },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    await exporter.app.inject({ url: '/metrics' });
    const second = await exporter.app.inject({ url: '/' });
    expect(second.body).toContain('timed out after 0.2s');
    const third = await exporter.app.inject({ url: '/metrics' });
    expect(successByCollector(families(third.body))).toEqual({ 'hanger/default': 0 });
    expect(hanging.signals).toHaveLength(1);
    const status = await exporter.app.inject({ url: '/' });
    expect(status.body).toContain('previous collection still running');
  });

  it('ignores and logs once a sink used by an abandoned collection from its own callback', async () => {
    const family = defineMetric({ name: 'late_value', type: 'gauge', help: 'Emitted too late.', labelNames: [] });
    let lateCalls = 0;
    const lateWork = deferred();
    const latePlugin = defineCollector({
      specificationVersion: 'v1',
      name: 'late',
      description: 'Ignores its signal and writes to the sink from a timer after the deadline.',
      defaultEnabled: true,
      configSchema: z.strictObject({}),
      metrics: [family],
      create: () => ({
        collect: (sink) =>
          new Promise<void>((resolve) => {
            // A timer callback, outside any promise chain: a throw here would end the process.
            setTimeout(() => {
              lateCalls += 2;
              sink.add(family, {}, 1);
              sink.add(family, {}, 2);
              resolve();
              lateWork.resolve();
            }, 400);
          }),
      }),
    });
    const { logger, records } = captureLogger();
    exporter = await createExporter({
      config: { scrape: { timeoutSeconds: 0.1 }, web: { disableExporterMetrics: true } },
      plugins: { late: latePlugin },
      onlySuppliedPlugins: true,
      logger,
    });
    const response = await exporter.app.inject({ url: '/metrics' });
    expect(successByCollector(families(response.body))).toEqual({ 'late/default': 0 });
    await lateWork.promise;
    expect(lateCalls).toBe(2);
    const warnings = records.filter((record) => record.collector === 'late' && /used after collect\(\) settled; the call was ignored$/.test(String(record.msg)));
    expect(warnings).toHaveLength(1);
    const next = await exporter.app.inject({ url: '/metrics' });
    expect(next.statusCode).toBe(200);
  });

  it('shortens the deadline to X-Prometheus-Scrape-Timeout-Seconds minus the margin', async () => {
    const hanging = hangingPlugin();
    const { logger, records } = captureLogger();
    exporter = await createExporter({
      config: { scrape: { timeoutSeconds: 30, timeoutMarginSeconds: 0.25 }, web: { disableExporterMetrics: true } },
      plugins: { hanger: hanging.plugin, good: valuePlugin('good').plugin },
      onlySuppliedPlugins: true,
      logger,
    });
    const response = await exporter.app.inject({ url: '/metrics', headers: { 'x-prometheus-scrape-timeout-seconds': '0.5' } });
    expect(response.statusCode).toBe(200);
    expect(successByCollector(families(response.body))).toEqual({ 'good/default': 1, 'hanger/default': 0 });
    expect(records.find((record) => record.collector === 'hanger')?.msg).toBe('collection failed: collection timed out after 0.25s');
  });

  it('logs a NoDataError at debug level, not as an error, and reports success 0', async () => {
    const { logger, records } = captureLogger();
    exporter = await createExporter({ plugins: { absent: noDataPlugin() }, onlySuppliedPlugins: true, logger });
    const response = await exporter.app.inject({ url: '/metrics' });
    expect(successByCollector(families(response.body))).toEqual({ 'absent/default': 0 });
    expect(records.filter((record) => record.level === 'error')).toEqual([]);
    expect(records.find((record) => record.collector === 'absent')).toMatchObject({ level: 'debug', msg: 'no data: no GPU on this machine' });
  });

  it('fails the second collector that emits a family name another collector already emitted', async () => {
    const { logger, records } = captureLogger();
    exporter = await createExporter({
      plugins: { alpha: valuePlugin('alpha', { value: 1 }).plugin, zulu: impostorPlugin('zulu', 'alpha_value') },
      onlySuppliedPlugins: true,
      logger,
      config: { web: { disableExporterMetrics: true } },
    });
    const response = await exporter.app.inject({ url: '/metrics' });
    const parsed = families(response.body);
    expect(parsed.get('alpha_value')?.samples.map((sample) => sample.labels.source)).toEqual(['test']);
    expect(successByCollector(parsed)).toEqual({ 'alpha/default': 1, 'zulu/default': 0 });
    expect(records.find((record) => record.collector === 'zulu' && record.level === 'error')?.msg).toBe(
      'collection rejected: metric family alpha_value is already emitted by collector alpha',
    );
  });

  it.each([
    ['a histogram before a family named like its _count samples', 'clash_seconds', 'histogram', 'clash_seconds_count', 'gauge'],
    ['a family named like the _bucket samples of a later histogram', 'clash_seconds_bucket', 'untyped', 'clash_seconds', 'histogram'],
  ] as const)('fails the later collector when its family collides with %s', async (_case, alphaName, alphaType, zuluName, zuluType) => {
    const { logger, records } = captureLogger();
    exporter = await createExporter({
      plugins: {
        alpha: oneFamilyPlugin('alpha', defineMetric({ name: alphaName, type: alphaType, help: 'First.', labelNames: [] })),
        zulu: oneFamilyPlugin('zulu', defineMetric({ name: zuluName, type: zuluType, help: 'Second.', labelNames: [] })),
      },
      onlySuppliedPlugins: true,
      logger,
      config: { web: { disableExporterMetrics: true } },
    });
    const text = (await exporter.app.inject({ url: '/metrics' })).body;
    expect(successByCollector(families(text))).toEqual({ 'alpha/default': 1, 'zulu/default': 0 });
    expect(records.find((record) => record.collector === 'zulu' && record.level === 'error')?.msg).toMatch(/collides with/);
    // Go's parser (promtool, Pushgateway, federation) would read the two families as one and refuse the whole text.
    expect(await promtoolCheckMetrics(text)).toEqual({ exitCode: 0, findings: [] });
  });

  it('refuses, when the plugin is defined or loaded, a family named like one the host emits (its self-metrics, a process metric)', async () => {
    expect(() => impostorPlugin('sneaky', 'tessera_build_info')).toThrow('metric tessera_build_info is a name the host emits itself');
    expect(() => oneFamilyPlugin('sneaky', defineMetric({ name: 'nodejs_gc_duration_seconds_count', type: 'gauge', help: 'Clash.', labelNames: [] }))).toThrow(
      'metric nodejs_gc_duration_seconds_count is a name the host emits itself',
    );
    // A plugin written without defineCollector is checked when the host loads it.
    const family = { name: 'process_open_fds', type: 'gauge', help: 'Clash.', labelNames: [] } as const;
    const plain = { specificationVersion: 'v1', name: 'sneaky', description: 'x', defaultEnabled: true, configSchema: z.strictObject({}), metrics: [family], create: () => ({ collect: () => Promise.resolve() }) } as const;
    await expect(createExporter({ plugins: { sneaky: plain as unknown as CollectorPlugin }, onlySuppliedPlugins: true, logger: captureLogger().logger })).rejects.toThrow(
      'metric process_open_fds is a name the host emits itself',
    );
  });

  it('does not take series whose label values differ only in where a NUL sits for one repeated by another instance', async () => {
    const family = defineMetric({ name: 'pair_value', type: 'gauge', help: 'Two labels.', labelNames: ['first', 'second'] });
    const plugin = defineCollector({
      specificationVersion: 'v1',
      name: 'pair',
      description: 'Emits one series with configured labels.',
      defaultEnabled: true,
      configSchema: z.strictObject({ first: z.string(), second: z.string() }),
      metrics: [family],
      create: (config) => ({
        collect(sink) {
          sink.add(family, { first: config.first, second: config.second }, 1);
          return Promise.resolve();
        },
      }),
    });
    exporter = await createExporter({
      config: {
        web: { disableExporterMetrics: true },
        collectors: { pair: [{ instance: 'a', first: 'x\u0000', second: 'y' }, { instance: 'b', first: 'x', second: '\u0000y' }] },
      },
      plugins: { pair: plugin },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    const parsed = families((await exporter.app.inject({ url: '/metrics' })).body);
    expect(successByCollector(parsed)).toEqual({ 'pair/a': 1, 'pair/b': 1 });
    expect(parsed.get('pair_value')?.samples).toHaveLength(2);
  });

  it('merges the instances of one collector and fails an instance that repeats a series', async () => {
    const { plugin } = valuePlugin('multi', { value: 3 });
    exporter = await createExporter({
      config: {
        web: { disableExporterMetrics: true },
        collectors: { multi: [{ instance: 'a', source: 'one' }, { instance: 'b', source: 'two' }, { instance: 'c', source: 'one' }] },
      },
      plugins: { multi: plugin },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    const parsed = families((await exporter.app.inject({ url: '/metrics' })).body);
    expect(parsed.get('multi_value')?.samples.map((sample) => sample.labels.source)).toEqual(['one', 'two']);
    expect(successByCollector(parsed)).toEqual({ 'multi/a': 1, 'multi/b': 1, 'multi/c': 0 });
  });
});
