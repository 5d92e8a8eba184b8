/** The reason a signal fired, as an Error (what `signal.throwIfAborted()` would throw, but never a non-Error). */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}
