import type { Dispatcher } from 'undici';

/** The log function shape shared by pino and this contract. */
export interface LogFn {
  (message: string): void;
  (context: object, message?: string): void;
}

/**
 * A structured logger. The host passes a pino child already bound to `{collector, instance}`, so a
 * collector never adds those fields itself. Secrets must not be logged; the host redacts the
 * common keys (`apiToken`, `password`, `authorization`) but cannot know every one.
 */
export interface Logger {
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

/** Where host files are read from. Point them at a captured tree in tests or at `/host/*` in a container. */
export interface FilesystemRoots {
  /** Default `/proc`. */
  readonly procfs: string;
  /** Default `/sys`. */
  readonly sysfs: string;
  /** Default `/`. Mount points are reported relative to it. */
  readonly rootfs: string;
  /** udev's device database (node_exporter's `--path.udev.data`). Default `<rootfs>/run/udev/data`. */
  readonly udevData: string;
}

/** Time, injected so that tests can step it. */
export interface Clock {
  /** Wall-clock time in milliseconds since the Unix epoch (may jump). */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin (never goes backwards). Use it for durations. */
  monotonic(): number;
}

/** A recurring task started through {@link Scheduler.every}. */
export interface ScheduledTask {
  /** Stops the task; an in-flight run sees its signal aborted. Idempotent. */
  cancel(): void;
}

/**
 * Background work for sources that must be sampled on their own cadence (GPU counters, Arkouda's
 * metrics socket) and served from a snapshot at scrape time. Tasks never overlap themselves: a run
 * that outlasts the interval delays the next one. A task that throws is logged and retried at the next
 * tick. Every task is cancelled before the collector's `close()` is called.
 */
export interface Scheduler {
  every(
    intervalMs: number,
    task: (signal: AbortSignal) => Promise<void> | void,
    options?: { readonly runImmediately?: boolean },
  ): ScheduledTask;
}

/**
 * Everything a collector may use from the outside world, injected by the host at `create()` and
 * valid until `close()`. Collectors reach for nothing global: no prom-client, no `process.env`
 * secrets, no timers of their own, no global fetch.
 */
export interface CollectorContext {
  /** The collector's short name (`node`, `dcgm`, …). */
  readonly collector: string;
  /** The instance name from config (`default` for a single unnamed entry). */
  readonly instance: string;
  readonly logger: Logger;
  /** The undici dispatcher for every HTTP call (`request(url, { dispatcher })`); a MockAgent in tests. */
  readonly dispatcher: Dispatcher;
  readonly roots: FilesystemRoots;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
}
