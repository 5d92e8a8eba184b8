/** The abort reason of a push that a newer push of the same group replaces (a final push). */
export class SupersededError extends Error {
  constructor() {
    super('superseded by the final push');
    this.name = 'SupersededError';
  }
}

/**
 * An AbortSignal that fires after `milliseconds` with an `Error` saying which deadline passed. Its
 * timer is unref()'d and `dispose()` clears it, so a deadline never keeps a process alive.
 */
export function deadlineSignal(milliseconds: number, what: string): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`gave up: the ${what} deadline of ${milliseconds} ms passed`)), milliseconds);
  timer.unref();
  return { signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/**
 * Waits for `work` to settle (its outcome is the caller's to read), calling `onDeadline` once if
 * `deadline` fires first or has fired already: the caller's way to make the work give up.
 */
export async function settleBy(work: Promise<unknown>, deadline: AbortSignal | undefined, onDeadline: () => void): Promise<void> {
  if (deadline?.aborted === true) onDeadline();
  else deadline?.addEventListener('abort', onDeadline, { once: true });
  try {
    await work.catch(() => undefined);
  } finally {
    deadline?.removeEventListener('abort', onDeadline);
  }
}
