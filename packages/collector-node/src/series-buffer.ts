import type { HistogramValue, LabelsOf, MetricFamily, MetricSink, SummaryValue } from '@tessera/collector-api';
import { SERIES_PER_CHECK, type EventLoopPacer } from './pacer.js';

/** The labels of every label-less sample: one frozen object instead of one `{}` per sample. */
export const NO_LABELS: Readonly<Record<never, string>> = Object.freeze({});

/**
 * The sink a sub-collector writes into: it records, and {@link replayInto} hands everything to the
 * host's sink once the sub-collector has succeeded, so a failure halfway leaves nothing behind.
 *
 * It does not validate: the host's sink does that on replay, and validating twice cost a tenth of
 * a collection. What the host would refuse cannot reach it from here: families and label sets are
 * checked by the compiler, parsers drop repeated kernel entries, and textfiles are validated when
 * parsed. Series are kept in three parallel arrays rather than one object each, as a collection
 * records several hundred of them.
 */
export class SeriesBuffer implements MetricSink {
  readonly #families: MetricFamily[] = [];
  readonly #labels: Readonly<Record<string, string>>[] = [];
  readonly #values: (number | HistogramValue | SummaryValue)[] = [];
  readonly #declared: MetricFamily[] = [];
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
    this.#declared.push(family);
  }

  /** Ends recording: later calls throw, so a stray promise cannot write into a finished collection. */
  close(): void {
    this.#closed = true;
  }

  /** The families declared through {@link declare} (dynamic ones: meminfo, vmstat, textfiles). */
  declaredFamilies(): readonly MetricFamily[] {
    return this.#declared;
  }

  /**
   * Declares on `sink` the families declared here, then adds every series in the order recorded.
   * With a `pacer`, a long replay (a large textfile) gives the event loop back every so often and
   * stops when the collection is aborted.
   */
  async replayInto(sink: MetricSink, pacer?: EventLoopPacer): Promise<void> {
    for (const family of this.#declared) sink.declare(family);
    const families = this.#families;
    for (let index = 0; index < families.length; index++) {
      if (pacer !== undefined && (index & (SERIES_PER_CHECK - 1)) === SERIES_PER_CHECK - 1) await pacer.pace();
      const family = families[index] as MetricFamily;
      const labels = this.#labels[index] ?? NO_LABELS;
      const value = this.#values[index] as number | HistogramValue | SummaryValue;
      if (family.type === 'histogram') sink.addHistogram(family, labels, value as HistogramValue);
      else if (family.type === 'summary') sink.addSummary(family, labels, value as SummaryValue);
      else sink.add(family, labels, value as number);
    }
  }

  #record(family: MetricFamily, labels: Readonly<Record<string, string>>, value: number | HistogramValue | SummaryValue): void {
    this.#assertOpen();
    this.#families.push(family);
    this.#labels.push(labels);
    this.#values.push(value);
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('a sub-collector wrote after its collection ended');
  }
}
