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
}
