import type { Clock, CollectorContext, FilesystemRoots, Logger, ScheduledTask, Scheduler } from '@tessera/collector-api';
import { join } from 'node:path';
import { MockAgent } from 'undici';
import { createRecordingLogger, type LogRecord } from './recording-logger.js';

/** Wall-clock milliseconds every test context starts at (2023-11-14T22:13:20Z), so outputs are deterministic. */
export const FIXED_NOW_MS = 1_700_000_000_000;

/** A {@link Clock} that stands still until a test moves it. */
export interface TestClock extends Clock {
  /** Moves both the wall clock and the monotonic clock forward by `milliseconds`. */
  advance(milliseconds: number): void;
}

/** A task registered through {@link ManualScheduler.every}. */
export interface RecordedTask {
  readonly intervalMs: number;
  readonly runImmediately: boolean;
  readonly task: (signal: AbortSignal) => Promise<void> | void;
  /** True once the collector cancelled it; cancelled tasks no longer run. */
  readonly cancelled: boolean;
}

/**
 * A {@link Scheduler} that never runs anything by itself: it records tasks, and a test runs them
 * with {@link runScheduled}, so background sampling happens exactly when the test says.
 */
export interface ManualScheduler extends Scheduler {
  /** Every task registered so far, cancelled ones included, in registration order. */
  readonly tasks: readonly RecordedTask[];
  /**
   * Runs every live task once, one after the other, each with a fresh signal. A task that throws
   * rejects the returned promise: in a test a failing background task is a failure, not a log line.
   */
  runScheduled(): Promise<void>;
}

/** A {@link CollectorContext} whose parts a test can inspect and steer. */
export interface TestContext extends CollectorContext {
  /** Everything the collector logged, in order, with the bindings of the logger it used. */
  readonly logs: LogRecord[];
  /**
   * The undici MockAgent used as `dispatcher` (unless overridden). Net connect is disabled, so a call
   * without a matching intercept fails instead of reaching the network.
   */
  readonly mockAgent: MockAgent;
  readonly clock: TestClock;
  readonly scheduler: ManualScheduler;
}

/** What {@link createTestContext} accepts: any context part, and roots one by one. */
export type TestContextOverrides = Partial<Omit<CollectorContext, 'roots'>> & { readonly roots?: Partial<FilesystemRoots> };

/**
 * Builds a context for running a collector outside the host.
 *
 * Defaults: collector `test`, instance `default`; a logger recording into `logs`; a MockAgent with
 * net connect disabled as dispatcher; the clock fixed at {@link FIXED_NOW_MS} (monotonic from 0) and
 * moved only by `clock.advance()`; a manual scheduler; the real `/proc`, `/sys` and `/`.
 * An overridden clock keeps `advance()` (it adds an offset); an overridden scheduler is used as
 * given and the manual scheduler then records nothing.
 */
export function createTestContext(overrides: TestContextOverrides = {}): TestContext {
  const collector = overrides.collector ?? 'test';
  const instance = overrides.instance ?? 'default';
  const logs: LogRecord[] = [];
  const mockAgent = new MockAgent();
  mockAgent.disableNetConnect();
  const logger: Logger = overrides.logger ?? createRecordingLogger(logs, { collector, instance });
  return {
    collector,
    instance,
    logger,
    logs,
    mockAgent,
    dispatcher: overrides.dispatcher ?? mockAgent,
    roots: {
      procfs: overrides.roots?.procfs ?? '/proc',
      sysfs: overrides.roots?.sysfs ?? '/sys',
      rootfs: overrides.roots?.rootfs ?? '/',
      udevData: overrides.roots?.udevData ?? join(overrides.roots?.rootfs ?? '/', 'run/udev/data'),
    },
    clock: createTestClock(overrides.clock),
    scheduler: createManualScheduler(overrides.scheduler),
  };
}

/** A clock that stands still at {@link FIXED_NOW_MS}, or `base` shifted by the time advanced so far. */
export function createTestClock(base?: Clock): TestClock {
  let offset = 0;
  return {
    now: () => (base === undefined ? FIXED_NOW_MS : base.now()) + offset,
    monotonic: () => (base === undefined ? 0 : base.monotonic()) + offset,
    advance(milliseconds: number) {
      if (!(milliseconds >= 0)) throw new RangeError(`clock.advance(${milliseconds}): time only moves forward`);
      offset += milliseconds;
    },
  };
}

/** A scheduler that records tasks; see {@link ManualScheduler}. With `delegate`, tasks go there instead. */
export function createManualScheduler(delegate?: Scheduler): ManualScheduler {
  const tasks: (RecordedTask & { cancelled: boolean })[] = [];
  return {
    tasks,
    every(intervalMs, task, options): ScheduledTask {
      if (delegate !== undefined) return delegate.every(intervalMs, task, options);
      const recorded = { intervalMs, task, runImmediately: options?.runImmediately ?? false, cancelled: false };
      tasks.push(recorded);
      return {
        cancel() {
          recorded.cancelled = true;
        },
      };
    },
    async runScheduled() {
      for (const recorded of tasks) {
        if (!recorded.cancelled) await recorded.task(new AbortController().signal);
      }
    },
  };
}
