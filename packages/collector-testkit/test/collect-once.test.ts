import { defineMetric, isConfigError, MetricContractError } from '@tessera/collector-api';
import { describe, expect, it } from 'vitest';
import { collectOnce, createTestContext } from '../src/index.js';
import { makePlugin, upGauge } from './plugin-factory.js';

const temperature = defineMetric({ name: 'demo_temperature_celsius', type: 'gauge', help: 'Temperature.', labelNames: ['sensor'], unit: 'celsius' });

describe('collectOnce', () => {
  it('renders the collection sorted by family and label values', async () => {
    const plugin = makePlugin({
      metrics: [upGauge, temperature],
      create: () => ({
        collect(sink) {
          sink.add(temperature, { sensor: 'b' }, 41.5);
          sink.add(temperature, { sensor: 'a' }, 40);
          sink.add(upGauge, {}, 1);
          return Promise.resolve();
        },
      }),
    });
    const { text, families } = await collectOnce(plugin, {});
    expect(families.map(({ family }) => family.name)).toEqual(['demo_temperature_celsius', 'demo_up']);
    expect(text).toBe(
      [
        '# HELP demo_temperature_celsius Temperature.',
        '# TYPE demo_temperature_celsius gauge',
        'demo_temperature_celsius{sensor="a"} 40',
        'demo_temperature_celsius{sensor="b"} 41.5',
        '# HELP demo_up Whether the demo source answered.',
        '# TYPE demo_up gauge',
        'demo_up 1',
        '',
      ].join('\n'),
    );
  });

  it("hands collectOptions to collect() as its third argument, and none without them", async () => {
    const seen: unknown[] = [];
    const plugin = makePlugin({
      create: () => ({
        collect(_sink, _signal, ...rest: unknown[]) {
          seen.push(rest);
          return Promise.resolve();
        },
      }),
    });
    await collectOnce(plugin, {}, { collectOptions: { subset: ['array'] } });
    await collectOnce(plugin, {});
    expect(seen).toEqual([[{ subset: ['array'] }], []]);
  });

  it('validates the config with the plugin schema and passes the parsed value (defaults applied) to create', async () => {
    let seen: unknown;
    const plugin = makePlugin({
      create: (config) => {
        seen = config;
        return { collect: () => Promise.resolve() };
      },
    });
    await collectOnce(plugin, {});
    expect(seen).toEqual({ url: 'http://127.0.0.1:1' });
    const error: unknown = await collectOnce(plugin, { url: 5 }).catch((caught: unknown) => caught);
    expect(isConfigError(error) && error.path).toEqual(['url']);
  });

  it('rejects an undeclared family with MetricContractError, and still closes what it created', async () => {
    let closes = 0;
    const plugin = makePlugin({
      create: () => ({
        collect(sink) {
          sink.add(temperature, { sensor: 'a' }, 1);
          return Promise.resolve();
        },
        close: () => void closes++,
      }),
    });
    await expect(collectOnce(plugin, {})).rejects.toThrow(MetricContractError);
    expect(closes).toBe(1);
  });

  it('accepts families the instance declares in collector.metrics', async () => {
    const plugin = makePlugin({
      metrics: [],
      create: () => ({
        metrics: [temperature],
        collect(sink) {
          sink.add(temperature, { sensor: 'gpu0' }, 50);
          return Promise.resolve();
        },
      }),
    });
    expect((await collectOnce(plugin, {})).text).toContain('demo_temperature_celsius{sensor="gpu0"} 50');
  });

  it('lists the families declared through sink.declare() during the collection, once each, without the up-front ones', async () => {
    const passedThrough = defineMetric({ name: 'demo_queue_depth', type: 'gauge', help: 'From the source.', labelNames: ['queue'] });
    const declaredButEmpty = defineMetric({ name: 'demo_idle', type: 'gauge', help: 'Declared, no samples.', labelNames: [] });
    const plugin = makePlugin({
      metrics: [upGauge],
      create: () => ({
        metrics: [temperature],
        collect(sink) {
          sink.declare(upGauge);
          sink.declare(temperature);
          sink.declare(passedThrough);
          sink.declare(passedThrough);
          sink.declare(declaredButEmpty);
          sink.add(passedThrough, { queue: 'a' }, 3);
          return Promise.resolve();
        },
      }),
    });
    const { declaredDuringCollection } = await collectOnce(plugin, {});
    expect(declaredDuringCollection.map((family) => family.name)).toEqual(['demo_queue_depth', 'demo_idle']);
  });

  it('leaves a collector it was given open, so the caller can collect again', async () => {
    let closes = 0;
    let runs = 0;
    const plugin = makePlugin();
    const context = createTestContext({ collector: 'demo' });
    const created = await plugin.create({ url: 'x' }, context);
    const counting = {
      collect: async (...args: Parameters<typeof created.collect>) => {
        runs++;
        await created.collect(...args);
      },
      close: () => void closes++,
    };
    await collectOnce(plugin, 'ignored', { context, collector: counting });
    await collectOnce(plugin, 'ignored', { context, collector: counting });
    expect([runs, closes]).toEqual([2, 0]);
  });

  it('runs the scheduled tasks before collecting, so background samplers have data', async () => {
    const plugin = makePlugin({
      create: (_config, context) => {
        let sampled = 0;
        context.scheduler.every(1000, () => void sampled++);
        return {
          collect(sink) {
            sink.add(upGauge, {}, sampled);
            return Promise.resolve();
          },
        };
      },
    });
    expect((await collectOnce(plugin, {})).text).toContain('demo_up 1');
    expect((await collectOnce(plugin, {}, { runScheduled: false })).text).toContain('demo_up 0');
  });

  it('makes a late sink call after collect() settled throw', async () => {
    let late: (() => void) | undefined;
    const plugin = makePlugin({
      create: () => ({
        collect(sink) {
          late = () => sink.add(upGauge, {}, 1);
          return Promise.resolve();
        },
      }),
    });
    await collectOnce(plugin, {});
    expect(late).toThrow(/after collect\(\) settled/);
  });
});
