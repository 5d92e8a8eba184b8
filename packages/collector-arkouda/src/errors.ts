/**
 * Why a poll of an Arkouda server failed, as the `reason` label of `arkouda_poll_failures_total`:
 * - `unreachable`: no connection could be made within the request timeout;
 * - `timeout`: connected, but no reply within the request timeout (the daemon is down, busy, or
 *   wedged by a request it could not read, which ends its task until the server restarts);
 * - `error_reply`: the server answered with `msgType` ERROR;
 * - `empty_reply`: the reply's `msg` was empty (the port is not a metrics daemon, or the server does
 *   not handle the command);
 * - `malformed_reply`: the reply was not the JSON the protocol describes;
 * - `unsupported_version`: the server speaks an argument encoding this client never sends.
 */
export const FAILURE_REASONS = ['unreachable', 'timeout', 'error_reply', 'empty_reply', 'malformed_reply', 'unsupported_version'] as const;

/** One failure reason. */
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** A failed exchange with an Arkouda server; `reason` classifies it for the failure counter. */
export class ArkoudaError extends Error {
  readonly reason: FailureReason;

  constructor(reason: FailureReason, message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'ArkoudaError';
    this.reason = reason;
  }
}
