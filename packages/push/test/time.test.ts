import { afterEach, describe, expect, test, vi } from 'vitest';
import { createJob, MetricDefinitionError, type Clock, type Job } from '../src/index.js';
import { captureLogger } from './helpers.js';

/** A clock the test moves by hand. */
function manualClock(start: { monotonic: number; wall: number }): Clock & { advance(monotonicMs: number, wallMs: number): void } {
  let monotonic = start.monotonic;
  let wall = start.wall;
  return {
    monotonicMilliseconds: () => monotonic,
    wallMilliseconds: () => wall,
    advance(monotonicMs, wallMs) {
      monotonic += monotonicMs;
      wall += wallMs;
    },
  };
}

function newJob(clock?: Clock): Job {
  return createJob({ job: 'timing', gateway: 'http://127.0.0.1:9', logger: captureLogger().logger, ...(clock === undefined ? {} : { clock }) });
}

/** `_sum` and `_count` of a timer, and its failures counter, read from the job's registry. */
async function timerValues(job: Job, name: string): Promise<{ sum: number; count: number; failures: number }> {
  const duration = await job.registry.getSingleMetric(`timing_${name}_duration_seconds`)!.get();
  const failures = await job.registry.getSingleMetric(`timing_${name}_failures_total`)!.get();
  const valueOf = (suffix: string): number => duration.values.find((entry) => (entry as { metricName?: string }).metricName === `timing_${name}_duration_seconds${suffix}`)?.value ?? NaN;
  return { sum: valueOf('_sum'), count: valueOf('_count'), failures: failures.values[0]?.value ?? NaN };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('time()', () => {
  test('the wall clock stepping back an hour mid-run does not affect the duration (monotonic clock)', async () => {
    const clock = manualClock({ monotonic: 1000, wall: Date.UTC(2026, 0, 1) });
    const job = newJob(clock);
    const result = await job.time('train', async () => {
      clock.advance(1500, -3_600_000);
      await Promise.resolve();
      return 'model.pt';
    });
    expect(result).toBe('model.pt');
    expect(await timerValues(job, 'train')).toEqual({ sum: 1.5, count: 1, failures: 0 });
  });

  test('with the real clocks, Date.now() stepping backwards never yields a negative duration', async () => {
    let wall = Date.now();
    vi.spyOn(Date, 'now').mockImplementation(() => (wall -= 60_000));
    const job = newJob();
    await job.time('step', () => new Promise((resolve) => setTimeout(resolve, 20)));
    job.time('step', () => Date.now());
    const { sum, count } = await timerValues(job, 'step');
    expect(count).toBe(2);
    expect(sum).toBeGreaterThanOrEqual(0.015);
    expect(sum).toBeLessThan(5);
  });

  test('even an injected clock that goes backwards records zero, never a negative duration', async () => {
    const clock = manualClock({ monotonic: 5000, wall: 0 });
    const job = newJob(clock);
    job.time('backwards', () => clock.advance(-2000, 0));
    expect(await timerValues(job, 'backwards')).toEqual({ sum: 0, count: 1, failures: 0 });
  });

  test('a synchronous function: its value comes back synchronously', async () => {
    const clock = manualClock({ monotonic: 0, wall: 0 });
    const job = newJob(clock);
    const value: number = job.time('sum_up', () => {
      clock.advance(250, 250);
      return 42;
    });
    expect(value).toBe(42);
    expect(await timerValues(job, 'sum_up')).toEqual({ sum: 0.25, count: 1, failures: 0 });
  });

  test('a promise can be timed directly', async () => {
    const clock = manualClock({ monotonic: 0, wall: 0 });
    const job = newJob(clock);
    const download = new Promise<string>((resolve) =>
      setTimeout(() => {
        clock.advance(700, 700);
        resolve('shard-0001');
      }, 5),
    );
    expect(await job.time('download', download)).toBe('shard-0001');
    expect(await timerValues(job, 'download')).toEqual({ sum: 0.7, count: 1, failures: 0 });
  });

  test('a synchronous throw is recorded as a failure and rethrown unchanged', async () => {
    const job = newJob(manualClock({ monotonic: 0, wall: 0 }));
    const error = new RangeError('shape mismatch');
    let caught: unknown;
    try {
      job.time('preprocess', (): number => {
        throw error;
      });
    } catch (thrown) {
      caught = thrown;
    }
    expect(caught).toBe(error);
    expect(await timerValues(job, 'preprocess')).toMatchObject({ count: 1, failures: 1 });
  });

  test('a rejection is recorded as a failure and the same reason comes back, even a non-Error', async () => {
    const job = newJob(manualClock({ monotonic: 0, wall: 0 }));
    const error = Object.assign(new Error('CUDA out of memory'), { code: 'OOM' });
    await expect(job.time('train', () => Promise.reject(error))).rejects.toBe(error);
    const reason = { status: 'preempted' };
    await expect(job.time('train', Promise.reject(reason as unknown as Error))).rejects.toBe(reason);
    expect(await timerValues(job, 'train')).toMatchObject({ count: 2, failures: 2 });
  });

  test('a bad timer name fails at once with MetricDefinitionError', () => {
    const job = newJob();
    expect(() => job.time('bad-name', () => 1)).toThrow(MetricDefinitionError);
  });
});

describe('the @job.timed() TC39 method decorator', () => {
  test('times every call, keeps `this` and arguments, names the timer after the method', async () => {
    const clock = manualClock({ monotonic: 0, wall: 0 });
    const job = newJob(clock);

    class Trainer {
      readonly epochs: number[] = [];

      @job.timed()
      async trainEpoch(epoch: number): Promise<number> {
        clock.advance(2000, 2000);
        await Promise.resolve();
        this.epochs.push(epoch);
        return epoch * 10;
      }

      @job.timed('checkpoint')
      save(path: string): string {
        clock.advance(100, 100);
        return `saved ${path}`;
      }

      @job.timed()
      loadHTTPData(): never {
        throw new TypeError('no network');
      }
    }

    const trainer = new Trainer();
    expect(await trainer.trainEpoch(1)).toBe(10);
    expect(await trainer.trainEpoch(2)).toBe(20);
    expect(trainer.epochs).toEqual([1, 2]);
    expect(trainer.save('/ckpt/1')).toBe('saved /ckpt/1');
    expect(() => trainer.loadHTTPData()).toThrow(TypeError);
    expect(await timerValues(job, 'train_epoch')).toEqual({ sum: 4, count: 2, failures: 0 });
    expect(await timerValues(job, 'checkpoint')).toEqual({ sum: 0.1, count: 1, failures: 0 });
    expect(await timerValues(job, 'load_http_data')).toMatchObject({ count: 1, failures: 1 });
  });

  test('a private method is timed under its name without the "#"', async () => {
    const job = newJob();
    class Trainer {
      run(): number {
        return this.#evaluateModel();
      }

      @job.timed()
      #evaluateModel(): number {
        return 0.9;
      }
    }
    expect(new Trainer().run()).toBe(0.9);
    expect(await timerValues(job, 'evaluate_model')).toMatchObject({ count: 1, failures: 0 });
  });

  test('a decorator with an invalid timer name fails when the class is defined', () => {
    const job = newJob();
    expect(() => {
      class Broken {
        @job.timed('not valid')
        run(): void {}
      }
      return Broken;
    }).toThrow(MetricDefinitionError);
  });
});

describe('succeed() and fail()', () => {
  test('set the outcome timestamps from the wall clock', async () => {
    const clock = manualClock({ monotonic: 0, wall: 1_800_000_000_000 });
    const job = newJob(clock);
    job.succeed();
    clock.advance(10_000, 10_000);
    job.fail(new Error('diverged'));
    const read = async (name: string) => (await job.registry.getSingleMetric(`timing_${name}`)!.get()).values[0]?.value;
    expect(await read('last_success_timestamp_seconds')).toBe(1_800_000_000);
    expect(await read('last_failure_timestamp_seconds')).toBe(1_800_000_010);
    expect(await read('last_completion_timestamp_seconds')).toBe(1_800_000_010);
  });

  test('before either is called, no outcome series exists (a push must not zero the last success)', async () => {
    const job = newJob();
    job.gauge({ name: 'loss', help: 'Loss.' }).set(1);
    expect(await job.metrics()).not.toContain('timestamp_seconds');
  });
});

describe('time() into a histogram', () => {
  test('a histogram declared under the timer name takes the durations, in duration buckets by default', async () => {
    const clock = manualClock({ monotonic: 0, wall: 0 });
    const job = newJob(clock);
    job.histogram({ name: 'train_duration_seconds', help: 'Time per training epoch.' });
    await job.time('train', async () => {
      clock.advance(2400_000, 2400_000);
      await Promise.resolve();
    });
    job.time('train', () => clock.advance(45_000, 45_000));
    const text = await job.metrics();
    expect(text).toContain('# TYPE timing_train_duration_seconds histogram\n');
    expect(text).toContain('timing_train_duration_seconds_bucket{le="30"} 0\n');
    expect(text).toContain('timing_train_duration_seconds_bucket{le="60"} 1\n');
    expect(text).toContain('timing_train_duration_seconds_bucket{le="1800"} 1\n');
    expect(text).toContain('timing_train_duration_seconds_bucket{le="3600"} 2\n');
    expect(text).toContain('timing_train_duration_seconds_sum 2445\ntiming_train_duration_seconds_count 2\n');
    expect(text).toContain('timing_train_failures_total 0\n');
  });

  test('declaring the histogram after the timer already made its summary is refused', () => {
    const job = newJob();
    job.time('load', () => 1);
    expect(() => job.histogram({ name: 'load_duration_seconds', help: 'Load time.' })).toThrow(/already declared as a summary/);
  });
});

describe('inProgress()', () => {
  test('the gauge counts runs in progress, for sync and async work, and is back to 0 after a throw', async () => {
    const job = newJob();
    const read = async (): Promise<number | undefined> => (await job.registry.getSingleMetric('timing_evaluate_in_progress')?.get())?.values[0]?.value;
    const seen: (number | undefined)[] = [];
    expect(job.inProgress('evaluate', () => 0.93)).toBe(0.93);
    seen.push(await read());
    let release = (): void => undefined;
    const running = job.inProgress('evaluate', new Promise<void>((resolve) => (release = resolve)));
    const alsoRunning = job.inProgress('evaluate', async () => {
      seen.push(await read());
      release();
    });
    await Promise.all([running, alsoRunning]);
    expect(seen).toEqual([0, 2]);
    expect(() =>
      job.inProgress('evaluate', () => {
        throw new Error('eval crashed');
      }),
    ).toThrow('eval crashed');
    expect(await read()).toBe(0);
  });

  test('without work it returns the function that ends the run; calling that twice counts once', async () => {
    const job = newJob();
    const done = job.inProgress('download');
    expect(await job.metrics()).toContain('timing_download_in_progress 1\n');
    done();
    done();
    expect(await job.metrics()).toContain('timing_download_in_progress 0\n');
  });
});
