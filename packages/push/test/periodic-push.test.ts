import { startPushgateway, type RunningPeer } from '@tessera/test-support';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createJob, type Clock } from '../src/index.js';
import { captureLogger, familyOf, findGroup, runNodeScript, startHttpServer, type LocalServer } from './helpers.js';

let gateway: RunningPeer;

beforeAll(async () => {
  gateway = await startPushgateway();
});

afterAll(async () => {
  await gateway.stop();
});

/** Polls the Pushgateway until `metric` of the group has `value`. */
async function waitForValue(labels: Record<string, string>, metric: string, value: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last: string | undefined;
  while (performance.now() < deadline) {
    last = familyOf(await findGroup(gateway.url, labels), metric)?.metrics[0]?.value;
    if (last === value) return;
    await delay(25);
  }
  throw new Error(`${metric} stayed at ${last} instead of ${value}`);
}

describe('startPeriodicPush', () => {
  test('pushes on every interval, keeps the previous success while running, and pushes once more on stop()', async () => {
    const fixedClock: Clock = { monotonicMilliseconds: () => performance.now(), wallMilliseconds: () => 1_700_000_000_000 };
    const previousRun = createJob({ job: 'long_training', gateway: gateway.url, logger: captureLogger().logger, clock: fixedClock });
    previousRun.succeed();
    expect(await previousRun.push()).toMatchObject({ ok: true });

    const { logger, warnings } = captureLogger();
    const job = createJob({ job: 'long_training', gateway: gateway.url, logger });
    const epoch = job.gauge({ name: 'epoch', help: 'Current epoch.' });
    epoch.set(1);
    const listenersBefore = process.listenerCount('SIGTERM');
    const periodic = job.startPeriodicPush(50);
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore + 1);
    expect(process.listenerCount('SIGINT')).toBeGreaterThan(0);
    await waitForValue({ job: 'long_training' }, 'long_training_epoch', '1');
    epoch.set(2);
    await waitForValue({ job: 'long_training' }, 'long_training_epoch', '2');
    // POST: the previous run's success timestamp is still there while this run is in progress.
    expect(familyOf(await findGroup(gateway.url, { job: 'long_training' }), 'long_training_last_success_timestamp_seconds')?.metrics[0]?.value).toBe('1.7e+09');
    expect(periodic.running).toBe(true);

    epoch.set(3);
    job.succeed();
    const final = await periodic.stop();
    expect(final).toMatchObject({ ok: true, method: 'POST' });
    expect(periodic.lastResult).toBe(final);
    expect(periodic.running).toBe(false);
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
    const group = await findGroup(gateway.url, { job: 'long_training' });
    expect(familyOf(group, 'long_training_epoch')?.metrics[0]?.value).toBe('3');
    expect(Number(familyOf(group, 'long_training_last_success_timestamp_seconds')?.metrics[0]?.value)).toBeGreaterThan(1.7e9);
    expect(await periodic.stop()).toBe(final);
    expect(warnings()).toEqual([]);
  });

  test('one periodic push per job at a time, with a positive interval', async () => {
    const job = createJob({ job: 'twice', gateway: gateway.url, logger: captureLogger().logger });
    expect(() => job.startPeriodicPush(0)).toThrow(RangeError);
    // Beyond 2^31-1 ms a Node timer fires after 1 ms: the gateway would get a push every millisecond.
    expect(() => job.startPeriodicPush(2 ** 31)).toThrow(/at most 2147483647/);
    expect(() => job.startPeriodicPush(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    const periodic = job.startPeriodicPush(1000, { handleSignals: false });
    expect(() => job.startPeriodicPush(1000)).toThrow(/already running/);
    await periodic.stop();
    const again = job.startPeriodicPush(1000, { method: 'PUT', handleSignals: false });
    expect(await again.stop()).toMatchObject({ ok: true, method: 'PUT' });
  });

  test('periodic pushes to a dead gateway keep the job running and never reject', async () => {
    const { logger, warnings } = captureLogger();
    const job = createJob({ job: 'dead', gateway: 'http://127.0.0.1:9', logger, retries: 0, strict: true });
    const periodic = job.startPeriodicPush(20, { handleSignals: false });
    // Two failed periodic pushes, each a warning, and the job (this test) still running.
    await vi.waitFor(() => expect(warnings().length).toBeGreaterThanOrEqual(2), { timeout: 5000 });
    expect(periodic.running).toBe(true);
    // strict applies to what the job awaits: the final push from stop().
    await expect(periodic.stop()).rejects.toThrow(/ECONNREFUSED/);
  });

  test('a periodic push on the wire when stop() is called reaches the gateway before the final push, never after it', async () => {
    // A gateway that applies a push when it answers it, and takes its time over the first one: a
    // request cut by the client once the gateway has it would still be applied, after the final one.
    const applied: string[] = [];
    const gatewayServer: LocalServer = await startHttpServer((_request, response, index) => {
      const body = gatewayServer.requests[index]!.body;
      setTimeout(() => {
        applied.push(/^ordered_epoch (\S+)$/m.exec(body)?.[1] ?? 'none');
        response.writeHead(200).end();
      }, index === 0 ? 400 : 0);
    });
    try {
      const job = createJob({ job: 'ordered', gateway: gatewayServer.url, logger: captureLogger().logger });
      const epoch = job.gauge({ name: 'epoch', help: 'Current epoch.' });
      epoch.set(1);
      const periodic = job.startPeriodicPush(20, { handleSignals: false });
      await vi.waitFor(() => expect(gatewayServer.requests).toHaveLength(1), { timeout: 5000 });
      epoch.set(2);
      expect(await periodic.stop()).toMatchObject({ ok: true });
      await vi.waitFor(() => expect(applied).toHaveLength(2), { timeout: 2000 });
      expect(applied).toEqual(['1', '2']);
      await job.close();
    } finally {
      await gatewayServer.close();
    }
  });
});

describe('a signal during a periodic push (child processes)', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s: one final push with the latest values, then the process ends by that signal', async (signal) => {
    const job = `signal_${signal.toLowerCase()}`;
    const outcome = await runNodeScript(
      `
      import { createJob } from PUSH_ENTRY;
      const job = createJob({ job: ${JSON.stringify(job)}, gateway: ${JSON.stringify(gateway.url)} });
      const epoch = job.gauge({ name: 'epoch', help: 'Current epoch.' });
      job.startPeriodicPush(60_000);
      epoch.set(41);
      setInterval(() => epoch.inc(), 1_000_000); // the "training loop" keeps the process alive
      epoch.set(42);
      console.log('ready');
      `,
      { onStdout: (text, child) => void (text.includes('ready') && child.kill(signal)) },
    );
    expect(outcome.signal).toBe(signal);
    expect(familyOf(await findGroup(gateway.url, { job }), `${job}_epoch`)?.metrics[0]?.value).toBe('42');
  });

  test("with the job's own SIGTERM listener, the final push happens and the exit is left to that listener", async () => {
    const outcome = await runNodeScript(
      `
      import { createJob } from PUSH_ENTRY;
      process.on('SIGTERM', () => { console.log('own cleanup'); setTimeout(() => process.exit(0), 300); });
      const job = createJob({ job: 'own_handler', gateway: ${JSON.stringify(gateway.url)} });
      job.gauge({ name: 'epoch', help: 'Current epoch.' }).set(5);
      job.startPeriodicPush(60_000);
      setInterval(() => {}, 1_000_000);
      console.log('ready');
      `,
      { onStdout: (text, child) => void (text.includes('ready') && !text.includes('own cleanup') && child.kill('SIGTERM')) },
    );
    expect(outcome.stdout).toContain('own cleanup');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.signal).toBeNull();
    expect(familyOf(await findGroup(gateway.url, { job: 'own_handler' }), 'own_handler_epoch')?.metrics[0]?.value).toBe('5');
  });

  test('a job that finishes without calling stop() still exits (the timer is unref()ed)', async () => {
    const outcome = await runNodeScript(`
      import { createJob } from PUSH_ENTRY;
      const job = createJob({ job: 'forgot_stop', gateway: ${JSON.stringify(gateway.url)} });
      job.startPeriodicPush(60_000);
      console.log('done');
    `);
    expect(outcome).toMatchObject({ exitCode: 0, signal: null });
    expect(outcome.durationMs).toBeLessThan(5000);
  });
});
