/**
 * Backoff between polls of a failing server, as plain data. After a failure the next scheduled
 * poll still runs; each further failure in a row doubles the polls skipped before the next
 * attempt (1, 3, then 7, at most), with ±20 % jitter so that servers that went down together do
 * not come back in step. A success resets it. Skipped polls send nothing.
 */

/** Where a server stands in its backoff. */
export interface BackoffState {
  /** Failed polls in a row. */
  readonly consecutiveFailures: number;
  /** Scheduled polls still to skip before the next attempt. */
  readonly pollsToSkip: number;
}

/** No failures: every scheduled poll runs. */
export const NO_BACKOFF: BackoffState = { consecutiveFailures: 0, pollsToSkip: 0 };

/** The most scheduled polls skipped in a row: a down server is still tried every 8 intervals. */
export const MAX_POLLS_SKIPPED = 7;

/** The state after a failed poll. `random` returns a number in [0, 1). */
export function afterFailure(state: BackoffState, random: () => number = Math.random): BackoffState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  const base = Math.min(2 ** (consecutiveFailures - 1) - 1, MAX_POLLS_SKIPPED);
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  return { consecutiveFailures, pollsToSkip: Math.min(jittered, MAX_POLLS_SKIPPED) };
}

/** Whether the scheduled poll now due runs, and the state after deciding. */
export function takeScheduledPoll(state: BackoffState): { readonly run: boolean; readonly state: BackoffState } {
  if (state.pollsToSkip <= 0) return { run: true, state };
  return { run: false, state: { ...state, pollsToSkip: state.pollsToSkip - 1 } };
}
