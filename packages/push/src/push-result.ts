/** Why a push (or a textfile write) did not succeed. */
export type PushFailureReason =
  /** No gateway URL, an invalid URL, an unreadable CA or certificate file, or a timeout or retry setting out of range. Never retried. */
  | 'configuration'
  /** The registry could not be rendered (a custom collector threw). Never retried. */
  | 'render'
  /** The connection was refused, reset or could not be made. Retried. */
  | 'connection'
  /** No complete answer within `timeoutMs`. Retried. */
  | 'timeout'
  /** The TLS handshake failed (unknown CA, wrong host name, expired certificate). Never retried. */
  | 'tls'
  /** The Pushgateway answered with a status outside 2xx. Retried for 5xx only. */
  | 'status'
  /** The textfile could not be written. */
  | 'filesystem';

/** The HTTP method of each operation, as the Pushgateway API defines them. */
export type PushMethod = 'PUT' | 'POST' | 'DELETE';

/** A push the Pushgateway accepted. */
export interface PushSuccess {
  readonly ok: true;
  readonly method: PushMethod;
  /** The group URL, without credentials. */
  readonly url: string;
  readonly status: number;
  /** Requests sent, retries included. */
  readonly attempts: number;
}

/** A push that did not reach the Pushgateway or that the Pushgateway refused. */
export interface PushFailure {
  readonly ok: false;
  readonly method: PushMethod;
  /** The group URL without credentials, when it could be built. */
  readonly url: string | undefined;
  readonly reason: PushFailureReason;
  /** One sentence saying what went wrong, including the Pushgateway's own answer for a status failure. */
  readonly message: string;
  /** The HTTP status for `reason: 'status'`. */
  readonly status?: number;
  /** Requests sent, retries included (0 when none could be sent). */
  readonly attempts: number;
  /** The underlying error, when there was one. */
  readonly error?: Error;
}

/** The outcome of `push()`, `pushAdd()` and `delete()`. Check `ok`; it never throws unless `strict` is set. */
export type PushResult = PushSuccess | PushFailure;

/** The outcome of `writeTextfile()`. */
export type TextfileResult =
  | { readonly ok: true; readonly path: string }
  | { readonly ok: false; readonly path: string | undefined; readonly reason: 'filesystem' | 'render'; readonly message: string; readonly error?: Error };

/**
 * Thrown instead of returning a failed result when the job was created with `strict: true`.
 * `result` carries the same fields the non-strict call would have returned.
 */
export class PushError extends Error {
  readonly code = 'ERR_TESSERA_PUSH';
  readonly result: PushFailure | Extract<TextfileResult, { ok: false }>;

  constructor(result: PushFailure | Extract<TextfileResult, { ok: false }>) {
    super(result.message, result.error === undefined ? undefined : { cause: result.error });
    this.name = 'PushError';
    this.result = result;
  }
}
