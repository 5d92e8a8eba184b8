import { defineMetric, SPECIFICATION_VERSION, type Collector, type CollectorContext, type CollectorPlugin, type MetricFamily } from '@tessera/collector-api';
import { z } from 'zod';

/** A gauge most test plugins emit. */
export const upGauge = defineMetric({ name: 'demo_up', type: 'gauge', help: 'Whether the demo source answered.', labelNames: [] });

/**
 * A small plugin for negative tests: a strict zod schema with one defaulted key and a collect()
 * that honours its signal and emits `demo_up 1`, unless `create` is overridden.
 */
export function makePlugin(
  overrides: Partial<Omit<CollectorPlugin, 'create'>> & {
    create?: (config: { url: string }, context: CollectorContext) => Collector | Promise<Collector>;
    metrics?: readonly MetricFamily[];
  } = {},
): CollectorPlugin {
  return {
    specificationVersion: SPECIFICATION_VERSION,
    name: 'demo',
    description: 'A demo collector.',
    defaultEnabled: false,
    configSchema: z.strictObject({ url: z.string().default('http://127.0.0.1:1') }),
    metrics: [upGauge],
    create: () => ({
      collect(sink, signal) {
        signal.throwIfAborted();
        sink.add(upGauge, {}, 1);
        return Promise.resolve();
      },
    }),
    ...overrides,
  };
}
