import type { HistogramValue, MetricFamily, SummaryValue } from '@tessera/collector-api';

/** One series of a collected family: its labels and a value of the family's shape. */
export interface Series {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | HistogramValue | SummaryValue;
}

/** A family with the samples one collection produced. Immutable once the collection is sealed. */
export interface CollectedFamily {
  readonly family: MetricFamily;
  readonly series: readonly Series[];
  /**
   * True when this very object comes back from later collections for as long as its samples stay
   * the same (a part reused from an unchanged snapshot): worth keeping what is made of it.
   */
  readonly stable?: boolean;
}
