import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNoDataError, isStaleDataError, NoDataError } from '@tessera/collector-api';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createTestContext, FIXED_NOW_MS } from '../src/index.js';

describe('createTestContext', () => {
  it('defaults to collector test, instance default and the real filesystem roots', () => {
    const context = createTestContext();
    expect([context.collector, context.instance]).toEqual(['test', 'default']);
    expect(context.roots).toEqual({ procfs: '/proc', sysfs: '/sys', rootfs: '/', udevData: '/run/udev/data' });
  });

  it('overrides roots one by one', () => {
    const context = createTestContext({ collector: 'node', roots: { sysfs: '/captured/sys' } });
    expect(context.roots).toEqual({ procfs: '/proc', sysfs: '/captured/sys', rootfs: '/', udevData: '/run/udev/data' });
    expect(context.collector).toBe('node');
  });

  it('records log calls with level, bindings, message and fields, child bindings included', () => {
    const context = createTestContext({ collector: 'node', instance: 'edge' });
    context.logger.info('started');
    context.logger.child({ subsystem: 'diskstats' }).warn({ device: 'sda' }, 'skipped');
    context.logger.error({ code: 5 });
    expect(context.logs).toEqual([
      { level: 'info', bindings: { collector: 'node', instance: 'edge' }, message: 'started', fields: {} },
      { level: 'warn', bindings: { collector: 'node', instance: 'edge', subsystem: 'diskstats' }, message: 'skipped', fields: { device: 'sda' } },
      { level: 'error', bindings: { collector: 'node', instance: 'edge' }, message: '', fields: { code: 5 } },
    ]);
  });

  it('stands the clock still at the fixed time until advance() moves both clocks', () => {
    const { clock } = createTestContext();
    expect(clock.now()).toBe(FIXED_NOW_MS);
    expect(clock.monotonic()).toBe(0);
    clock.advance(1500);
    expect([clock.now(), clock.monotonic()]).toEqual([FIXED_NOW_MS + 1500, 1500]);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('keeps advance() on an overridden clock by adding an offset', () => {
    const { clock } = createTestContext({ clock: { now: () => 10, monotonic: () => 20 } });
    clock.advance(5);
    expect([clock.now(), clock.monotonic()]).toEqual([15, 25]);
  });

  it('records scheduled tasks and runs the live ones once per runScheduled()', async () => {
    const { scheduler } = createTestContext();
    const runs: string[] = [];
    scheduler.every(1000, () => void runs.push('a'), { runImmediately: true });
    const cancelled = scheduler.every(5000, () => void runs.push('b'));
    expect(runs).toEqual([]);
    cancelled.cancel();
    await scheduler.runScheduled();
    await scheduler.runScheduled();
    expect(runs).toEqual(['a', 'a']);
    expect(scheduler.tasks.map(({ intervalMs, runImmediately, cancelled: isCancelled }) => [intervalMs, runImmediately, isCancelled])).toEqual([
      [1000, true, false],
      [5000, true, true],
    ]);
  });

  it('keeps what each run returned for latest(), on the test clock, and reports failures without rejecting', async () => {
    const { scheduler, clock } = createTestContext();
    let fail = false;
    let run = 0;
    const task = scheduler.every(
      1000,
      () => {
        run++;
        if (fail) throw new Error('sampling failed');
        return `snapshot ${run}`;
      },
      { maxAgeMs: 5000 },
    );
    await expect(task.latest()).rejects.toThrow('background task sample has not succeeded yet (the test has not run it: call scheduler.runScheduled())');
    expect(await scheduler.runScheduled()).toEqual([{ name: 'sample', success: true, error: undefined }]);
    expect(await task.latest()).toBe('snapshot 1');
    fail = true;
    const [outcome] = await scheduler.runScheduled();
    expect(outcome).toMatchObject({ name: 'sample', success: false });
    expect(task.state).toMatchObject({ consecutiveFailures: 1, lastError: 'sampling failed', lastSuccessAt: FIXED_NOW_MS });
    // The last good value is served until it is older than maxAgeMs.
    clock.advance(5000);
    expect(await task.latest()).toBe('snapshot 1');
    clock.advance(1);
    const stale: unknown = await task.latest().catch((error: unknown) => error);
    expect(isStaleDataError(stale)).toBe(true);
    expect((stale as Error).message).toBe('the last successful run of background task sample was 5.001 s ago, more than the 5 s allowed');
  });

  it('passes on a NoDataError of the last run when nothing fresh is left to serve, as the host does', async () => {
    const { scheduler, clock } = createTestContext();
    let gpus = 0;
    const task = scheduler.every(1000, () => {
      if (gpus === 0) throw new NoDataError('no GPU on this node');
      return gpus;
    }, { maxAgeMs: 5000 });
    await scheduler.runScheduled();
    const absent: unknown = await task.latest().catch((error: unknown) => error);
    expect(isNoDataError(absent)).toBe(true);
    expect((absent as Error).message).toBe('no GPU on this node');
    gpus = 2;
    await scheduler.runScheduled();
    expect(await task.latest()).toBe(2);
    // A fresh value is still served after a run that found nothing; once it is too old, the absence is reported.
    gpus = 0;
    await scheduler.runScheduled();
    expect(await task.latest()).toBe(2);
    clock.advance(5001);
    expect(isNoDataError(await task.latest().catch((error: unknown) => error))).toBe(true);
  });

  it('records the dispatcher options asked for, hands the MockAgent back, and reads secrets relative to the config directory', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'testkit-files-'));
    try {
      await writeFile(join(directory, 'token'), 'T-secret\n');
      const context = createTestContext({ configDirectory: directory });
      expect(context.createDispatcher({ rejectUnauthorized: false, connections: 4 })).toBe(context.mockAgent);
      expect(context.dispatcherRequests).toEqual([{ rejectUnauthorized: false, connections: 4 }]);
      expect(await context.files.readSecret('token')).toBe('T-secret');
      expect(context.secrets).toEqual(['T-secret']);
      expect(context.files.resolve('ca.pem')).toBe(join(directory, 'ca.pem'));
      await context.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('makes real dispatchers, on request, with the timeouts the host gives them', async () => {
    // A server that accepts the connection and never answers: only the headers timeout ends the call.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const context = createTestContext({ realDispatchers: true });
    try {
      const dispatcher = context.createDispatcher({ headersTimeoutMs: 200 });
      expect(dispatcher).not.toBe(context.mockAgent);
      await expect(request(`http://127.0.0.1:${port}/`, { dispatcher })).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    } finally {
      await context.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('hands a MockAgent as dispatcher that refuses unmocked calls and serves mocked ones', async () => {
    const context = createTestContext();
    expect(context.dispatcher).toBe(context.mockAgent);
    await expect(request('http://127.0.0.1:9/metrics', { dispatcher: context.dispatcher })).rejects.toThrow(/mock|disabled/i);
    context.mockAgent.get('http://array.example').intercept({ path: '/api' }).reply(200, 'ok');
    const response = await request('http://array.example/api', { dispatcher: context.dispatcher });
    expect(await response.body.text()).toBe('ok');
    await context.mockAgent.close();
  });
});
