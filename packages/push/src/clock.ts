/**
 * The two clocks a job reads. Durations come from the monotonic one only, so a wall clock that NTP or
 * an operator steps backwards can never produce a negative duration, a classic bug of hand-written
 * batch timers. Timestamps such as `<job>_last_success_timestamp_seconds` come from the wall clock,
 * because Prometheus compares them with `time()`.
 */
export interface Clock {
  /** Milliseconds from an arbitrary origin that never goes backwards (`performance.now()`). */
  monotonicMilliseconds(): number;
  /** Milliseconds since the Unix epoch (`Date.now()`). */
  wallMilliseconds(): number;
}

/** The process clocks: `performance.now()` and `Date.now()`. */
export const systemClock: Clock = {
  monotonicMilliseconds: () => performance.now(),
  wallMilliseconds: () => Date.now(),
};
