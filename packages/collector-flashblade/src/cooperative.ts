import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Items visited between two turns of the event loop: about a millisecond of work each time. */
const BATCH = 500;

/**
 * Visits `items` in order, letting the event loop run between batches and stopping (with the
 * signal's reason) once `signal` fires. A list of 10 000 file systems turns into some 130 000
 * series: done in one go, that would hold up every other scrape and timer for a tenth of a second.
 */
export async function forEachCooperatively<T>(items: readonly T[], signal: AbortSignal, visit: (item: T) => void): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH) {
    if (start > 0) {
      await yieldToEventLoop();
      signal.throwIfAborted();
    }
    const end = Math.min(items.length, start + BATCH);
    for (let index = start; index < end; index++) visit(items[index] as T);
  }
}
