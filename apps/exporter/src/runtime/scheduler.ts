import {
  CollectorTimeoutError,
  isNoDataError,
  NoDataError,
  StaleDataError,
  type Clock,
  type Logger,
  type ScheduledTask,
  type Scheduler,
  type TaskOptions,
  type TaskState,
} from '@tessera/collector-api';
import { errorMessage } from './error-message.js';
import { settleWithin } from './settle-within.js';

/** A {@link Scheduler} whose tasks the host can see and cancel all at once (before the collector closes). */
export interface OwnedScheduler extends Scheduler {
  /** Cancels every task started through this scheduler; later `every()` calls are refused. */
  cancelAll(): void;
  /** The state of every live task, in creation order. */
  states(): TaskState[];
}

// A run is abandoned at its timeout; while this many abandoned runs are still pending, a tick
// fails at once instead of starting another run that would most likely hang the same way (a hung
// driver call holds a thread of libuv's small pool each time).
const MAX_ABANDONED_RUNS = 2;
const MAX_DEFAULT_TIMEOUT_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
// Node timers fire at once past 2^31 - 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Options of {@link createScheduler}. */
export interface SchedulerOptions {
  readonly logger: Logger;
  readonly clock: Clock;
  /** A number in [0, 1), for jitter; `Math.random` by default. */
  readonly random?: () => number;
}

/**
 * The scheduler handed to one collector instance (see `Scheduler` in the contract for what it
 * guarantees). Timers are unref'd, so a task never keeps the process alive.
 */
export function createScheduler(options: SchedulerOptions): OwnedScheduler {
  const tasks = new Set<BackgroundTask<unknown>>();
  const usedNames = new Set<string>();
  let closed = false;

  const every = <T>(intervalMs: number, run: (signal: AbortSignal) => Promise<T> | T, taskOptions: TaskOptions = {}): ScheduledTask<T> => {
    if (closed) throw new Error('the scheduler is closed: the collector is shutting down');
    if (!(intervalMs > 0) || intervalMs > MAX_TIMER_MS) throw new RangeError(`interval must be between 1 ms and ${MAX_TIMER_MS} ms, received ${intervalMs}`);
    const name = taskOptions.name ?? defaultName(usedNames);
    if (usedNames.has(name)) throw new Error(`a background task named ${JSON.stringify(name)} already exists in this collector`);
    const timeoutMs = taskOptions.timeoutMs ?? Math.min(intervalMs, MAX_DEFAULT_TIMEOUT_MS);
    if (!(timeoutMs > 0) || timeoutMs > MAX_TIMER_MS) throw new RangeError(`timeoutMs must be between 1 ms and ${MAX_TIMER_MS} ms, received ${timeoutMs}`);
    const maxAgeMs = taskOptions.maxAgeMs ?? 3 * intervalMs + timeoutMs;
    if (!(maxAgeMs > 0)) throw new RangeError(`maxAgeMs must be a positive number of milliseconds, received ${maxAgeMs}`);
    usedNames.add(name);
    const task = new BackgroundTask<T>({
      name,
      intervalMs,
      timeoutMs,
      maxAgeMs,
      run,
      logger: options.logger.child({ task: name }),
      clock: options.clock,
      random: options.random ?? Math.random,
      onCancel: () => tasks.delete(task),
    });
    tasks.add(task);
    task.start(taskOptions.runImmediately ?? true);
    return task;
  };

  return {
    every,
    cancelAll() {
      closed = true;
      for (const task of [...tasks]) task.cancel();
    },
    states: () => [...tasks].map((task) => task.state),
  };
}

function defaultName(used: ReadonlySet<string>): string {
  if (!used.has('sample')) return 'sample';
  let index = 2;
  while (used.has(`sample-${index}`)) index++;
  return `sample-${index}`;
}

interface TaskSettings<T> {
  readonly name: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly maxAgeMs: number;
  readonly run: (signal: AbortSignal) => Promise<T> | T;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly onCancel: () => void;
}

/** One recurring task: its runs, their timeouts and back-off, its last value and its health. */
class BackgroundTask<T> implements ScheduledTask<T> {
  readonly #settings: TaskSettings<T>;
  readonly #cancelled = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #nextRunAt: number | undefined;
  #running = false;
  #abandoned = 0;
  #value: { readonly value: T; readonly at: number } | undefined;
  #lastDurationSeconds: number | undefined;
  #lastError: string | undefined;
  /** The last run failed with `NoDataError`: the source is absent, which `latest()` passes on as such. */
  #lastRunFoundNoData = false;
  #consecutiveFailures = 0;
  /** Settles when the first run has (successfully or not), for `latest()` callers that arrive before it. */
  readonly #firstSettled: Promise<void>;
  #settleFirst: () => void = () => undefined;
  #settledOnce = false;

  constructor(settings: TaskSettings<T>) {
    this.#settings = settings;
    this.#firstSettled = new Promise((resolve) => {
      this.#settleFirst = resolve;
    });
  }

  start(runImmediately: boolean): void {
    // Without an immediate run, many instances' tasks spread over their first interval instead of
    // all polling their sources in the same millisecond.
    this.#schedule(runImmediately ? 0 : this.#settings.random() * this.#settings.intervalMs);
  }

  get state(): TaskState {
    return {
      name: this.#settings.name,
      intervalMs: this.#settings.intervalMs,
      running: this.#running,
      abandonedRuns: this.#abandoned,
      lastSuccessAt: this.#value?.at,
      lastDurationSeconds: this.#lastDurationSeconds,
      lastError: this.#lastError,
      consecutiveFailures: this.#consecutiveFailures,
      nextRunAt: this.#cancelled.signal.aborted ? undefined : this.#nextRunAt,
    };
  }

  async latest(signal?: AbortSignal): Promise<T> {
    if (!this.#settledOnce) await untilSettledOrAborted(this.#firstSettled, signal, this.#cancelled.signal);
    const current = this.#value;
    const name = this.#settings.name;
    const stale = current === undefined || this.#settings.clock.now() - current.at > this.#settings.maxAgeMs;
    // Nothing fresh to serve because the source is absent (no GPU on this node): say that, not "stale".
    if (stale && this.#lastRunFoundNoData && this.#lastError !== undefined && !this.#cancelled.signal.aborted) {
      signal?.throwIfAborted();
      throw new NoDataError(this.#lastError);
    }
    if (current === undefined) {
      signal?.throwIfAborted();
      if (this.#cancelled.signal.aborted) throw new Error(`background task ${name} was cancelled`);
      throw new StaleDataError(`background task ${name} has not succeeded yet${this.#lastError === undefined ? '' : `: ${this.#lastError}`}`, { ageSeconds: undefined });
    }
    const ageMs = this.#settings.clock.now() - current.at;
    if (ageMs > this.#settings.maxAgeMs) {
      const age = Math.round(ageMs) / 1000;
      throw new StaleDataError(
        `the last successful run of background task ${name} was ${age} s ago, more than the ${this.#settings.maxAgeMs / 1000} s allowed${this.#lastError === undefined ? '' : `; last error: ${this.#lastError}`}`,
        { ageSeconds: ageMs / 1000 },
      );
    }
    return current.value;
  }

  cancel(): void {
    if (this.#cancelled.signal.aborted) return;
    this.#cancelled.abort(new Error(`background task ${this.#settings.name} cancelled`));
    clearTimeout(this.#timer);
    this.#settleFirst();
    this.#settings.onCancel();
  }

  #schedule(delayMs: number): void {
    if (this.#cancelled.signal.aborted) return;
    const delay = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    this.#nextRunAt = this.#settings.clock.now() + delay;
    this.#timer = setTimeout(() => this.#tick(), delay);
    this.#timer.unref();
  }

  #tick(): void {
    if (this.#cancelled.signal.aborted) return;
    if (this.#abandoned >= MAX_ABANDONED_RUNS) {
      this.#fail(`${this.#abandoned} earlier runs passed their ${this.#settings.timeoutMs / 1000} s timeout and have not returned yet; not starting another`, 0);
      this.#scheduleAfterRun(0);
      return;
    }
    void this.#runOnce();
  }

  async #runOnce(): Promise<void> {
    const { clock, timeoutMs } = this.#settings;
    const controller = new AbortController();
    const onCancel = (): void => controller.abort(this.#cancelled.signal.reason);
    this.#cancelled.signal.addEventListener('abort', onCancel, { once: true });
    const started = clock.monotonic();
    this.#running = true;
    const outcome = await settleWithin(() => this.#settings.run(controller.signal), timeoutMs, 'the task failed without a reason');
    this.#running = false;
    const elapsedMs = clock.monotonic() - started;
    if (this.#cancelled.signal.aborted) return;

    if ('abandoned' in outcome) {
      const error = new CollectorTimeoutError(`run timed out after ${timeoutMs / 1000} s`, { timeoutMs });
      controller.abort(error);
      this.#abandoned++;
      void outcome.abandoned.then(
        () => this.#abandonedRunSettled(controller, onCancel),
        () => this.#abandonedRunSettled(controller, onCancel),
      );
      this.#fail(error.message, elapsedMs);
    } else {
      this.#cancelled.signal.removeEventListener('abort', onCancel);
      if ('error' in outcome) this.#fail(errorMessage(outcome.error), elapsedMs, isNoDataError(outcome.error));
      else this.#succeed(outcome.value, elapsedMs);
    }
    this.#scheduleAfterRun(elapsedMs);
  }

  #abandonedRunSettled(controller: AbortController, onCancel: () => void): void {
    this.#abandoned--;
    this.#cancelled.signal.removeEventListener('abort', onCancel);
    if (!controller.signal.aborted) controller.abort();
    this.#settings.logger.debug('an abandoned run has returned (its result was discarded)');
  }

  #succeed(value: T, elapsedMs: number): void {
    const failures = this.#consecutiveFailures;
    this.#value = { value, at: this.#settings.clock.now() };
    this.#lastDurationSeconds = elapsedMs / 1000;
    this.#lastError = undefined;
    this.#lastRunFoundNoData = false;
    this.#consecutiveFailures = 0;
    if (failures > 0) this.#settings.logger.info({ failedRuns: failures }, `background task ${this.#settings.name} recovered after ${failures} failed run${failures === 1 ? '' : 's'}`);
    this.#markSettled();
  }

  #fail(message: string, elapsedMs: number, noData = false): void {
    // The first fault is news (also after runs that found no data); its repeats would flood the log
    // when many sources are down.
    const firstFault = !noData && (this.#consecutiveFailures === 0 || this.#lastRunFoundNoData);
    this.#lastDurationSeconds = elapsedMs / 1000;
    this.#lastError = message;
    this.#lastRunFoundNoData = noData;
    this.#consecutiveFailures++;
    // An absent source is not a fault (a node without GPUs): debug, like a collection's NoDataError.
    if (noData) this.#settings.logger.debug({ err: message }, `background task ${this.#settings.name} found no data: ${message}`);
    else if (firstFault) this.#settings.logger.warn({ err: message }, `background task ${this.#settings.name} failed: ${message} (repeats are logged at debug level)`);
    else this.#settings.logger.debug({ err: message, consecutiveFailures: this.#consecutiveFailures }, `background task ${this.#settings.name} failed again: ${message}`);
    this.#markSettled();
  }

  #markSettled(): void {
    if (this.#settledOnce) return;
    this.#settledOnce = true;
    this.#settleFirst();
  }

  /**
   * The next run is due one interval after this one started; after consecutive failures the gap
   * doubles (up to 8 intervals or 5 minutes, whichever is less, never less than one interval) and
   * gets ±20 % jitter, so many failing sources neither hammer nor retry in lockstep.
   */
  #scheduleAfterRun(elapsedMs: number): void {
    const { intervalMs, random } = this.#settings;
    if (this.#consecutiveFailures <= 1) {
      this.#schedule(intervalMs - elapsedMs);
      return;
    }
    const ceiling = Math.max(intervalMs, Math.min(8 * intervalMs, MAX_BACKOFF_MS));
    const backoff = Math.min(intervalMs * 2 ** (this.#consecutiveFailures - 1), ceiling);
    this.#schedule(backoff * (0.8 + 0.4 * random()) - elapsedMs);
  }
}

/** Resolves when `settled` does or either signal fires (whichever first). */
async function untilSettledOrAborted(settled: Promise<void>, signal: AbortSignal | undefined, cancelled: AbortSignal): Promise<void> {
  const signals = signal === undefined ? [cancelled] : [signal, cancelled];
  if (signals.some((each) => each.aborted)) return;
  let onAbort = (): void => undefined;
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    for (const each of signals) each.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([settled, aborted]);
  } finally {
    for (const each of signals) each.removeEventListener('abort', onAbort);
  }
}
