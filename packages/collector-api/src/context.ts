import type { Dispatcher } from 'undici';

/** The log function shape shared by pino and this contract. */
export interface LogFn {
  (message: string): void;
  (context: object, message?: string): void;
}

/**
 * A structured logger. The host passes a pino child already bound to `{collector, instance}`, so a
 * collector never adds those fields itself. Secrets never reach a log line: the host censors the
 * values of secret-named keys (`token`, `apiToken`, `api_token`, `x-auth-token`, `authorization`,
 * `password`, …), the userinfo of URLs, and every value read through {@link ConfigFiles.readSecret}
 * or registered with {@link ConfigFiles.registerSecret}, wherever they appear.
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

/** Settings of a background task; see {@link Scheduler.every}. */
export interface TaskOptions {
  /**
   * Names the task in logs, on the status page and in `tessera_collector_task_*{task}`. Unique
   * within an instance. Default `sample`, then `sample-2`, … for further unnamed tasks.
   */
  readonly name?: string;
  /** Run once right away instead of one interval after the start. Default `true`. */
  readonly runImmediately?: boolean;
  /**
   * How long one run may take. At the timeout the run's signal is aborted, the run is abandoned (a
   * result it delivers later is ignored) and counts as failed, and the next run is scheduled as
   * usual. Default: the interval, at most 60 s.
   */
  readonly timeoutMs?: number;
  /**
   * How old the last successful result may be before {@link ScheduledTask.latest} refuses it with
   * `StaleDataError`. Default: three intervals plus the timeout, so one or two failed runs are
   * bridged but a task that stopped succeeding never has its old value served as fresh.
   */
  readonly maxAgeMs?: number;
}

/** What the host knows about a background task, for the status page and self-metrics. */
export interface TaskState {
  readonly name: string;
  readonly intervalMs: number;
  /** A run is under way now. */
  readonly running: boolean;
  /** Runs that were abandoned at their timeout and have not settled yet. */
  readonly abandonedRuns: number;
  /** Wall-clock ms of the last successful run's end, `undefined` before the first. */
  readonly lastSuccessAt: number | undefined;
  /** Duration of the last finished (or abandoned) run, in seconds. */
  readonly lastDurationSeconds: number | undefined;
  /** One line: why the last run failed; `undefined` when it succeeded. */
  readonly lastError: string | undefined;
  /** Failed runs since the last success (0 when the last run succeeded). */
  readonly consecutiveFailures: number;
  /** Wall-clock ms when the next run is due, `undefined` when cancelled. */
  readonly nextRunAt: number | undefined;
}

/**
 * A recurring task started through {@link Scheduler.every}, and the latest value it produced.
 * `T` is what one run resolves with: the snapshot a collector serves at scrape time.
 */
export interface ScheduledTask<T = unknown> {
  /** Stops the task; an in-flight run sees its signal aborted. Idempotent. */
  cancel(): void;
  /** A consistent view of the task's health, taken now. */
  readonly state: TaskState;
  /**
   * The value of the last successful run. Before the first run has settled, waits for it (until
   * `signal` fires: a first scrape waits for the first sample within its own deadline). Rejects with
   * `StaleDataError` when the last success is older than `maxAgeMs` or when no run ever succeeded,
   * naming the age and the last error, so a collector never serves a frozen snapshot as fresh.
   * When the last run threw `NoDataError` (the source is absent: a node without GPUs) and there is
   * no fresh value, rejects with a `NoDataError` carrying that message instead, so the collection
   * reports an absent source (success 0, logged at debug, ready), not a broken one.
   */
  latest(signal?: AbortSignal): Promise<T>;
}

/**
 * Background work for sources that must be sampled on their own cadence (GPU counters, Arkouda's
 * metrics socket, slow REST groups) and served from a snapshot at scrape time.
 *
 * The host guarantees: runs of one task never overlap; a run past its timeout is aborted and
 * abandoned and the next one starts on schedule (at most two abandoned runs are kept pending per
 * task; while two are, further ticks fail at once rather than pile up); consecutive failures back
 * off with jitter (up to 8 intervals or 5 min); the first failure is logged as a warning, repeats at
 * debug, the recovery at info (a run that throws `NoDataError` is logged at debug only: an absent
 * source is not a fault); tasks of many instances start spread over their first interval when
 * `runImmediately` is false. Every task is cancelled before the collector's `close()` is called.
 * The task function must not start timers of its own: it is called, it resolves, that is all.
 */
export interface Scheduler {
  every<T>(intervalMs: number, task: (signal: AbortSignal) => Promise<T> | T, options?: TaskOptions): ScheduledTask<T>;
}

/** TLS and connection settings of a dispatcher made by {@link CollectorContext.createDispatcher}. */
export interface DispatcherOptions {
  /** PEM certificates to trust instead of the system's (read the file with {@link ConfigFiles.readText}). */
  readonly ca?: string | readonly string[];
  /** PEM client certificate, for mutual TLS. */
  readonly cert?: string;
  /** PEM private key of `cert`. */
  readonly key?: string;
  /** `false` accepts any server certificate (an array with a self-signed certificate). Default `true`. */
  readonly rejectUnauthorized?: boolean;
  /** The name the server certificate must carry, when it is not the URL's host (SNI as well). */
  readonly servername?: string;
  /** Most connections per origin (bounds concurrency against one source). Default: unlimited. */
  readonly connections?: number;
  /** TCP + TLS connect timeout. Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Time to the response headers. Default 30 s. */
  readonly headersTimeoutMs?: number;
  /** Longest pause while reading a body. Default 30 s. */
  readonly bodyTimeoutMs?: number;
}

/**
 * Files named in the config. Relative paths are resolved against the directory of the config file
 * (never the working directory), so `apiTokenFile: secrets/array-a.token` works wherever tessera
 * is started from.
 */
export interface ConfigFiles {
  /** The absolute path a config value names. */
  resolve(path: string): string;
  /** Reads a text file (a CA bundle), resolved as {@link resolve} does. */
  readText(path: string, signal?: AbortSignal): Promise<string>;
  /**
   * Reads a secret (an API token, a password) from a file: resolved as {@link resolve} does,
   * surrounding whitespace trimmed, a warning logged when the file can be read by every user. The
   * value is registered for redaction. Rejects with `ConfigError` when the file is missing or empty.
   */
  readSecret(path: string, signal?: AbortSignal): Promise<string>;
  /**
   * Registers a secret the collector got another way (`apiToken: ${ARRAY_TOKEN}`), so that the host
   * censors it from logs, the status page and error messages. Values shorter than 4 characters are ignored.
   */
  registerSecret(value: string): void;
}

/**
 * Everything a collector may use from the outside world, injected by the host at `create()` and
 * valid until `close()`. Collectors reach for nothing global: no prom-client, no `process.env`
 * secrets, no timers of their own, no global fetch, no Agent of their own.
 */
export interface CollectorContext {
  /** The collector's short name (`node`, `dcgm`, …). */
  readonly collector: string;
  /** The instance name from config (`default` for a single unnamed entry). */
  readonly instance: string;
  readonly logger: Logger;
  /** The shared undici dispatcher for plain HTTP calls (`request(url, { dispatcher })`); a MockAgent in tests. */
  readonly dispatcher: Dispatcher;
  /**
   * A dispatcher of this instance's own, with its TLS and connection settings (one per array: its
   * CA, its certificate name, its connection cap). The host owns it and closes it after the
   * collector's `close()`; the test kit replaces it with its MockAgent and records the options.
   */
  createDispatcher(options?: DispatcherOptions): Dispatcher;
  /** Files and secrets named in the config. */
  readonly files: ConfigFiles;
  readonly roots: FilesystemRoots;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
}
