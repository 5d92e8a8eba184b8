/** Releases a slot taken with {@link ConcurrencyLimit.acquire}; calling it twice releases once. */
export type Release = () => void;

interface Waiter {
  readonly grant: (release: Release) => void;
  readonly signal: AbortSignal;
  readonly onAbort: () => void;
}

/**
 * At most `limit` holders at a time, the rest waiting in arrival order. A waiter whose signal
 * fires leaves the queue at once and rejects with the signal's reason, so an aborted collection
 * never holds up the next one.
 */
export class ConcurrencyLimit {
  readonly limit: number;
  #held = 0;
  readonly #waiting: Waiter[] = [];

  constructor(limit: number) {
    if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError(`the concurrency limit must be a positive integer, not ${limit}`);
    this.limit = limit;
  }

  /** Slots held now. */
  get held(): number {
    return this.#held;
  }

  /** Waits for a slot. Rejects with `signal.reason` if the signal fires first. */
  acquire(signal: AbortSignal): Promise<Release> {
    signal.throwIfAborted();
    if (this.#held < this.limit) {
      this.#held++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: resolve,
        signal,
        onAbort: () => {
          const index = this.#waiting.indexOf(waiter);
          if (index !== -1) this.#waiting.splice(index, 1);
          reject(signal.reason as Error);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next === undefined) {
        this.#held--;
        return;
      }
      // The slot passes straight to the next waiter: the held count does not change.
      next.signal.removeEventListener('abort', next.onAbort);
      next.grant(this.#releaser());
    };
  }
}
