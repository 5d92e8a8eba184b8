import { deadlineSignal, settleBy, SupersededError } from './deadline.js';
import type { SendOptions } from './pushgateway-client.js';
import { PushError, type PushResult } from './push-result.js';

/** How long a final push may take by default, retries included, before the job is let go. */
export const DEFAULT_FINAL_PUSH_DEADLINE_MS = 5000;

/** Options of `job.startPeriodicPush()`. */
export interface PeriodicPushOptions {
  /**
   * `'POST'` (default) replaces only the metrics this job pushes, so the previous run's
   * `<job>_last_success_timestamp_seconds` stays in the group while this run is in progress or if it
   * fails; `'PUT'` replaces the whole group on every push.
   */
  readonly method?: 'POST' | 'PUT';
  /**
   * On SIGTERM or SIGINT: push once more, then exit as the signal would have, unless the process has
   * its own listener for that signal, in which case the exit is left to it. Default true.
   */
  readonly handleSignals?: boolean;
  /** Push once right away (so the run shows up at once), then every interval. Default false. */
  readonly immediate?: boolean;
  /**
   * Longest time the final push on a signal may take, in milliseconds, before the process goes on
   * with its exit. Default 5000. `stop()` takes its own deadline.
   */
  readonly finalPushDeadlineMs?: number;
}

/** Options of {@link PeriodicPush.stop}. */
export interface StopOptions {
  /**
   * Longest time the final push may take, retries included, in milliseconds; past it the push gives
   * up with a `timeout` failure. Default 5000: a job's exit never waits long for its metrics.
   */
  readonly deadlineMs?: number;
}

type Send = (method: 'POST' | 'PUT', options: SendOptions) => Promise<PushResult>;

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * A running periodic push, for runs that last hours or days and should be visible while they run.
 * Pushes never overlap: the next one is scheduled when the previous one settles. The timer is
 * `unref()`'d, so a job that finishes its work exits even if nobody calls `stop()` (but then without
 * a final push).
 */
export class PeriodicPush {
  readonly #send: Send;
  readonly #intervalMs: number;
  readonly #method: 'POST' | 'PUT';
  readonly #strict: boolean;
  readonly #onStopped: () => void;
  readonly #finalPushDeadlineMs: number;
  /**
   * Fired when the final push starts: a periodic push still in flight makes no further attempt, and
   * is cut only if the final push's deadline passes while it waits for the attempt on the wire (a
   * request the gateway received may still be applied, so cutting it could let it land last).
   */
  readonly #supersede = new AbortController();
  readonly #cutInFlight = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<PushResult> | undefined;
  #lastResult: PushResult | undefined;
  #stopping: Promise<PushResult> | undefined;
  #signalled = false;
  readonly #onSignal = (signal: NodeJS.Signals): void => this.#handleSignal(signal);

  /** @internal Created by `job.startPeriodicPush()`. */
  constructor(send: Send, intervalMs: number, options: PeriodicPushOptions, strict: boolean, onStopped: () => void) {
    this.#send = send;
    this.#intervalMs = intervalMs;
    this.#method = options.method ?? 'POST';
    this.#strict = strict;
    this.#onStopped = onStopped;
    this.#finalPushDeadlineMs = options.finalPushDeadlineMs ?? DEFAULT_FINAL_PUSH_DEADLINE_MS;
    if (options.handleSignals ?? true) for (const signal of SIGNALS) process.on(signal, this.#onSignal);
    if (options.immediate === true) void this.#tick();
    else this.#schedule();
  }

  /** The result of the latest push, periodic or final; `undefined` before the first one. */
  get lastResult(): PushResult | undefined {
    return this.#lastResult;
  }

  /** True until `stop()` is called or a signal arrives. */
  get running(): boolean {
    return this.#stopping === undefined;
  }

  /**
   * Stops the timer, lets a periodic push already on the wire finish without retries (so that the
   * final push is the last to reach the gateway), pushes a final time, both within `deadlineMs`, and
   * removes the signal listeners. Calling it again returns the same final result. Throws
   * {@link PushError} only for a job created with `strict: true`.
   */
  async stop(options: StopOptions = {}): Promise<PushResult> {
    const deadline = deadlineSignal(options.deadlineMs ?? DEFAULT_FINAL_PUSH_DEADLINE_MS, 'final push');
    try {
      return await this.stopBy(deadline.signal);
    } finally {
      deadline.dispose();
    }
  }

  /** @internal `stop()` with the deadline as a signal, which `job.close()` shares with its other pushes. */
  async stopBy(deadline: AbortSignal): Promise<PushResult> {
    const result = await this.#finish({ signal: deadline });
    if (!result.ok && this.#strict) throw new PushError(result);
    return result;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    this.#inFlight = this.#send(this.#method, { signal: this.#cutInFlight.signal, stopRetrying: this.#supersede.signal });
    try {
      this.#lastResult = await this.#inFlight;
    } catch {
      // `send` reports failures as results; should it ever throw (a throwing custom logger), a
      // timer callback is no place to let it escape as an unhandled rejection.
    } finally {
      this.#inFlight = undefined;
    }
    if (this.#stopping === undefined) this.#schedule();
  }

  #finish(options: SendOptions): Promise<PushResult> {
    this.#stopping ??= (async () => {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#supersede.abort(new SupersededError());
      if (this.#inFlight !== undefined) await settleBy(this.#inFlight, options.signal, () => this.#cutInFlight.abort(new SupersededError()));
      try {
        const result = await this.#send(this.#method, options);
        this.#lastResult = result;
        return result;
      } finally {
        this.#removeSignalListeners();
        this.#onStopped();
      }
    })();
    return this.#stopping;
  }

  /**
   * A signal means the job is being shut down (Kubernetes sends SIGTERM, then SIGKILL after the grace
   * period), so the final push gets one attempt and no retries. A second signal during that push gives
   * up on it. Adding a listener disables Node's default "exit on signal", so once done we re-raise the
   * signal, unless the job registered its own listener, which then owns the shutdown.
   */
  #handleSignal(signal: NodeJS.Signals): void {
    if (this.#signalled) {
      this.#removeSignalListeners();
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      return;
    }
    this.#signalled = true;
    const deadline = deadlineSignal(this.#finalPushDeadlineMs, 'final push');
    void this.#finish({ retries: 0, signal: deadline.signal })
      .catch(() => undefined)
      .then(() => {
        deadline.dispose();
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
  }

  #removeSignalListeners(): void {
    for (const signal of SIGNALS) process.off(signal, this.#onSignal);
  }
}
