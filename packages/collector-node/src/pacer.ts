import type { Clock } from '@tessera/collector-api';

/** How long a stretch of synchronous work may hold the event loop before it is handed back. */
const SLICE_MS = 20;

/** How many series a loop emits between two calls of {@link EventLoopPacer.pace} (a power of two). */
export const SERIES_PER_CHECK = 512;

/**
 * Cuts a long synchronous loop (emitting 50 000 textfile series) into slices: call {@link pace}
 * every so often, and once {@link SLICE_MS} have passed since the last break it waits for the event
 * loop to run what is queued (other scrapes, `/-/healthy`), then throws if the collection was
 * aborted meanwhile. Between slices it costs one clock read.
 */
export class EventLoopPacer {
  readonly #clock: Clock;
  readonly #signal: AbortSignal;
  #since: number;

  constructor(clock: Clock, signal: AbortSignal) {
    this.#clock = clock;
    this.#signal = signal;
    this.#since = clock.monotonic();
  }

  /** Yields to the event loop when the current slice is used up; rejects with the signal's reason once aborted. */
  async pace(): Promise<void> {
    if (this.#clock.monotonic() - this.#since < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.#signal.throwIfAborted();
    this.#since = this.#clock.monotonic();
  }
}
