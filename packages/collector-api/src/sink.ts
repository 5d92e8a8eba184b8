import type { LabelsOf, MetricFamily } from './metric-family.js';

/** Cumulative histogram buckets, as the text format carries them. */
export interface HistogramValue {
  /** `[upperBound, cumulativeCount]` in increasing bound order; `+Inf` may be omitted (it equals `count`). */
  readonly buckets: readonly (readonly [upperBound: number, cumulativeCount: number])[];
  readonly count: number;
  readonly sum: number;
}

/** Pre-computed quantiles, as the text format carries them. */
export interface SummaryValue {
  /** `[quantile, value]` pairs, quantiles in [0, 1]. */
  readonly quantiles: readonly (readonly [quantile: number, value: number])[];
  readonly count: number;
  readonly sum: number;
}

/** How one part of a collection went; see {@link MetricSink.part}. */
export interface PartOutcome {
  readonly name: string;
  readonly success: boolean;
  /** One line: why the part failed; `undefined` on success. */
  readonly error: string | undefined;
  readonly durationSeconds: number;
}

/** Settings of one part; see {@link MetricSink.part}. */
export interface PartOptions {
  /**
   * For a part replayed from a background snapshot: when the snapshot was taken (wall-clock ms,
   * `clock.now()`). The host shows its age and exports it as
   * `tessera_collector_part_sample_timestamp_seconds`.
   */
  readonly sampledAt?: number;
  /** How long producing the part took when that was not this call (the snapshot's sampling time). */
  readonly durationSeconds?: number;
  /**
   * An object that alone determines what the part emits: the snapshot it replays. When the part runs
   * again with the very same object (`===`) as the last time it succeeded, the host may skip `work`
   * and serve the samples committed then, without validating or rendering them again. Give it only
   * when nothing else the part reads (another task's value, the clock) changes its samples.
   */
  readonly reuseKey?: object;
}

/**
 * The only output path of a collector. The host creates one sink per collection and hands it to
 * `collect()`; it is valid only until that promise settles or the deadline passes. Later calls
 * are dropped (the host logs the first one): a collector must stop emitting when its signal fires.
 *
 * Every method validates what it is given and throws `MetricContractError` on a contract breach:
 * a family that was not declared (in `plugin.metrics`, `collector.metrics` or via {@link declare}),
 * labels that are not exactly the family's label names, a second sample with the same labels, or a
 * value of the wrong shape. The host turns that into a failed collection of this collector only.
 *
 * Not thread-safe in any sense that matters: call it from the collect() that received it.
 */
export interface MetricSink {
  /** Adds one sample of a counter, gauge or untyped family. NaN and ±Inf are legal values. */
  add<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: number): void;
  /** Adds one histogram series (its `_bucket`, `_sum` and `_count` samples). */
  addHistogram<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: HistogramValue): void;
  /** Adds one summary series (its quantile, `_sum` and `_count` samples). */
  addSummary<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: SummaryValue): void;
  /**
   * Declares a family during collection. Only for pass-through sources whose families are data and
   * can change between scrapes (the textfile directory). The host still validates the family, and
   * rejects one that clashes with a family declared elsewhere in the same scrape.
   */
  declare(family: MetricFamily): void;
  /**
   * Runs one named part of the collection (a sub-collector, a REST endpoint group, one GPU) into a
   * sink of its own. Its samples reach this sink only if `work` succeeds; when it throws, they are
   * discarded, the failure is logged, and the collection goes on: a failing part costs only its own
   * series. The host reports every part as `tessera_collector_part_success{part}` and
   * `tessera_collector_part_duration_seconds{part}` and lists failing ones on the status page;
   * the instance's own success stays 1.
   *
   * Never rejects because `work` failed: resolves with the outcome. Parts may run concurrently;
   * a name may be used once per collection and must match `[a-zA-Z0-9_.:/-]+`. `NoDataError` fails
   * the part quietly (logged at debug). Declaring a family inside a part validates it at once, so a
   * family the host owns or that clashes with another declaration throws `MetricContractError` from
   * `declare()` and fails only that part (or only what the part catches).
   */
  part(name: string, work: (sink: MetricSink) => Promise<void> | void, options?: PartOptions): Promise<PartOutcome>;
}
