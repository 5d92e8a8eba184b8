import type { LabelsOf, MetricFamily, MetricSink } from '@tessera/collector-api';
import { Pacer } from './pacer.js';

/**
 * Series recorded to be handed on later with {@link replayInto}: one background refresh
 * (`usage-users`, `clients-performance`), kept between refreshes and served by each collection,
 * or a part of few series put in the host's order first. It records what a part writes, so the
 * same part code serves every case.
 */
export class SeriesSnapshot implements MetricSink {
  #families: MetricFamily[] = [];
  #labels: Readonly<Record<string, string>>[] = [];
  #values: number[] = [];

  add<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: number): void {
    this.#families.push(family);
    this.#labels.push(labels);
    this.#values.push(value);
  }

  addHistogram(family: MetricFamily): void {
    throw new TypeError(`${family.name}: the FlashBlade collector has no histograms`);
  }

  addSummary(family: MetricFamily): void {
    throw new TypeError(`${family.name}: the FlashBlade collector has no summaries`);
  }

  declare(family: MetricFamily): void {
    throw new TypeError(`${family.name}: the FlashBlade collector declares every family up front`);
  }

  part(name: string): never {
    throw new TypeError(`part ${name}: a background refresh records one part's series, it has no parts of its own`);
  }

  /**
   * Puts the series in the order the host renders them: families in the order they were first
   * written, each family's series by label values in label-name order (plain string order). For
   * parts of a few series; large ones write in that order to begin with.
   */
  sortInLabelOrder(): void {
    const firstSeen = new Map<MetricFamily, number>();
    this.#families.forEach((family, index) => firstSeen.has(family) || firstSeen.set(family, index));
    const order = this.#values.map((_value, index) => index);
    order.sort((a, b) => {
      const family = this.#families[a] as MetricFamily;
      const byFamily = (firstSeen.get(family) ?? 0) - (firstSeen.get(this.#families[b] as MetricFamily) ?? 0);
      if (byFamily !== 0) return byFamily;
      for (const label of family.labelNames) {
        const left = this.#labels[a]?.[label] ?? '';
        const right = this.#labels[b]?.[label] ?? '';
        if (left !== right) return left < right ? -1 : 1;
      }
      return a - b;
    });
    this.#families = order.map((index) => this.#families[index] as MetricFamily);
    this.#labels = order.map((index) => this.#labels[index] as Readonly<Record<string, string>>);
    this.#values = order.map((index) => this.#values[index] as number);
  }

  /**
   * Adds every series recorded to `sink`, in the order written, letting the event loop run every
   * few milliseconds (a large array's usage is hundreds of thousands). Stops with the signal's
   * reason once `signal` fires.
   */
  async replayInto(sink: MetricSink, signal: AbortSignal): Promise<void> {
    const pacer = new Pacer(signal);
    for (let index = 0; index < this.#values.length; index++) {
      sink.add(this.#families[index] as MetricFamily, this.#labels[index] as Readonly<Record<string, string>>, this.#values[index] as number);
      if (pacer.due()) await pacer.pause();
    }
  }
}
