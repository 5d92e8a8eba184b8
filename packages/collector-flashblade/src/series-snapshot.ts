import type { LabelsOf, MetricFamily, MetricSink } from '@tessera/collector-api';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Series handed to the host's sink between two turns of the event loop. */
const REPLAY_BATCH = 5000;

/**
 * The series of one background refresh (`usage-users`, `clients-performance`), kept between
 * refreshes and handed to each collection's part with {@link replayInto}. It records what a part
 * writes, so the same part code serves both the foreground and the background.
 */
export class SeriesSnapshot implements MetricSink {
  readonly #families: MetricFamily[] = [];
  readonly #labels: Readonly<Record<string, string>>[] = [];
  readonly #values: number[] = [];

  /** Series recorded. */
  get size(): number {
    return this.#values.length;
  }

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
   * Adds every series recorded to `sink`, in the order written, letting the event loop run every
   * few thousand (a large array's usage is hundreds of thousands). Stops with the signal's reason
   * once `signal` fires.
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
