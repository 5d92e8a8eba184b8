/**
 * Error classes shared by collectors and the host.
 *
 * The host recognises them by their `code`, not by `instanceof`, because a third-party collector may
 * bring its own copy of this package. Use the `is…` helpers below rather than `instanceof`.
 */

/** Codes carried by the errors of this package. */
export const ErrorCode = {
  config: 'ERR_TESSERA_CONFIG',
  noData: 'ERR_TESSERA_NO_DATA',
  timeout: 'ERR_TESSERA_COLLECTOR_TIMEOUT',
  metric: 'ERR_TESSERA_METRIC',
  stale: 'ERR_TESSERA_STALE_DATA',
} as const;

/** A key path into a configuration document, e.g. `['collectors', 'node', 'textfile', 'directory']`. */
export type ConfigPath = readonly (string | number)[];

// Keys printed as they are; any other key (a space, a dot, a quote, a line break) is printed quoted.
const PLAIN_KEY = /^[\p{L}\p{N}_$@/+:-]+$/u;

/**
 * Formats a config path the way every Tessera message prints it: `collectors.node[0].procfs`. A key
 * that is not a plain word is quoted (`collectors["a.b"]`, `web["x\ny"]`), so the path stays on one line
 * and says unambiguously which key it means.
 */
export function formatConfigPath(path: ConfigPath): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (!PLAIN_KEY.test(key)) text += `[${JSON.stringify(key)}]`;
    else text += text === '' ? key : `.${key}`;
  }
  return text === '' ? '(root)' : text;
}

/**
 * Configuration that cannot work. Thrown by `configSchema` validation, by `create()` when a setting
 * is valid in shape but wrong in fact (a directory that does not exist), and by the host's own config
 * loader. The host refuses to start and prints `file: path: message`.
 */
export class ConfigError extends Error {
  readonly code = ErrorCode.config;
  /** Where in the config the problem is, relative to the collector entry when thrown by a collector. */
  readonly path: ConfigPath;

  constructor(message: string, options: { path?: ConfigPath; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ConfigError';
    this.path = options.path ?? [];
  }
}

/**
 * The source this collector reads is absent (no GPU, no hwmon chips, no textfile directory yet).
 * The host records `tessera_scrape_collector_success 0` and logs at debug level, not as an error.
 */
export class NoDataError extends Error {
  readonly code = ErrorCode.noData;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'NoDataError';
  }
}

/** A collection ran past its deadline. Thrown by the host (or a collector) when the signal fires. */
export class CollectorTimeoutError extends Error {
  readonly code = ErrorCode.timeout;
  readonly timeoutMs: number;

  constructor(message: string, options: { timeoutMs: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'CollectorTimeoutError';
    this.timeoutMs = options.timeoutMs;
  }
}

/**
 * A collector broke the contract while emitting: an undeclared family, a wrong label set, a
 * duplicate series, a non-numeric value. Thrown by the host's sink; it fails that collection only.
 */
export class MetricContractError extends Error {
  readonly code = ErrorCode.metric;

  constructor(message: string) {
    super(message);
    this.name = 'MetricContractError';
  }
}

/**
 * A snapshot is too old to serve: its background task has not succeeded within the age the
 * collector allows (or never has). Thrown by `ScheduledTask.latest()`; the collection (or the part)
 * fails instead of serving frozen values as fresh.
 */
export class StaleDataError extends Error {
  readonly code = ErrorCode.stale;
  /** Age of the last good value in seconds, `undefined` when there never was one. */
  readonly ageSeconds: number | undefined;

  constructor(message: string, options: { ageSeconds: number | undefined; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'StaleDataError';
    this.ageSeconds = options.ageSeconds;
  }
}

function hasCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

/** True for a {@link ConfigError} from any copy of this package. */
export function isConfigError(error: unknown): error is ConfigError {
  return hasCode(error, ErrorCode.config);
}

/** True for a {@link NoDataError} from any copy of this package. */
export function isNoDataError(error: unknown): error is NoDataError {
  return hasCode(error, ErrorCode.noData);
}

/** True for a {@link CollectorTimeoutError} from any copy of this package. */
export function isCollectorTimeoutError(error: unknown): error is CollectorTimeoutError {
  return hasCode(error, ErrorCode.timeout);
}

/** True for a {@link StaleDataError} from any copy of this package. */
export function isStaleDataError(error: unknown): error is StaleDataError {
  return hasCode(error, ErrorCode.stale);
}
