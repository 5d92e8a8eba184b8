import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Work between two turns of the event loop, at most: a slice of a 650k-series collection. */
const SLICE_MS = 5;
/** Steps between two looks at the clock. */
const STEPS_PER_LOOK = 128;

/**
 * Lets the event loop run every few milliseconds of a long synchronous job (turning 10 000 file
 * systems into 130 000 series), so health checks, other scrapes and timers are not held up, and
 * stops the job once its signal fires. Use: `if (pacer.due()) await pacer.pause();` after each
 * step; `due()` is cheap enough to call per series.
 */
export class Pacer {
  readonly #signal: AbortSignal;
  #since = performance.now();
  #steps = 0;

  constructor(signal: AbortSignal) {
    this.#signal = signal;
  }

  /** True when the current slice has used its time: the caller should `await pause()`. */
  due(): boolean {
    if (++this.#steps < STEPS_PER_LOOK) return false;
    this.#steps = 0;
    return performance.now() - this.#since >= SLICE_MS;
  }

  /** Yields to the event loop; rejects with the signal's reason once it has fired. */
  async pause(): Promise<void> {
    await yieldToEventLoop();
    this.#signal.throwIfAborted();
    this.#since = performance.now();
  }
}
