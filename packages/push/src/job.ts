import { join } from 'node:path';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { systemClock, type Clock } from './clock.js';
import { getDefaultLogger } from './default-logger.js';
import { DurationSummary } from './duration-summary.js';
import { GroupSender } from './group-sender.js';
import { guardUpdates } from './guard-updates.js';
import { buildGroupingPath, describeGroupingProblem } from './grouping-path.js';
import { InfoMetric } from './info-metric.js';
import {
  describeLabelNameProblem,
  describeMetricNameProblem,
  DURATION_BUCKETS,
  LABEL_NAME_PATTERN,
  MetricDefinitionError,
  MetricUpdateError,
  normalizeBuckets,
  toMetricNamespace,
  type MetricKind,
} from './metric-definition.js';
import { DEFAULT_FINAL_PUSH_DEADLINE_MS, PeriodicPush, type PeriodicPushOptions } from './periodic-push.js';
import { deadlineSignal } from './deadline.js';
import { PushgatewayClient, type SendOptions, type TransportOptions } from './pushgateway-client.js';
import { PushError, type PushMethod, type PushResult, type TextfileResult } from './push-result.js';
import { renderRegistry } from './render-registry.js';
import { writeFileAtomically } from './write-file-atomically.js';

/** Options of {@link createJob}. Transport settings (gateway, TLS, auth, retries) come from {@link TransportOptions}. */
export interface JobOptions extends TransportOptions {
  /**
   * The job name: the `job` label of every pushed series and the first part of the group's URL.
   * Name the kind of work (`nightly_train`), never one run of it: every run then replaces the last
   * one's group instead of leaving a new group behind forever.
   */
  readonly job: string;
  /**
   * Further labels of the group's URL, e.g. `{ model: 'resnet50' }`. Keep them stable (no run ids,
   * no host names): the Pushgateway keeps each group until it is deleted.
   */
  readonly groupingKey?: Readonly<Record<string, string>> | undefined;
  /** Labels added to every series this job creates (`team`, `project`). */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /**
   * Prefix of every metric name the helpers create. Defaults to the job name with the characters a
   * metric name cannot hold replaced by `_`; `''` turns prefixing off.
   */
  readonly namespace?: string | undefined;
  /**
   * Throw instead of logging and going on: {@link PushError} when a push fails (instead of returning
   * the failure), {@link MetricUpdateError} when a metric update cannot be applied (instead of
   * dropping it). Default false.
   */
  readonly strict?: boolean | undefined;
  /**
   * Receives one warning per failed push and per kind of dropped metric update. Default: pino at
   * level `warn` on stderr.
   */
  readonly logger?: Logger | undefined;
  /** Clocks for durations and timestamps; tests inject one. */
  readonly clock?: Clock | undefined;
}

/** Options of the metric helpers. `name` is given without the job's namespace prefix. */
export interface MetricOptions<TLabel extends string = string> {
  readonly name: string;
  /** One line saying what the metric measures; `promtool check metrics` requires it. */
  readonly help: string;
  readonly labelNames?: readonly TLabel[] | undefined;
}

/** Options of {@link Job.histogram}. */
export interface HistogramOptions<TLabel extends string = string> extends MetricOptions<TLabel> {
  /**
   * Upper bounds, strictly increasing and finite; `+Inf` is implied (a trailing `Infinity` is
   * accepted and dropped). Default {@link DURATION_BUCKETS}, 10 ms to a day.
   */
  readonly buckets?: readonly number[] | undefined;
}

/** Options of {@link Job.summary}. */
export interface SummaryOptions<TLabel extends string = string> extends MetricOptions<TLabel> {
  /**
   * Quantiles to report, e.g. `[0.5, 0.9, 0.99]`. Default `[]`: only `_sum` and `_count`, as Python's
   * client does (quantiles cannot be aggregated across jobs, and cost memory on every observation).
   */
  readonly percentiles?: readonly number[] | undefined;
  /** Sliding window of the quantiles, in seconds; all observations when omitted. */
  readonly maxAgeSeconds?: number | undefined;
  readonly ageBuckets?: number | undefined;
}

/** Options of {@link Job.close}. */
export interface CloseOptions {
  /**
   * Longest time `close()` may take, in milliseconds: pushes already called, the periodic push's
   * final push and their retries give up when it passes (a `timeout` failure). Default 5000.
   */
  readonly deadlineMs?: number | undefined;
}

/** Options of {@link Job.writeTextfile}. */
export interface TextfileOptions {
  /** File name inside the directory; must end in `.prom`. Default: the job name and grouping values. */
  readonly fileName?: string | undefined;
}

const MAX_TIMER_MILLISECONDS = 2 ** 31 - 1;

type AnyMetric = Gauge<string> | Counter<string> | Histogram<string> | Summary<string> | DurationSummary | InfoMetric;

/** The declared kind; an info metric is a gauge on the wire but not interchangeable with one. */
type RegisteredKind = MetricKind | 'info';

interface Registered {
  readonly kind: RegisteredKind;
  readonly labelNames: readonly string[];
  readonly metric: AnyMetric;
}

interface Timer {
  readonly duration: { observe(seconds: number): void };
  readonly failures: Counter<string>;
}

/** How many distinct dropped-update problems a job warns about before it only logs them at debug. */
const MAX_UPDATE_WARNINGS = 100;

/**
 * Creates the handle of one batch job. Throws {@link MetricDefinitionError} or `TypeError` for
 * options that can never work (an empty job name, an illegal label name); everything that depends on
 * the environment (the gateway being up, its certificate) is reported by the push results instead.
 */
export function createJob(options: JobOptions): Job {
  return new Job(options);
}

/**
 * One batch job: its own prom-client registry (never the global one, so two jobs or a library's
 * `collectDefaultMetrics()` cannot collide), metric helpers that check names, timers, outcome
 * timestamps, and the push, textfile and periodic-push channels.
 *
 * Nothing the job calls throws into it unless `strict` is set, since a job is worth more than its
 * measurement: a failed push returns a {@link PushResult} saying why and logs one warning, and a
 * metric update that cannot be applied (`counter.inc(-1)`, an undeclared label) is dropped with one
 * warning. Mistakes in a declaration (a bad name, unsorted buckets) still throw when the metric is
 * declared, so they show on the first run. Pushes, deletes and periodic pushes of one job never
 * overlap: each waits for the previous one to settle (retries included), then renders the registry,
 * so the gateway gets them in call order with current values.
 */
export class Job {
  /** The job name, as given. */
  readonly name: string;
  /** The metric-name prefix the helpers apply (`''` when prefixing is off). */
  readonly namespace: string;
  /** The grouping key without `job`. */
  readonly groupingKey: Readonly<Record<string, string>>;
  /** This job's registry. Register extra prom-client metrics here (`registers: [job.registry]`). */
  readonly registry: Registry;

  readonly #options: JobOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #sender: GroupSender;
  readonly #groupingLabels: ReadonlySet<string>;
  readonly #labels: Readonly<Record<string, string>>;
  readonly #metrics = new Map<string, Registered>();
  readonly #timers = new Map<string, Timer>();
  readonly #warnedUpdateProblems = new Set<string>();
  #periodicPush: PeriodicPush | undefined;

  constructor(options: JobOptions) {
    const groupingKey = { ...options.groupingKey };
    const groupingProblem = describeGroupingProblem(options.job, groupingKey);
    if (groupingProblem !== undefined) throw new TypeError(groupingProblem);
    const namespace = options.namespace ?? toMetricNamespace(options.job);
    if (namespace !== '' && !LABEL_NAME_PATTERN.test(namespace)) throw new MetricDefinitionError(`namespace ${JSON.stringify(namespace)} is not a valid metric-name prefix`);
    this.name = options.job;
    this.namespace = namespace;
    this.groupingKey = Object.freeze(groupingKey);
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? getDefaultLogger();
    const groupingLabels = new Set(['job', ...Object.keys(groupingKey)]);
    const labels = { ...options.labels };
    for (const labelName of Object.keys(labels)) {
      const problem = describeLabelNameProblem(labelName, 'gauge', groupingLabels);
      if (problem !== undefined) throw new MetricDefinitionError(`job label: ${problem}`);
    }
    this.#groupingLabels = groupingLabels;
    this.#labels = Object.freeze(labels);
    this.registry = new Registry();
    // Also as prom-client default labels, for code that renders the registry itself.
    this.registry.setDefaultLabels(labels);
    const client = new PushgatewayClient({ ...options, logger: this.#logger, logContext: { job: options.job, groupingKey } });
    this.#sender = new GroupSender(client, buildGroupingPath(options.job, groupingKey), () => this.metrics());
  }

  /**
   * A gauge named `<namespace>_<name>`. Declaring the same gauge twice returns the first one. Its
   * updates never throw (see {@link JobOptions.strict}).
   */
  gauge<TLabel extends string = string>(options: MetricOptions<TLabel>): Gauge<TLabel> {
    return this.#register('gauge', options, (configuration) => this.#guard(new Gauge(configuration))) as Gauge<TLabel>;
  }

  /** A counter named `<namespace>_<name>`; the name must end in `_total`. Its updates never throw. */
  counter<TLabel extends string = string>(options: MetricOptions<TLabel>): Counter<TLabel> {
    return this.#register('counter', options, (configuration) => this.#guard(new Counter(configuration))) as Counter<TLabel>;
  }

  /**
   * A histogram named `<namespace>_<name>`; `le` is reserved. Throws {@link MetricDefinitionError}
   * for bucket bounds that are unsorted, repeated or not finite. Its updates never throw.
   */
  histogram<TLabel extends string = string>(options: HistogramOptions<TLabel>): Histogram<TLabel> {
    const buckets = normalizeBuckets(options.buckets ?? DURATION_BUCKETS);
    if (typeof buckets === 'string') throw new MetricDefinitionError(`${this.#fullName(options.name)}: ${buckets}`);
    return this.#register('histogram', options, (configuration) => this.#guard(new Histogram({ ...configuration, buckets }))) as Histogram<TLabel>;
  }

  /**
   * A summary named `<namespace>_<name>`; `quantile` is reserved. Without `percentiles` it reports
   * `_sum` and `_count` only. Its updates never throw.
   */
  summary<TLabel extends string = string>(options: SummaryOptions<TLabel>): Summary<TLabel> {
    return this.#register('summary', options, (configuration) =>
      this.#guard(
        new Summary({
          ...configuration,
          percentiles: [...(options.percentiles ?? [])],
          ...(options.maxAgeSeconds === undefined ? {} : { maxAgeSeconds: options.maxAgeSeconds }),
          ...(options.ageBuckets === undefined ? {} : { ageBuckets: options.ageBuckets }),
        }),
      ),
    ) as Summary<TLabel>;
  }

  /**
   * Sets the info metric `<namespace>_<name>_info` (`_info` is appended unless the name ends in it):
   * one series with value 1 whose labels carry facts about the run, such as the model version or the
   * hyperparameters. Calling it again replaces the labels. Numbers and booleans become strings.
   * A label name Prometheus refuses, or one the grouping key or the job's labels already set, drops
   * the update with one warning (or throws {@link MetricUpdateError} when `strict`).
   */
  info(name: string, labels: Readonly<Record<string, string | number | boolean>>, help?: string): void {
    const metricName = name.endsWith('_info') ? name : `${name}_info`;
    const metric = this.#register('info', { name: metricName, help: help ?? `Facts about this run of the job, as labels (${metricName}).` }, (configuration) => new InfoMetric(configuration)) as InfoMetric;
    for (const labelName of Object.keys(labels)) {
      const problem = this.#labelNameProblem(labelName, 'gauge');
      if (problem !== undefined) return this.#onUpdateFailure(metric.name, 'info', new Error(problem));
    }
    metric.set(Object.fromEntries(Object.entries(labels).map(([labelName, value]) => [labelName, String(value)])));
  }

  /**
   * Runs `work` and records how long it took in `<namespace>_<name>_duration_seconds`, measured with
   * the monotonic clock and never negative: a summary (`_sum` and `_count`), or the histogram of that
   * name if the job declared one before the first call. When `work` throws or its promise rejects,
   * `<namespace>_<name>_failures_total` goes up by one and the very same error is rethrown. Whether
   * that failure fails the job is the caller's call: use {@link Job.fail} for that. Accepts a function
   * (sync or async) or a promise; returns what it returns.
   */
  time<T>(name: string, work: () => Promise<T>): Promise<T>;
  time<T>(name: string, work: PromiseLike<T>): Promise<T>;
  time<T>(name: string, work: () => T): T;
  time<T>(name: string, work: (() => T) | PromiseLike<T>): T | Promise<T> {
    const timer = this.#timer(name);
    const clock = this.#clock;
    const start = clock.monotonicMilliseconds();
    return runAround(work, (failed) => {
      // Durations come from the monotonic clock and are clamped at zero, whatever clock was injected.
      timer.duration.observe(Math.max(0, clock.monotonicMilliseconds() - start) / 1000);
      if (failed) timer.failures.inc();
    });
  }

  /**
   * Counts runs of `work` in progress in the gauge `<namespace>_<name>_in_progress`: up by one
   * while it runs, down again when it returns, throws or settles (Python's `track_inprogress()`).
   * Pushed while a phase runs, it tells a dashboard which phase a long job is in; a final push shows
   * 0. Without `work`, it counts one run and returns the function that ends it (calling that again
   * does nothing). Accepts a function (sync or async) or a promise; returns what it returns.
   */
  inProgress<T>(name: string, work: () => Promise<T>): Promise<T>;
  inProgress<T>(name: string, work: PromiseLike<T>): Promise<T>;
  inProgress<T>(name: string, work: () => T): T;
  inProgress(name: string): () => void;
  inProgress<T>(name: string, work?: (() => T) | PromiseLike<T>): T | Promise<T> | (() => void) {
    const gauge = this.gauge({ name: `${name}_in_progress`, help: `Runs of ${name} in progress.` });
    gauge.inc();
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      gauge.dec();
    };
    return work === undefined ? end : runAround(work, end);
  }

  /**
   * A TC39 method decorator (TypeScript 5+ standard decorators) that wraps each call in
   * {@link Job.time}. The timer name defaults to the method name in snake_case (`trainEpoch` and
   * `#trainEpoch` → `train_epoch`). The name is checked when the class is defined.
   *
   * ```ts
   * class Trainer {
   *   @job.timed() async trainEpoch() { … }
   * }
   * ```
   */
  timed(name?: string) {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the decorator's `this` is the decorated instance
    const job = this;
    return function timedDecorator<This, Args extends unknown[], Return>(
      method: (this: This, ...args: Args) => Return,
      context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
    ): (this: This, ...args: Args) => Return {
      // A private method's name comes with its `#`, which no metric name can hold.
      const timerName = name ?? toSnakeCase(typeof context.name === 'string' ? context.name.replace(/^#/, '') : (context.name.description ?? ''));
      job.#timer(timerName);
      return function timedMethod(this: This, ...args: Args): Return {
        return job.time(timerName, () => method.apply(this, args));
      };
    };
  }

  /** Records a successful run: `<namespace>_last_success_timestamp_seconds` and `_last_completion_…` become now. */
  succeed(): void {
    const now = this.#clock.wallMilliseconds() / 1000;
    this.#outcomeGauge('last_success_timestamp_seconds', 'Unix time of the last successful run of this job.').set(now);
    this.#outcomeGauge('last_completion_timestamp_seconds', 'Unix time of the last completed run of this job, successful or not.').set(now);
  }

  /**
   * Records a failed run: `<namespace>_last_failure_timestamp_seconds` and `_last_completion_…` become
   * now. The previous success timestamp is kept, so push with {@link Job.pushAdd} (or a periodic push,
   * which uses POST) to keep the last success in the group; a PUT replaces the whole group.
   */
  fail(error?: unknown): void {
    const now = this.#clock.wallMilliseconds() / 1000;
    this.#outcomeGauge('last_failure_timestamp_seconds', 'Unix time of the last failed run of this job.').set(now);
    this.#outcomeGauge('last_completion_timestamp_seconds', 'Unix time of the last completed run of this job, successful or not.').set(now);
    this.#logger.debug({ job: this.name, err: error }, 'job run recorded as failed');
  }

  /** PUT: replaces the whole group with this registry ("the complete state of this run"). */
  push(): Promise<PushResult> {
    return this.#push('PUT');
  }

  /** POST: replaces only the metrics with the names this registry holds; the group's others stay. */
  pushAdd(): Promise<PushResult> {
    return this.#push('POST');
  }

  /** DELETE: removes the group from the Pushgateway (clean-up after a job is retired). */
  delete(): Promise<PushResult> {
    return this.#push('DELETE');
  }

  /**
   * Pushes every `intervalMs` until `stop()`, for runs that last hours or days, with a final push on
   * `stop()` and on SIGTERM/SIGINT (see {@link PeriodicPushOptions}). One at a time per job. Throws
   * `RangeError` unless `0 < intervalMs ≤ 2^31-1` (about 24.8 days, the longest a Node timer holds).
   */
  startPeriodicPush(intervalMs: number, options: PeriodicPushOptions = {}): PeriodicPush {
    // A Node timer holds at most 2^31-1 ms (24.8 days); beyond that it fires after 1 ms instead.
    if (!Number.isFinite(intervalMs) || intervalMs <= 0 || intervalMs > MAX_TIMER_MILLISECONDS) {
      throw new RangeError(`intervalMs must be a positive number of at most ${MAX_TIMER_MILLISECONDS} ms, not ${intervalMs}`);
    }
    if (this.#periodicPush?.running === true) throw new Error(`a periodic push is already running for job ${this.name}`);
    const periodicPush = new PeriodicPush(
      (method, sendOptions) => this.#send(method, sendOptions),
      intervalMs,
      options,
      this.#options.strict ?? false,
      () => {
        if (this.#periodicPush === periodicPush) this.#periodicPush = undefined;
      },
    );
    this.#periodicPush = periodicPush;
    return periodicPush;
  }

  /**
   * Writes the registry, atomically (temporary file, fsync, rename), as a `.prom` file for the
   * node_exporter textfile collector: the better channel for machine-level jobs such as cron jobs.
   * The grouping key labels (not `job`, which the scrape sets) are added to every series.
   */
  async writeTextfile(directory: string, options: TextfileOptions = {}): Promise<TextfileResult> {
    const result = await this.#writeTextfile(directory, options);
    if (result.ok) return result;
    this.#logger.warn({ job: this.name, path: result.path, reason: result.reason, err: result.error }, `textfile write failed, the job goes on: ${result.message}`);
    if (this.#options.strict === true) throw new PushError(result);
    return result;
  }

  /** The exposition text a push sends: every metric of the registry, with the job's labels. */
  metrics(): Promise<string> {
    return renderRegistry(this.registry, this.#labels);
  }

  /**
   * Stops a periodic push (with its final push), lets pushes already called finish, and closes the
   * connections, all within `deadlineMs` (default 5000): against a gateway that never answers, what
   * is still running then gives up, so a job's exit never waits long for its metrics. Never throws.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const deadline = deadlineSignal(options.deadlineMs ?? DEFAULT_FINAL_PUSH_DEADLINE_MS, 'close');
    try {
      // A push waiting for its retry would otherwise find its connections gone and fail.
      const settled = this.#sender.settle(deadline.signal);
      await this.#periodicPush?.stopBy(deadline.signal).catch(() => undefined);
      await settled;
    } finally {
      deadline.dispose();
    }
    await this.#sender.close();
  }

  async #writeTextfile(directory: string, options: TextfileOptions): Promise<TextfileResult> {
    const fileName = options.fileName ?? `${[this.name, ...Object.values(this.groupingKey)].map(toMetricNamespace).join('_')}.prom`;
    if (!fileName.endsWith('.prom') || fileName.includes('/')) {
      return { ok: false, path: undefined, reason: 'filesystem', message: `textfile name ${JSON.stringify(fileName)} must be a plain file name ending in .prom` };
    }
    const path = join(directory, fileName);
    let text: string;
    try {
      text = await renderRegistry(this.registry, { ...this.#labels, ...this.groupingKey });
    } catch (error) {
      return { ok: false, path, reason: 'render', message: `cannot render the registry: ${errorMessage(error)}`, error: asError(error) };
    }
    try {
      await writeFileAtomically(path, text);
      return { ok: true, path };
    } catch (error) {
      return { ok: false, path, reason: 'filesystem', message: `cannot write ${path}: ${errorMessage(error)}`, error: asError(error) };
    }
  }

  async #push(method: PushMethod): Promise<PushResult> {
    const result = await this.#send(method, {});
    if (!result.ok && this.#options.strict === true) throw new PushError(result);
    return result;
  }

  /** Queues a send behind the job's previous one (see {@link GroupSender}). */
  #send(method: PushMethod, sendOptions: SendOptions): Promise<PushResult> {
    return this.#sender.send(method, sendOptions);
  }

  #timer(name: string): Timer {
    let timer = this.#timers.get(name);
    if (timer === undefined) {
      const durationName = `${name}_duration_seconds`;
      const declared = this.#metrics.get(this.#fullName(durationName));
      // A histogram the job declared under the timer's name takes the durations, with its buckets.
      const duration =
        declared?.kind === 'histogram' && declared.labelNames.length === 0
          ? (declared.metric as Histogram<string>)
          : (this.#register('summary', { name: durationName, help: `Time spent in ${name}, in seconds (monotonic clock).` }, (configuration) => new DurationSummary(configuration)) as DurationSummary | Summary<string>);
      timer = { duration, failures: this.counter({ name: `${name}_failures_total`, help: `Runs of ${name} that threw or rejected.` }) };
      this.#timers.set(name, timer);
    }
    return timer;
  }

  #guard<T extends object>(metric: T): T {
    return guardUpdates(metric, (metric as unknown as { name: string }).name, (name, method, error) => this.#onUpdateFailure(name, method, error));
  }

  /** A metric update that cannot be applied: thrown when strict, else dropped with one warning per kind of problem. */
  #onUpdateFailure(metric: string, method: string, cause: unknown): void {
    const error = new MetricUpdateError(metric, method, cause);
    if (this.#options.strict === true) throw error;
    const context = { job: this.name, metric, method, err: cause };
    if (this.#warnedUpdateProblems.has(error.message) || this.#warnedUpdateProblems.size >= MAX_UPDATE_WARNINGS) {
      this.#logger.debug(context, `metric update dropped: ${error.message}`);
      return;
    }
    this.#warnedUpdateProblems.add(error.message);
    this.#logger.warn(context, `metric update dropped, the job goes on: ${error.message} (further drops of this kind are logged at debug)`);
  }

  #fullName(name: string): string {
    return this.namespace === '' ? name : `${this.namespace}_${name}`;
  }

  #outcomeGauge(name: string, help: string): Gauge<string> {
    return this.gauge({ name, help });
  }

  #register(kind: RegisteredKind, options: MetricOptions, create: (configuration: { name: string; help: string; labelNames: string[]; registers: Registry[] }) => AnyMetric): AnyMetric {
    const fullName = this.#fullName(options.name);
    const labelNames = [...(options.labelNames ?? [])];
    const existing = this.#metrics.get(fullName);
    if (existing !== undefined) {
      if (existing.kind === kind && sameMembers(existing.labelNames, labelNames)) return existing.metric;
      throw new MetricDefinitionError(`${fullName} is already declared as a ${existing.kind} with labels [${existing.labelNames.join(', ')}]`);
    }
    const wireKind: MetricKind = kind === 'info' ? 'gauge' : kind;
    const nameProblem = describeMetricNameProblem(fullName, wireKind);
    if (nameProblem !== undefined) throw new MetricDefinitionError(nameProblem);
    if (typeof options.help !== 'string' || options.help.trim() === '') throw new MetricDefinitionError(`${fullName} needs help text`);
    for (const labelName of labelNames) {
      const problem = this.#labelNameProblem(labelName, wireKind);
      if (problem !== undefined) throw new MetricDefinitionError(`${fullName}: ${problem}`);
    }
    if (new Set(labelNames).size !== labelNames.length) throw new MetricDefinitionError(`${fullName}: a label name is listed twice`);
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const clash = this.#metrics.get(fullName.endsWith(suffix) ? fullName.slice(0, -suffix.length) : '');
      if (clash !== undefined && (clash.kind === 'histogram' || clash.kind === 'summary')) throw new MetricDefinitionError(`${fullName} clashes with the samples of ${clash.kind} ${fullName.slice(0, -suffix.length)}`);
    }
    const metric = create({ name: fullName, help: options.help, labelNames, registers: [this.registry] });
    this.#metrics.set(fullName, { kind, labelNames, metric });
    return metric;
  }

  /** Why `labelName` cannot label a series of this job, or `undefined` when it can. */
  #labelNameProblem(labelName: string, kind: MetricKind): string | undefined {
    return (
      describeLabelNameProblem(labelName, kind, this.#groupingLabels) ??
      // Two values for one label name on a series: one of them would be lost.
      (Object.hasOwn(this.#labels, labelName) ? `label ${labelName} is already set on every series by the job's labels option` : undefined)
    );
  }
}

/**
 * Runs `work` (a sync or async function, or a promise) and calls `done` once it has returned, thrown
 * or settled, with whether it failed; returns or throws what `work` does, synchronously for a sync
 * function.
 */
function runAround<T>(work: (() => T) | PromiseLike<T>, done: (failed: boolean) => void): T | Promise<T> {
  if (isPromiseLike(work)) return settle(work, done);
  let result: T;
  try {
    result = work();
  } catch (error) {
    done(true);
    throw error;
  }
  if (isPromiseLike(result)) return settle(result, done) as T;
  done(false);
  return result;
}

/** An async function rather than `.then()`: V8 awaits a native promise with fewer microtask hops. */
async function settle<T>(work: PromiseLike<T>, done: (failed: boolean) => void): Promise<T> {
  let value: T;
  try {
    value = await work;
  } catch (error) {
    done(true);
    throw error;
  }
  done(false);
  return value;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((entry) => b.includes(entry));
}

/** `trainEpoch` → `train_epoch`, `loadHTTPData` → `load_http_data`. */
function toSnakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function errorMessage(value: unknown): string {
  return asError(value).message;
}
