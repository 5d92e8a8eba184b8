import type { LabelsOf, MetricFamily, MetricSink } from '@tessera/collector-api';
import { seriesKey } from '@tessera/exposition';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Series replayed between two turns of the event loop. */
const REPLAY_BATCH = 5000;

/**
 * The sink one part of a collection writes into. It keeps the part's series until the part has
 * succeeded, so a part that fails halfway leaves nothing behind, then {@link replayInto} hands them
 * to the host's sink. A series written twice (an array listing an object twice, across pages that
 * shifted under a continuation token) is kept once: the first value wins and {@link duplicates}
 * counts the others, so an array's quirk never turns into a failed scrape.
 */
export class PartOutput implements MetricSink {
  readonly #families: MetricFamily[] = [];
  readonly #labels: Readonly<Record<string, string>>[] = [];
  readonly #values: number[] = [];
  readonly #keys = new Set<string>();
  #duplicates = 0;

  /** Series dropped because the part had already written them. */
  get duplicates(): number {
    return this.#duplicates;
  }

  /** Series kept. */
  get size(): number {
    return this.#values.length;
  }

  add<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: number): void {
    const key = `${family.name}\u0000${seriesKey(family.labelNames, labels)}`;
    if (this.#keys.has(key)) {
      this.#duplicates++;
      return;
    }
    this.#keys.add(key);
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

  /**
   * Adds every series kept to `sink`, in the order written, letting the event loop run every few
   * thousand (a large array's collection replays hundreds of thousands). Stops with the signal's
   * reason once `signal` fires.
   */
  async replayInto(sink: MetricSink, signal: AbortSignal): Promise<void> {
    for (let index = 0; index < this.#values.length; index++) {
      if (index > 0 && index % REPLAY_BATCH === 0) {
        await yieldToEventLoop();
        signal.throwIfAborted();
      }
      sink.add(this.#families[index] as MetricFamily, this.#labels[index] as Readonly<Record<string, string>>, this.#values[index] as number);
    }
  }
}
