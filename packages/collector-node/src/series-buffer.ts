import type { HistogramValue, LabelsOf, MetricFamily, MetricSink, SummaryValue } from '@tessera/collector-api';

/** One recorded series. */
interface BufferedSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number | HistogramValue | SummaryValue;
}

/**
 * The sink a sub-collector writes into: it records, and {@link replayInto} hands everything to the
 * host's sink once the sub-collector has succeeded, so a failure halfway leaves nothing behind.
 *
 * It does not validate: the host's sink does that on replay, and validating twice cost a tenth of
 * a collection. What the host would refuse cannot reach it from here: families and label sets are
 * checked by the compiler, parsers drop repeated kernel entries, and textfiles are validated when
 * parsed.
 */
export class SeriesBuffer implements MetricSink {
  readonly #series = new Map<MetricFamily, BufferedSeries[]>();
  readonly #declared = new Set<MetricFamily>();
  #closed = false;

  add<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: number): void {
    this.#record(family, labels, value);
  }

  addHistogram<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: HistogramValue): void {
    this.#record(family, labels, value);
  }

  addSummary<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: SummaryValue): void {
    this.#record(family, labels, value);
  }

  declare(family: MetricFamily): void {
    this.#assertOpen();
    this.#declared.add(family);
  }

  /** Ends recording: later calls throw, so a stray promise cannot write into a finished collection. */
  close(): void {
    this.#closed = true;
  }

  /** The families that received series. */
  families(): IterableIterator<MetricFamily> {
    return this.#series.keys();
  }

  /** Declares on `sink` the families declared here, except those in `known`, then adds every series. */
  replayInto(sink: MetricSink, known: ReadonlySet<MetricFamily>): void {
    for (const family of this.#declared) if (!known.has(family) && this.#series.has(family)) sink.declare(family);
    for (const [family, entries] of this.#series) {
      for (const { labels, value } of entries) {
        if (family.type === 'histogram') sink.addHistogram(family, labels, value as HistogramValue);
        else if (family.type === 'summary') sink.addSummary(family, labels, value as SummaryValue);
        else sink.add(family, labels, value as number);
      }
    }
  }

  #record(family: MetricFamily, labels: Readonly<Record<string, string>>, value: BufferedSeries['value']): void {
    this.#assertOpen();
    let entries = this.#series.get(family);
    if (entries === undefined) {
      entries = [];
      this.#series.set(family, entries);
    }
    entries.push({ labels, value });
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('a sub-collector wrote after its collection ended');
  }
}
