import { CollectorTimeoutError, validateWithSchema } from '@tessera/collector-api';
import { collectOnce, createTestContext, type TestContext } from '@tessera/collector-testkit';
import type { PartRecord } from '@tessera/exposition';
import { startArkoudaSimulator, type ArkoudaSimulator } from '@tessera/sim-arkouda';
import { afterEach, describe, expect, it } from 'vitest';
import { ArkoudaCollector } from '../src/arkouda-collector.js';
import plugin from '../src/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Scrape {
  readonly text: string;
  readonly parts: readonly PartRecord[];
}

interface Setup {
  readonly simulator: ArkoudaSimulator;
  readonly context: TestContext;
  readonly collector: ArkoudaCollector;
  /** Runs the scheduled poll (unless told not to), as the host would have by then, and collects once. */
  readonly scrape: (options?: { readonly runScheduled?: boolean }) => Promise<Scrape>;
}

async function setUp(entry: Record<string, unknown> = {}): Promise<Setup> {
  const simulator = await startArkoudaSimulator({ locales: 2 });
  cleanups.push(() => simulator.close());
  const context = createTestContext({ collector: 'arkouda', instance: 'research' });
  const config = await validateWithSchema(plugin.configSchema, { host: '127.0.0.1', port: simulator.servers[0]!.port, requestTimeoutSeconds: 0.5, ...entry });
  const collector = ArkoudaCollector.create(config, context);
  cleanups.push(() => collector.close());
  const scrape = async (options: { readonly runScheduled?: boolean } = {}): Promise<Scrape> => {
    const { text, parts } = await collectOnce(plugin, undefined, { context, collector, runScheduled: options.runScheduled ?? true });
    return { text, parts };
  };
  return { simulator, context, collector, scrape };
}

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};
const UP = 'arkouda_up{arkouda_server_name="research"}';
const REQUESTS = 'arkouda_requests_total{arkouda_server_name="research"}';
const TIMEOUTS = 'arkouda_poll_failures_total{arkouda_server_name="research",reason="timeout"}';

describe('the arkouda collector', () => {
  it('polls on the host scheduler (first polls spread by the host, a budget of three requests, stale after two intervals and that budget) and connects nothing in create()', async () => {
    const { simulator, context } = await setUp({ pollIntervalSeconds: 10, requestTimeoutSeconds: 2 });
    expect(context.scheduler.tasks.map((task) => ({ intervalMs: task.intervalMs, runImmediately: task.runImmediately, options: task.options }))).toEqual([
      { intervalMs: 10_000, runImmediately: false, options: { name: 'poll', timeoutMs: 6000, maxAgeMs: 26_000, runImmediately: false } },
    ]);
    expect(simulator.servers[0]!.requests).toEqual({});
  });

  it('does not wait for a first poll that has not run: the poll part reports no data yet and the server is not asked', async () => {
    const { simulator, scrape } = await setUp();
    const first = await scrape({ runScheduled: false });
    expect(first.text).toBe('');
    expect(first.parts).toMatchObject([{ name: 'poll', success: false, error: expect.stringMatching(/^the first poll of tcp:\/\/127\.0\.0\.1:\d+ has not finished yet$/) as unknown }]);
    expect(simulator.servers[0]!.requests).toEqual({});
  });

  it('serves the latest snapshot as the poll part, with the time it was taken, without asking the server again', async () => {
    const { simulator, context, scrape } = await setUp();
    const polled = await scrape();
    expect(value(polled.text, UP)).toBe(1);
    expect(value(polled.text, REQUESTS)).toBeGreaterThan(0);
    context.clock.advance(1500);
    const again = await scrape({ runScheduled: false });
    expect(again.text.replace(/arkouda_snapshot_age_seconds\{[^}]*\} \S+/, '')).toBe(polled.text.replace(/arkouda_snapshot_age_seconds\{[^}]*\} \S+/, ''));
    expect(value(again.text, 'arkouda_snapshot_age_seconds{arkouda_server_name="research"}')).toBe(1.5);
    expect(again.parts).toMatchObject([{ name: 'poll', success: true }]);
    expect(simulator.servers[0]!.requests['metrics:ALL']).toBe(1);
  });

  it('reports a wedged server down with its failure reason at once, keeps its last metrics while they are fresh, and is up again once it answers', async () => {
    const { simulator, scrape } = await setUp({ pollIntervalSeconds: 5 });
    await scrape();
    simulator.servers[0]!.wedge();
    const down = await scrape();
    expect(value(down.text, UP)).toBe(0);
    expect(value(down.text, TIMEOUTS)).toBe(1);
    expect(value(down.text, REQUESTS)).toBeGreaterThan(0);
    expect(down.parts).toMatchObject([{ name: 'poll', success: true }]);
    simulator.servers[0]!.unwedge();
    const back = await scrape();
    expect(value(back.text, UP)).toBe(1);
    expect(value(back.text, 'arkouda_polls_total{arkouda_server_name="research"}')).toBe(3);
    // The lost reply closed the socket; the recovery came over a new one, which read the server again.
    expect(simulator.servers[0]!.requests.getconfig).toBe(2);
  });

  it('leaves the metrics out and reports the server down once the snapshot is older than its limit, to the millisecond', async () => {
    const { context, scrape } = await setUp({ pollIntervalSeconds: 5, requestTimeoutSeconds: 1 });
    await scrape();
    context.clock.advance(2 * 5000 + 3 * 1000);
    const atLimit = await scrape({ runScheduled: false });
    expect(value(atLimit.text, UP)).toBe(1);
    expect(value(atLimit.text, REQUESTS)).toBeGreaterThan(0);
    context.clock.advance(1);
    const stale = await scrape({ runScheduled: false });
    expect(value(stale.text, UP)).toBe(0);
    expect(value(stale.text, 'arkouda_snapshot_age_seconds{arkouda_server_name="research"}')).toBe(13.001);
    expect(stale.text).not.toContain('arkouda_requests_total{');
    expect(stale.text).toContain('arkouda_last_success_timestamp_seconds{');
    expect(stale.parts).toMatchObject([{ name: 'poll', success: false, error: 'the last successful run of background task poll was 13.001 s ago, more than the 13 s allowed' }]);
  });

  it('counts a poll the host abandoned past its budget as a timeout, and one cancelled at shutdown as no failure', async () => {
    const { simulator, context, scrape } = await setUp({ requestTimeoutSeconds: 30 });
    simulator.servers[0]!.wedge();
    const [task] = context.scheduler.tasks;
    const abandoned = new AbortController();
    const run = Promise.resolve(task!.task(abandoned.signal));
    abandoned.abort(new CollectorTimeoutError('run timed out after 90 s', { timeoutMs: 90_000 }));
    await expect(run).rejects.toBeInstanceOf(CollectorTimeoutError);
    const cancelled = new AbortController();
    const cancelledRun = Promise.resolve(task!.task(cancelled.signal));
    cancelled.abort(new Error('background task poll cancelled'));
    await expect(cancelledRun).rejects.toThrow('cancelled');
    simulator.servers[0]!.unwedge();
    const { text } = await scrape();
    expect(value(text, 'arkouda_polls_total{arkouda_server_name="research"}')).toBe(3);
    expect(text.split('\n').filter((line) => line.startsWith('arkouda_poll_failures_total{') && !line.endsWith(' 0'))).toEqual([
      'arkouda_poll_failures_total{arkouda_server_name="research",reason="timeout"} 1',
    ]);
  });

  it('probe() asks the server itself, so it answers before the first poll, and says why it cannot be polled', async () => {
    const { simulator, collector } = await setUp();
    await expect(collector.probe(new AbortController().signal)).resolves.toBeUndefined();
    expect(simulator.servers[0]!.requests).toEqual({ getconfig: 1 });
    simulator.servers[0]!.wedge();
    await expect(collector.probe(new AbortController().signal)).rejects.toThrow('getconfig: no reply within 0.5 s');
  });

  it('close() cancels the polls and can be called twice', async () => {
    const { context, collector } = await setUp();
    collector.close();
    collector.close();
    expect(context.scheduler.tasks[0]!.cancelled).toBe(true);
  });
});
