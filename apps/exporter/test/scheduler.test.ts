import { setTimeout as delay } from 'node:timers/promises';
import { isNoDataError, isStaleDataError, NoDataError } from '@tessera/collector-api';
import { describe, expect, it } from 'vitest';
import { createScheduler } from '../src/runtime/scheduler.js';
import { captureLogger } from './helpers.js';

const wallClock = { now: () => Date.now(), monotonic: () => performance.now() };

/** Waits until `condition` holds, polling; fails the test after `limitMs`. */
async function until(condition: () => boolean, limitMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error('condition not reached in time');
    await delay(5);
  }
}

describe('the scheduler handed to collectors', () => {
  it('never overlaps a task with itself (a run longer than the interval delays the next), keeps going after errors, and stops on cancel', async () => {
    const scheduler = createScheduler({ logger: captureLogger().logger, clock: wallClock });
    let running = 0;
    let maximum = 0;
    let runs = 0;
    const task = scheduler.every(5, async () => {
      runs++;
      running++;
      maximum = Math.max(maximum, running);
      await delay(15);
      running--;
      if (runs === 1) throw new Error('first run fails');
      return runs;
    }, { timeoutMs: 1000 });
    await until(() => runs >= 4);
    task.cancel();
    const after = runs;
    await delay(60);
    expect(maximum).toBe(1);
    expect(runs).toBe(after);
  });

  it('abandons a run that never settles at its timeout, starts the next, and logs the failure once, the repeats at debug, the recovery at info', async () => {
    const { logger, records } = captureLogger('debug');
    const scheduler = createScheduler({ logger, clock: wallClock, random: () => 0.5 });
    let runs = 0;
    const signals: AbortSignal[] = [];
    const task = scheduler.every(
      20,
      (signal) => {
        runs++;
        signals.push(signal);
        // Ignores its signal on purpose: a hung driver call that cannot be cancelled.
        return new Promise<string>(() => undefined);
      },
      { name: 'poll', timeoutMs: 30 },
    );
    await until(() => task.state.consecutiveFailures >= 2);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(signals[0]?.aborted).toBe(true);
    expect(task.state).toMatchObject({ name: 'poll', lastError: 'run timed out after 0.03 s', lastSuccessAt: undefined });
    expect(task.state.abandonedRuns).toBe(2);
    // With two runs hung, ticks fail at once instead of starting a third.
    await until(() => task.state.consecutiveFailures >= 3);
    expect(runs).toBe(2);
    expect(task.state.lastError).toMatch(/2 earlier runs passed their 0.03 s timeout/);
    const warnings = records.filter((record) => record.level === 'warn');
    expect(warnings.map((record) => record.msg)).toEqual(['background task poll failed: run timed out after 0.03 s (repeats are logged at debug level)']);
    expect(records.filter((record) => record.level === 'debug' && String(record.msg).startsWith('background task poll failed again')).length).toBeGreaterThanOrEqual(1);
    task.cancel();
  });

  it('starts the next run after a hung one and recovers, logging the recovery at info', async () => {
    const { logger, records } = captureLogger('debug');
    const scheduler = createScheduler({ logger, clock: wallClock, random: () => 0.5 });
    let runs = 0;
    const task = scheduler.every(20, () => (++runs === 1 ? new Promise<number>(() => undefined) : Promise.resolve(runs)), { name: 'poll', timeoutMs: 30 });
    await until(() => task.state.lastSuccessAt !== undefined);
    expect(runs).toBe(2);
    expect(await task.latest()).toBe(2);
    expect(task.state).toMatchObject({ consecutiveFailures: 0, lastError: undefined, abandonedRuns: 1 });
    expect(records.filter((record) => record.level === 'info').map((record) => record.msg)).toContain('background task poll recovered after 1 failed run');
    task.cancel();
  });

  it('backs off after consecutive failures, with jitter, but never below the interval', async () => {
    const scheduler = createScheduler({ logger: captureLogger().logger, clock: wallClock, random: () => 0 });
    const starts: number[] = [];
    const task = scheduler.every(10, () => {
      starts.push(performance.now());
      throw new Error('down');
    });
    await until(() => starts.length >= 5, 10_000);
    task.cancel();
    const gaps = starts.slice(1).map((start, index) => start - (starts[index] as number));
    // Failures 1, 2, 3, 4 → gaps of about 10, 16, 32, 64 ms (2^(n-1) × 10 ms × 0.8 jitter, at least one interval).
    // Node's timers run on the loop's cached clock and may fire a millisecond or two early by performance.now().
    expect(gaps[0]).toBeGreaterThanOrEqual(7);
    expect(gaps[2] as number).toBeGreaterThan(gaps[0] as number);
    expect(gaps[3]).toBeGreaterThanOrEqual(58);
  });

  it('serves the latest value, waits for the first run, and refuses a value older than maxAgeMs', async () => {
    let now = 1_000_000;
    const clock = { now: () => now, monotonic: () => performance.now() };
    const scheduler = createScheduler({ logger: captureLogger().logger, clock });
    let value = 0;
    let fail = false;
    const task = scheduler.every(
      60_000,
      async () => {
        await delay(20);
        if (fail) throw new Error('source down');
        return ++value;
      },
      { maxAgeMs: 5000 },
    );
    // Asked before the first run finished: waits for it.
    expect(await task.latest()).toBe(1);
    now += 4000;
    expect(await task.latest()).toBe(1);
    now += 2000;
    fail = true;
    const error: unknown = await task.latest().catch((caught: unknown) => caught);
    expect(isStaleDataError(error)).toBe(true);
    expect((error as Error).message).toBe('the last successful run of background task sample was 6 s ago, more than the 5 s allowed');
    task.cancel();
  });

  it('says why when no run ever succeeded, and gives up waiting when the caller’s signal fires', async () => {
    const scheduler = createScheduler({ logger: captureLogger().logger, clock: wallClock });
    const failing = scheduler.every(60_000, () => Promise.reject(new Error('connection refused')), { name: 'failing' });
    await expect(failing.latest()).rejects.toThrow('background task failing has not succeeded yet: connection refused');
    const slow = scheduler.every(60_000, () => new Promise(() => undefined), { name: 'slow', timeoutMs: 60_000 });
    const started = performance.now();
    await expect(slow.latest(AbortSignal.timeout(50))).rejects.toThrow(/timeout|aborted/i);
    expect(performance.now() - started).toBeLessThan(2000);
    scheduler.cancelAll();
  });

  it('passes on NoDataError when the source is absent and nothing fresh is left, logs it at debug, and warns when a real fault follows', async () => {
    let now = 1_000_000;
    const clock = { now: () => now, monotonic: () => performance.now() };
    const { logger, records } = captureLogger('debug');
    const scheduler = createScheduler({ logger, clock, random: () => 0.5 });
    let mode: 'absent' | 'present' | 'broken' = 'absent';
    let runs = 0;
    const task = scheduler.every(
      20,
      () => {
        runs++;
        if (mode === 'absent') throw new NoDataError('NVML reports no GPU on this node');
        if (mode === 'broken') throw new Error('nvmlInit_v2: Unknown Error');
        return 'snapshot';
      },
      { name: 'gpus', maxAgeMs: 5000 },
    );
    const absent: unknown = await task.latest().catch((error: unknown) => error);
    expect(isNoDataError(absent)).toBe(true);
    expect((absent as Error).message).toBe('NVML reports no GPU on this node');
    await until(() => runs >= 3);
    expect(records.filter((record) => record.level === 'warn')).toEqual([]);
    expect(records.filter((record) => record.level === 'debug' && record.msg === 'background task gpus found no data: NVML reports no GPU on this node').length).toBeGreaterThanOrEqual(3);

    mode = 'present';
    await until(() => task.state.lastSuccessAt !== undefined);
    expect(await task.latest()).toBe('snapshot');
    // A run that finds nothing does not hide a fresh value; once that is too old, the absence is reported.
    mode = 'absent';
    await until(() => task.state.consecutiveFailures >= 1);
    expect(await task.latest()).toBe('snapshot');
    now += 6000;
    expect(isNoDataError(await task.latest().catch((error: unknown) => error))).toBe(true);

    mode = 'broken';
    await until(() => task.state.lastError === 'nvmlInit_v2: Unknown Error');
    expect(records.filter((record) => record.level === 'warn').map((record) => record.msg)).toEqual(['background task gpus failed: nvmlInit_v2: Unknown Error (repeats are logged at debug level)']);
    expect(isStaleDataError(await task.latest().catch((error: unknown) => error))).toBe(true);
    task.cancel();
  });

  it('spreads tasks over their first interval when they do not run at once, and names them uniquely', () => {
    const scheduler = createScheduler({ logger: captureLogger().logger, clock: wallClock, random: () => 0.25 });
    const before = Date.now();
    const task = scheduler.every(40_000, () => 1, { runImmediately: false });
    expect(task.state.name).toBe('sample');
    expect(task.state.nextRunAt).toBeGreaterThanOrEqual(before + 10_000);
    expect(task.state.nextRunAt).toBeLessThanOrEqual(Date.now() + 10_000);
    expect(scheduler.every(1000, () => 1, { runImmediately: false }).state.name).toBe('sample-2');
    expect(() => scheduler.every(1000, () => 1, { name: 'sample' })).toThrow(/already exists/);
    expect(scheduler.states().map((state) => state.name)).toEqual(['sample', 'sample-2']);
    scheduler.cancelAll();
  });

  it('aborts the signal of a running task and refuses new tasks once cancelAll ran', async () => {
    const scheduler = createScheduler({ logger: captureLogger().logger, clock: wallClock });
    let seen: AbortSignal | undefined;
    scheduler.every(1000, (signal) => {
      seen = signal;
      return delay(50);
    });
    await until(() => seen !== undefined);
    scheduler.cancelAll();
    expect(seen?.aborted).toBe(true);
    expect(() => scheduler.every(10, () => undefined)).toThrow(/closed/);
    expect(scheduler.states()).toEqual([]);
  });
});
