import {
  agentOptionsFor,
  ConfigError,
  isNoDataError,
  NoDataError,
  StaleDataError,
  type Clock,
  type CollectorContext,
  type DispatcherOptions,
  type FilesystemRoots,
  type Logger,
  type ScheduledTask,
  type Scheduler,
  type TaskOptions,
  type TaskState,
} from '@tessera/collector-api';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { Agent, MockAgent } from 'undici';
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
  readonly options: TaskOptions;
  readonly task: (signal: AbortSignal) => unknown;
  /** True once the collector cancelled it; cancelled tasks no longer run. */
  readonly cancelled: boolean;
  /** Its state, as the host would report it (updated by {@link ManualScheduler.runScheduled}). */
  readonly state: TaskState;
}

/** How one task's run went in {@link ManualScheduler.runScheduled}. */
export interface TaskRunOutcome {
  readonly name: string;
  readonly success: boolean;
  /** What the run threw, when it failed. */
  readonly error: unknown;
}

/**
 * A {@link Scheduler} that never runs anything by itself: it records tasks, and a test runs them
 * with {@link runScheduled}, so background sampling happens exactly when the test says. Each task
 * keeps its latest value and its state like the host's scheduler, against the test clock: after
 * `clock.advance()` past a task's `maxAgeMs`, `latest()` rejects with `StaleDataError` (or with
 * `NoDataError` when the last run found the source absent).
 */
export interface ManualScheduler extends Scheduler {
  /** Every task registered so far, cancelled ones included, in registration order. */
  readonly tasks: readonly RecordedTask[];
  /**
   * Runs every live task once, one after the other, each with a fresh signal, and records each
   * result in the task (its value for `latest()`, or its failure). Never rejects: a failed run is in
   * the outcome, in the task's state, and in the `StaleDataError` that `latest()` then throws.
   */
  runScheduled(): Promise<TaskRunOutcome[]>;
}

/** A {@link CollectorContext} whose parts a test can inspect and steer. */
export interface TestContext extends CollectorContext {
  /** Everything the collector logged, in order, with the bindings of the logger it used. */
  readonly logs: LogRecord[];
  /**
   * The undici MockAgent used as `dispatcher`, and returned by `createDispatcher()` (unless
   * overridden). Net connect is disabled, so a call without a matching intercept fails instead of
   * reaching the network.
   */
  readonly mockAgent: MockAgent;
  /** The options of every `createDispatcher()` call, in order: what TLS and connection settings the collector asked for. */
  readonly dispatcherRequests: DispatcherOptions[];
  /** Every secret the collector read with `files.readSecret()` or registered with `files.registerSecret()`. */
  readonly secrets: string[];
  readonly clock: TestClock;
  readonly scheduler: ManualScheduler;
  /** Closes the MockAgent and any real dispatcher made for the test (see `realDispatchers`). */
  close(): Promise<void>;
}

/** What {@link createTestContext} accepts: any context part, roots one by one, and test switches. */
export type TestContextOverrides = Partial<Omit<CollectorContext, 'roots'>> & {
  readonly roots?: Partial<FilesystemRoots>;
  /** The directory relative config paths are resolved against (`files`); default the working directory. */
  readonly configDirectory?: string;
  /**
   * `createDispatcher()` makes real undici Agents with the options asked for (and the host's
   * default timeouts), instead of returning the MockAgent: for a collector tested against a
   * simulator on loopback (TLS with its own CA).
   */
  readonly realDispatchers?: boolean;
};

/**
 * Builds a context for running a collector outside the host.
 *
 * Defaults: collector `test`, instance `default`; a logger recording into `logs`; a MockAgent with
 * net connect disabled as `dispatcher` and as what `createDispatcher()` returns (the options asked
 * for are recorded in `dispatcherRequests`); `files` resolving against the working directory and
 * recording secrets in `secrets`; the clock fixed at {@link FIXED_NOW_MS} (monotonic from 0) and
 * moved only by `clock.advance()`; a manual scheduler on that clock; the real `/proc`, `/sys` and `/`.
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
  const clock = createTestClock(overrides.clock);
  const dispatcherRequests: DispatcherOptions[] = [];
  const realAgents: Agent[] = [];
  const secrets: string[] = [];
  const configDirectory = overrides.configDirectory ?? process.cwd();
  const resolvePath = (path: string): string => (isAbsolute(path) ? path : resolve(configDirectory, path));
  return {
    collector,
    instance,
    logger,
    logs,
    mockAgent,
    dispatcherRequests,
    secrets,
    dispatcher: overrides.dispatcher ?? mockAgent,
    createDispatcher:
      overrides.createDispatcher ??
      ((options = {}) => {
        dispatcherRequests.push(options);
        if (overrides.realDispatchers !== true) return mockAgent;
        const agent = new Agent(agentOptionsFor(options));
        realAgents.push(agent);
        return agent;
      }),
    files: overrides.files ?? {
      resolve: resolvePath,
      readText: (path, signal) => readFile(resolvePath(path), { encoding: 'utf8', signal }),
      async readSecret(path, signal) {
        const secret = (await readFile(resolvePath(path), { encoding: 'utf8', signal })).trim();
        if (secret === '') throw new ConfigError(`secret file ${resolvePath(path)} is empty`);
        secrets.push(secret);
        return secret;
      },
      registerSecret: (value) => void secrets.push(value),
    },
    roots: {
      procfs: overrides.roots?.procfs ?? '/proc',
      sysfs: overrides.roots?.sysfs ?? '/sys',
      rootfs: overrides.roots?.rootfs ?? '/',
      udevData: overrides.roots?.udevData ?? join(overrides.roots?.rootfs ?? '/', 'run/udev/data'),
    },
    clock,
    scheduler: createManualScheduler(overrides.scheduler, clock),
    async close() {
      await Promise.all([mockAgent.close(), ...realAgents.splice(0).map((agent) => agent.close())]);
    },
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
export function createManualScheduler(delegate?: Scheduler, clock: Clock = createTestClock()): ManualScheduler {
  const tasks: ManualTask[] = [];
  return {
    tasks,
    every<T>(intervalMs: number, task: (signal: AbortSignal) => Promise<T> | T, options: TaskOptions = {}): ScheduledTask<T> {
      if (delegate !== undefined) return delegate.every(intervalMs, task, options);
      const name = options.name ?? (tasks.some((each) => each.state.name === 'sample') ? `sample-${tasks.length + 1}` : 'sample');
      const recorded = new ManualTask<T>(name, intervalMs, task, options, clock);
      tasks.push(recorded);
      return recorded;
    },
    async runScheduled() {
      const outcomes: TaskRunOutcome[] = [];
      for (const recorded of tasks) if (!recorded.cancelled) outcomes.push(await recorded.run());
      return outcomes;
    },
  };
}

/** One task of a {@link ManualScheduler}: run by the test, its value and state kept as the host keeps them. */
class ManualTask<T = unknown> implements RecordedTask, ScheduledTask<T> {
  readonly intervalMs: number;
  readonly runImmediately: boolean;
  readonly options: TaskOptions;
  readonly task: (signal: AbortSignal) => Promise<T> | T;
  cancelled = false;
  readonly #name: string;
  readonly #clock: Clock;
  #value: { readonly value: T; readonly at: number } | undefined;
  #lastError: string | undefined;
  #lastRunFoundNoData = false;
  #failures = 0;
  #lastDurationSeconds: number | undefined;

  constructor(name: string, intervalMs: number, task: (signal: AbortSignal) => Promise<T> | T, options: TaskOptions, clock: Clock) {
    this.#name = name;
    this.intervalMs = intervalMs;
    this.task = task;
    this.options = options;
    this.runImmediately = options.runImmediately ?? true;
    this.#clock = clock;
  }

  get #maxAgeMs(): number {
    return this.options.maxAgeMs ?? 3 * this.intervalMs + (this.options.timeoutMs ?? Math.min(this.intervalMs, 60_000));
  }

  get state(): TaskState {
    return {
      name: this.#name,
      intervalMs: this.intervalMs,
      running: false,
      abandonedRuns: 0,
      lastSuccessAt: this.#value?.at,
      lastDurationSeconds: this.#lastDurationSeconds,
      lastError: this.#lastError,
      consecutiveFailures: this.#failures,
      nextRunAt: this.cancelled ? undefined : this.#clock.now() + this.intervalMs,
    };
  }

  async run(): Promise<TaskRunOutcome> {
    const started = this.#clock.monotonic();
    try {
      const value = await this.task(new AbortController().signal);
      this.#value = { value, at: this.#clock.now() };
      this.#lastError = undefined;
      this.#lastRunFoundNoData = false;
      this.#failures = 0;
      return { name: this.#name, success: true, error: undefined };
    } catch (error) {
      this.#lastError = error instanceof Error ? error.message : String(error);
      this.#lastRunFoundNoData = isNoDataError(error);
      this.#failures++;
      return { name: this.#name, success: false, error };
    } finally {
      this.#lastDurationSeconds = (this.#clock.monotonic() - started) / 1000;
    }
  }

  cancel(): void {
    this.cancelled = true;
  }

  latest(signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const current = this.#value;
    const ageMs = current === undefined ? Infinity : this.#clock.now() - current.at;
    // As the host does: nothing fresh because the source is absent is NoDataError, not StaleDataError.
    if (ageMs > this.#maxAgeMs && this.#lastRunFoundNoData) return Promise.reject(new NoDataError(this.#lastError ?? 'no data'));
    if (current === undefined) {
      const reason = this.#lastError === undefined ? ' (the test has not run it: call scheduler.runScheduled())' : `: ${this.#lastError}`;
      return Promise.reject(new StaleDataError(`background task ${this.#name} has not succeeded yet${reason}`, { ageSeconds: undefined }));
    }
    if (ageMs > this.#maxAgeMs) {
      return Promise.reject(
        new StaleDataError(`the last successful run of background task ${this.#name} was ${ageMs / 1000} s ago, more than the ${this.#maxAgeMs / 1000} s allowed`, { ageSeconds: ageMs / 1000 }),
      );
    }
    return Promise.resolve(current.value);
  }
}
