/** Metric names, per the Prometheus data model. */
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Label names, per the Prometheus data model; also metric-name prefixes, which leave colons to recording rules. */
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The metric types the helpers create; text format 0.0.4 adds `untyped`, which the CLI accepts. */
export type MetricKind = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

/**
 * A metric declared with a name, type or label that Prometheus would reject or that `promtool check
 * metrics` flags. Thrown when the metric is declared, so the mistake shows on the first run instead of
 * as a silently missing series.
 */
export class MetricDefinitionError extends TypeError {
  readonly code = 'ERR_TESSERA_METRIC_DEFINITION';

  constructor(message: string) {
    super(message);
    this.name = 'MetricDefinitionError';
  }
}

/**
 * A metric update that cannot be applied (a counter decreased, an undeclared label, a value that is
 * not a number). Thrown only by jobs created with `strict: true`; other jobs log one warning and
 * drop the update, since a job is worth more than its measurement.
 */
export class MetricUpdateError extends Error {
  readonly code = 'ERR_TESSERA_METRIC_UPDATE';
  /** The full metric name. */
  readonly metric: string;

  constructor(metric: string, method: string, cause: unknown) {
    super(`${metric}.${method}(): ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MetricUpdateError';
    this.metric = metric;
  }
}

/**
 * Upper bounds for histograms of durations in seconds, from 10 ms to a day: the stages of a batch
 * job (a download, an epoch, a whole training run) span that range. prom-client's and Python's
 * defaults stop at 10 s, where a training stage has hardly begun.
 */
export const DURATION_BUCKETS: readonly number[] = Object.freeze([0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 14_400, 43_200, 86_400]);

/**
 * Checks histogram upper bounds and returns them without a trailing `+Inf` (every histogram has that
 * bucket implicitly), or a message saying why they cannot work. Unsorted bounds make prom-client put
 * observations in the wrong bucket, and duplicate or infinite ones render duplicate `le` series, so
 * `histogram_quantile()` answers wrongly; Python's client refuses unsorted bounds too.
 */
export function normalizeBuckets(buckets: readonly number[]): number[] | string {
  const bounds = buckets.at(-1) === Number.POSITIVE_INFINITY ? buckets.slice(0, -1) : [...buckets];
  if (bounds.length === 0) return 'a histogram needs at least one finite bucket bound (+Inf is implied)';
  for (const [index, bound] of bounds.entries()) {
    if (typeof bound !== 'number' || !Number.isFinite(bound)) return `bucket bound ${String(bound)} is not a finite number (only the last may be +Inf, which is implied anyway)`;
    const previous = bounds[index - 1];
    if (previous === undefined) continue;
    if (bound === previous) return `bucket bound ${bound} is listed twice`;
    if (bound < previous) return `bucket bounds must increase: ${bound} comes after ${previous}`;
  }
  return bounds;
}

/**
 * Returns why `name` cannot be the name of a metric of `kind`, or `undefined` when it can. Beyond the
 * syntax it enforces the conventions promtool lints for, so pushed data stays lint-clean: counters end
 * in `_total` and nothing else does; colons are left to recording rules; `__` is reserved.
 */
export function describeMetricNameProblem(name: string, kind: MetricKind): string | undefined {
  if (!METRIC_NAME_PATTERN.test(name)) return `${JSON.stringify(name)} is not a valid metric name (it must match ${METRIC_NAME_PATTERN.source})`;
  if (name.startsWith('__')) return `metric name ${name} starts with "__", which Prometheus reserves for itself`;
  if (name.includes(':')) return `metric name ${name} contains ":", which is reserved for recording rules`;
  if (kind === 'counter' && !name.endsWith('_total')) return `counter ${name} must end in "_total"`;
  if (kind !== 'counter' && name.endsWith('_total')) return `${kind} ${name} must not end in "_total" (only counters do)`;
  if ((kind === 'histogram' || kind === 'summary') && /_(bucket|sum|count)$/.test(name)) {
    return `${kind} ${name} must not end in "_bucket", "_sum" or "_count": those suffixes name its samples`;
  }
  return undefined;
}

/**
 * Returns why `name` cannot label a metric of `kind`, or `undefined` when it can. `reserved` holds the
 * label names of the grouping key (`job` and the others): the Pushgateway silently replaces a pushed
 * label of the same name with the grouping value, so such a label would be lost.
 */
export function describeLabelNameProblem(name: string, kind: MetricKind, reserved: ReadonlySet<string> = new Set()): string | undefined {
  if (!LABEL_NAME_PATTERN.test(name)) return `${JSON.stringify(name)} is not a valid label name (it must match ${LABEL_NAME_PATTERN.source})`;
  if (name.startsWith('__')) return `label name ${name} starts with "__", which Prometheus reserves for itself`;
  if (kind === 'histogram' && name === 'le') return 'label name le is reserved for histogram buckets';
  if (kind === 'summary' && name === 'quantile') return 'label name quantile is reserved for summary quantiles';
  if (reserved.has(name)) return `label ${name} is part of the grouping key; the Pushgateway would replace its value with the grouping value`;
  return undefined;
}

/**
 * Turns a job name into a metric-name prefix: characters a metric name cannot hold become `_`, and a
 * leading digit gets a `_` in front. `nightly-train` becomes `nightly_train`.
 */
export function toMetricNamespace(job: string): string {
  const replaced = job.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(replaced) ? `_${replaced}` : replaced;
}
