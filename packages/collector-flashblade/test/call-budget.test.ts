import { validateWithSchema, type MetricSink } from '@tessera/collector-api';
import { createTestContext } from '@tessera/collector-testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { startSimulator } from './support/simulators.js';

/**
 * The REST calls pure-fb-openmetrics-exporter 1.1.4 makes for its /metrics (every group) on an
 * array with `fileSystems` and `buckets`: 4 for the session and purefb_info, 15 for the array, the
 * file system list and their performance 5 names at a time, the bucket list and two performance
 * calls per 5 buckets plus the accounts, the clients, the file system list again and two usage
 * calls per file system, and the policies.
 */
function exporterCalls(fileSystems: number, buckets: number): number {
  return 4 + 15 + (1 + Math.ceil(fileSystems / 5)) + (1 + 2 * Math.ceil(buckets / 5) + 1) + 1 + (1 + 2 * fileSystems) + 1;
}

/** A sink that only counts, so the test measures the REST traffic and not the exposition. */
function countingSink(): MetricSink & { count: number } {
  return {
    count: 0,
    add() {
      this.count++;
    },
    addHistogram() {},
    addSummary() {},
    declare() {},
    async part(name, work) {
      await work(this);
      return { name, success: true, error: undefined, durationSeconds: 0 };
    },
  };
}

describe('REST calls per scrape', () => {
  it('on 10k file systems and 10k buckets, the default groups cost at most a fifth of the exporter', async () => {
    const simulator = await startSimulator({ fileSystems: 10_000, buckets: 10_000 });
    const context = createTestContext({ collector: plugin.name, realDispatchers: true });
    const collector = await plugin.create(await validateWithSchema(plugin.configSchema, simulator.config), context);
    try {
      await context.scheduler.runScheduled();
      const refreshCalls = simulator.stats.calls();
      simulator.stats.reset();
      const sink = countingSink();
      await collector.collect(sink, new AbortController().signal);
      const scrapeCalls = simulator.stats.calls();
      const budget = exporterCalls(10_000, 10_000);
      expect(budget).toBe(26_025);
      // Even a scrape that coincides with the background refreshes stays within a fifth.
      expect(scrapeCalls + refreshCalls).toBeLessThanOrEqual(budget / 5);
      expect(scrapeCalls).toBeLessThanOrEqual(200);
      expect(simulator.stats.calls(undefined, 200)).toBe(scrapeCalls);
      // Every file system's and bucket's performance is there: the calls were not saved by skipping objects.
      expect(sink.count).toBeGreaterThan(10_000 * 11 + 10_000 * 11);
    } finally {
      await collector.close?.();
      await context.close();
    }
  }, 180_000);
});
