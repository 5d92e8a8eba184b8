/*
 * Errors of the REST client. Each names the array and the call (`GET /api/2.12/buckets`), never
 * the API token or the session token, so a message can go to a log or a status page as it is.
 * The host recognises errors by `code`, so every class carries one.
 */

/** Where a failed call went: the array (`fb01.example.com`) and the call (`GET /api/2.12/buckets`). */
export interface CallSite {
  readonly array: string;
  readonly call: string;
}

/** A REST call to a FlashBlade failed. The subclasses say how. */
export abstract class FlashBladeError extends Error {
  abstract readonly code: string;
  /** The array's host (and port when not 443), as configured. */
  readonly array: string;
  /** Method and path of the call, without its query: `GET /api/2.12/file-systems/performance`. */
  readonly call: string;
  /**
   * What the self-metrics count the failure as: the HTTP status (`500`), or `timeout`,
   * `connection` or `invalid-response` when no usable answer came.
   */
  abstract readonly outcome: string;

  constructor(site: CallSite, message: string, options?: { cause?: unknown }) {
    super(`FlashBlade ${site.array}: ${site.call} ${message}`, options);
    this.array = site.array;
    this.call = site.call;
  }
}

/** The array answered with an HTTP error status. `apiMessage` is what its error body said. */
export class FlashBladeHttpError extends FlashBladeError {
  readonly code = 'ERR_FLASHBLADE_HTTP';
  readonly status: number;
  /** The messages of the `errors` body, joined; empty when it had none. */
  readonly apiMessage: string;
  /** The `context` of each entry of the `errors` body (the object or parameter it is about). */
  readonly contexts: readonly string[];

  constructor(site: CallSite, status: number, errors: readonly ApiErrorEntry[]) {
    const apiMessage = errors
      .map((entry) => entry.message)
      .filter((message) => message !== '')
      .join('; ');
    super(site, `answered HTTP ${status}${apiMessage === '' ? '' : `: ${apiMessage}`}`);
    this.name = 'FlashBladeHttpError';
    this.status = status;
    this.apiMessage = apiMessage;
    this.contexts = errors.flatMap((entry) => (entry.context === undefined ? [] : [entry.context]));
  }

  get outcome(): string {
    return String(this.status);
  }
}

/**
 * The array refused the API token (or the login could not be made). Every part of the collection
 * fails with it, so it is the error the instance reports.
 */
export class FlashBladeLoginError extends FlashBladeError {
  readonly code = 'ERR_FLASHBLADE_LOGIN';
  /** The login's HTTP status, 0 when the array gave none. */
  readonly status: number;

  constructor(site: CallSite, status: number, apiMessage: string) {
    super(site, `refused the login with HTTP ${status}${apiMessage === '' ? '' : `: ${apiMessage}`} (check the API token and its user's role)`);
    this.name = 'FlashBladeLoginError';
    this.status = status;
  }

  get outcome(): string {
    return String(this.status);
  }
}

/** No answer within the per-request timeout. */
export class FlashBladeTimeoutError extends FlashBladeError {
  readonly code = 'ERR_FLASHBLADE_TIMEOUT';
  readonly outcome = 'timeout';
  readonly timeoutMs: number;

  constructor(site: CallSite, timeoutMs: number) {
    super(site, `got no answer within ${timeoutMs / 1000} s`);
    this.name = 'FlashBladeTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The connection failed: refused, reset, DNS, TLS verification. */
export class FlashBladeConnectionError extends FlashBladeError {
  readonly code = 'ERR_FLASHBLADE_CONNECTION';
  readonly outcome = 'connection';

  constructor(site: CallSite, cause: unknown) {
    super(site, `failed: ${describeCause(cause)}`, { cause });
    this.name = 'FlashBladeConnectionError';
  }
}

/** The answer was not the JSON the API documents (truncated, not JSON, no `items`). */
export class FlashBladeResponseError extends FlashBladeError {
  readonly code = 'ERR_FLASHBLADE_RESPONSE';
  readonly outcome = 'invalid-response';

  constructor(site: CallSite, problem: string, options?: { cause?: unknown }) {
    super(site, `answered with ${problem}`, options);
    this.name = 'FlashBladeResponseError';
  }
}

/** One entry of the API's error body `{"errors":[{"context", "message"}]}`. */
export interface ApiErrorEntry {
  readonly context?: string;
  readonly message: string;
}

/** The entries of an error body, or none when `text` is not one. Never throws. */
export function parseErrorBody(text: string): ApiErrorEntry[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const errors = typeof body === 'object' && body !== null ? (body as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { context, message } = entry as { context?: unknown; message?: unknown };
    // Bounded: the message ends up in logs and on the status page.
    const text = typeof message === 'string' ? message.slice(0, 300) : '';
    return [typeof context === 'string' ? { context, message: text } : { message: text }];
  });
}

/** A short reason for a network failure: the system error code and message, or the certificate problem. */
function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const code = (cause as { code?: unknown }).code;
  const nested = cause.cause instanceof Error && cause.message === 'fetch failed' ? cause.cause : cause;
  return typeof code === 'string' && !nested.message.includes(code) ? `${code}: ${nested.message}` : nested.message;
}
