/**
 * Waits for `promise` at most `timeoutMs`: its result, or `onTimeout()`'s once the time is up (a
 * throw there rejects). The timer is cleared either way; the promise itself is left to run.
 */
export async function withTimeout<T, U>(promise: Promise<T>, timeoutMs: number, onTimeout: () => U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    return await Promise.race([promise, expired.then(onTimeout)]);
  } finally {
    clearTimeout(timer);
  }
}

/** How work given to {@link settleWithin} ended: its value, its error, or still running at the deadline. */
export type Settled<T> = { readonly value: T } | { readonly error: unknown } | { readonly abandoned: Promise<T> };

/**
 * Starts `run` on the next microtask (so a synchronous throw is a rejection like any other) and
 * waits for it at most `timeoutMs`. A rejection without a reason reads as `Error(fallbackReason)`.
 * Past the deadline the work is `abandoned`: still running, for the caller to abort and track.
 */
export function settleWithin<T>(run: () => Promise<T> | T, timeoutMs: number, fallbackReason: string): Promise<Settled<T>> {
  const work = Promise.resolve().then(run);
  const settled = work.then(
    (value): Settled<T> => ({ value }),
    (error: unknown): Settled<T> => ({ error: error ?? new Error(fallbackReason) }),
  );
  return withTimeout(settled, timeoutMs, (): Settled<T> => ({ abandoned: work }));
}
