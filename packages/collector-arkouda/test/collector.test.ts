import { validateWithSchema } from '@tessera/collector-api';
import { collectOnce, createTestContext, type TestContext } from '@tessera/collector-testkit';
import { startArkoudaSimulator, type ArkoudaSimulator } from '@tessera/sim-arkouda';
import { afterEach, describe, expect, it } from 'vitest';
import { ArkoudaCollector } from '../src/arkouda-collector.js';
import plugin from '../src/index.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  readonly simulator: ArkoudaSimulator;
  readonly context: TestContext;
  readonly collector: ArkoudaCollector;
  /** Runs the scheduled polls (unless told not to) and collects once; returns the exposition text. */
  readonly scrape: (options?: { readonly runScheduled?: boolean }) => Promise<string>;
}

async function setUp(entry: Record<string, unknown> = {}): Promise<Setup> {
  const simulator = await startArkoudaSimulator({ locales: 2 });
  cleanups.push(() => simulator.close());
  const context = createTestContext({ collector: 'arkouda', instance: 'research' });
  const config = await validateWithSchema(plugin.configSchema, { host: '127.0.0.1', port: simulator.servers[0]!.port, requestTimeoutSeconds: 0.5, ...entry });
  const collector = ArkoudaCollector.create(config, context);
  cleanups.push(() => collector.close());
  const scrape = async (options: { readonly runScheduled?: boolean } = {}): Promise<string> =>
    (await collectOnce(plugin, undefined, { context, collector, runScheduled: options.runScheduled ?? true })).text;
  return { simulator, context, collector, scrape };
}

const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('the arkouda collector', () => {
  it('schedules its polls on the host scheduler and connects nothing in create()', async () => {
    const { simulator, context } = await setUp({ pollIntervalSeconds: 10 });
    expect(context.scheduler.tasks).toHaveLength(1);
    expect(context.scheduler.tasks[0]!.runImmediately).toBe(true);
    // Jittered by at most 5 %, so that servers configured together do not poll in step.
    expect(Math.abs(context.scheduler.tasks[0]!.intervalMs - 10_000)).toBeLessThanOrEqual(500);
    expect(simulator.servers[0]!.requests).toEqual({});
  });

  it('polls once itself when scraped before any poll ran, then serves the snapshot without asking the server', async () => {
    const { simulator, scrape } = await setUp();
    const first = await scrape({ runScheduled: false });
    expect(value(first, 'arkouda_up{arkouda_server_name="research"}')).toBe(1);
    expect(value(first, 'arkouda_requests_total{arkouda_server_name="research"}')).toBeGreaterThan(0);
    await scrape({ runScheduled: false });
    expect(simulator.servers[0]!.requests['metrics:ALL']).toBe(1);
  });

  it('reports a wedged server down with its failure reason, keeps its last metrics while they are fresh, and comes back after it answers again', async () => {
    const { simulator, context, scrape } = await setUp({ pollIntervalSeconds: 5 });
    await scrape();
    simulator.servers[0]!.wedge();
    const down = await scrape();
    expect(value(down, 'arkouda_up{arkouda_server_name="research"}')).toBe(0);
    expect(value(down, 'arkouda_poll_failures_total{arkouda_server_name="research",reason="timeout"}')).toBe(1);
    expect(value(down, 'arkouda_requests_total{arkouda_server_name="research"}')).toBeGreaterThan(0);
    expect(context.logs.filter((record) => record.level === 'warn').map((record) => record.message)).toEqual([
      'poll failed: metrics ALL: no reply within 0.5 s (the metrics daemon is down, or wedged by a request it could not read)',
    ]);
    simulator.servers[0]!.unwedge();
    const back = await scrape();
    expect(value(back, 'arkouda_up{arkouda_server_name="research"}')).toBe(1);
    expect(context.logs.at(-1)?.message).toBe('the Arkouda server answers again');
  });

  it('leaves the metrics out, and reports the server down, once the snapshot is older than two intervals and a poll of timeouts', async () => {
    const { context, scrape } = await setUp({ pollIntervalSeconds: 5, requestTimeoutSeconds: 1 });
    await scrape();
    context.clock.advance(2 * 5000 + 3 * 1000);
    const atLimit = await scrape({ runScheduled: false });
    expect(value(atLimit, 'arkouda_up{arkouda_server_name="research"}')).toBe(1);
    context.clock.advance(1);
    const stale = await scrape({ runScheduled: false });
    expect(value(stale, 'arkouda_up{arkouda_server_name="research"}')).toBe(0);
    expect(value(stale, 'arkouda_snapshot_age_seconds{arkouda_server_name="research"}')).toBe(13.001);
    expect(stale).not.toContain('arkouda_requests_total{');
    expect(stale).toContain('arkouda_last_success_timestamp_seconds{');
  });

  it('backs off from a failing server: after failures in a row it skips scheduled polls, 1 then about 3', async () => {
    const { simulator, context, scrape } = await setUp();
    simulator.servers[0]!.wedge();
    for (let run = 0; run < 4; run++) await context.scheduler.runScheduled();
    // Runs 1 and 2 poll and fail; run 3 is skipped; run 4 polls and fails again.
    const text = await scrape({ runScheduled: false });
    expect(value(text, 'arkouda_polls_total{arkouda_server_name="research"}')).toBe(3);
    expect(value(text, 'arkouda_poll_failures_total{arkouda_server_name="research",reason="timeout"}')).toBe(3);
  });

  it('probe() says whether the server answers, with the reason when it does not', async () => {
    const { simulator, collector } = await setUp();
    await expect(collector.probe(new AbortController().signal)).resolves.toBeUndefined();
    simulator.close();
    // It answers from the last poll, without asking the server again.
    await expect(collector.probe(new AbortController().signal)).resolves.toBeUndefined();
    const server = await startArkoudaSimulator({ metricsReply: 'error' });
    cleanups.push(() => server.close());
    const context = createTestContext({ collector: 'arkouda' });
    const failing = ArkoudaCollector.create(await validateWithSchema(plugin.configSchema, { host: '127.0.0.1', port: server.servers[0]!.port }), context);
    cleanups.push(() => failing.close());
    await expect(failing.probe(new AbortController().signal)).rejects.toThrow('metrics SERVER_INFO: the server answered ERROR: ');
  });

  it('close() cancels the polls and can be called twice', async () => {
    const { context, collector } = await setUp();
    collector.close();
    collector.close();
    expect(context.scheduler.tasks[0]!.cancelled).toBe(true);
  });
});

describe('scrapes of a server that never answered', () => {
  it('wait for the first poll only, not for the later ones that wait on the server', async () => {
    const { simulator, context, scrape } = await setUp({ requestTimeoutSeconds: 2 });
    const server = simulator.servers[0]!;
    server.wedge();
    const first = await scrape({ runScheduled: false });
    expect(first).toContain('arkouda_up{arkouda_server_name="research"} 0');
    // The next scheduled poll waits up to its 2 s timeout; a scrape meanwhile answers at once.
    const polling = context.scheduler.runScheduled();
    const started = performance.now();
    const during = await scrape({ runScheduled: false });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(during).toContain('arkouda_polls_total{arkouda_server_name="research"} 2');
    server.unwedge();
    await polling;
  });
});
