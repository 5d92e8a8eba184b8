import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { Agent, ProxyAgent, request } from './undici-parts.js';
import { TEXT_CONTENT_TYPE } from '@tessera/exposition';
import { SupersededError } from './deadline.js';
import { parseGatewayUrl } from './gateway-url.js';
import type { PushFailure, PushFailureReason, PushMethod, PushResult } from './push-result.js';

/** The two levels the client logs at; a pino `Logger` has them. */
export interface PushLogger {
  warn(context: object, message: string): void;
  debug(context: object, message: string): void;
}

/** How to reach the Pushgateway: timeouts, retries, TLS, authentication and proxy. */
export interface TransportOptions {
  /**
   * Pushgateway base URL, e.g. `https://pushgateway.monitoring:9091` (a path prefix is kept). Without
   * a scheme (`pushgateway:9091`, a common spelling of `PUSHGATEWAY_URL`) it is read as `http://`, as
   * Python's prometheus_client does. Credentials in the URL (`https://user:password@host`) become
   * basic auth. Defaults to the `PUSHGATEWAY_URL` environment variable.
   */
  readonly gateway?: string | undefined;
  /** Per-request deadline in milliseconds, connection included. Default 5000. */
  readonly timeoutMs?: number | undefined;
  /** Further attempts after a connection error, a timeout or a 5xx; never after a 4xx or 3xx. Default 2. */
  readonly retries?: number | undefined;
  /** Base of the exponential backoff between attempts, in milliseconds; each delay is jittered. Default 200. */
  readonly retryDelayMs?: number | undefined;
  /** Upper bound of one backoff delay, in milliseconds. Default 5000. */
  readonly maxRetryDelayMs?: number | undefined;
  /** PEM file of the CA that signed the Pushgateway's certificate, for a Pushgateway behind a private CA. */
  readonly caFile?: string | undefined;
  /** PEM client certificate, for a Pushgateway that requires mutual TLS. Needs `keyFile`. */
  readonly certFile?: string | undefined;
  /** PEM private key of `certFile`. */
  readonly keyFile?: string | undefined;
  /** HTTP basic authentication, as the exporter-toolkit `basic_auth_users` setting expects. */
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  /** Sent as `Authorization: Bearer <token>`, for a Pushgateway behind an authenticating proxy. */
  readonly bearerToken?: string | undefined;
  /** HTTP(S) proxy URL; requests to an https gateway are tunnelled through it with CONNECT. */
  readonly proxy?: string | undefined;
  /** Extra request headers. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Settings the client needs besides {@link TransportOptions}; the job supplies them. */
export interface PushgatewayClientOptions extends TransportOptions {
  readonly logger: PushLogger;
  /** Fields added to the warning logged for a failed push (the job name, for instance). */
  readonly logContext?: Readonly<Record<string, unknown>>;
  /** Source of jitter in [0, 1); injected by tests. */
  readonly random?: () => number;
}

/** Per-call overrides. */
export interface SendOptions {
  /** Replaces the configured retry count for this call (the final push on a signal uses 0). */
  readonly retries?: number;
  /**
   * Ends the call early: an attempt in flight is abandoned, no further attempt or backoff follows,
   * and the result is a `timeout` failure carrying the signal's reason (an `Error`) as its message.
   * Used for the deadlines of `close()` and of a final push.
   */
  readonly signal?: AbortSignal;
  /**
   * Ends the call at its next step without cutting the attempt in flight: no further attempt or
   * backoff follows. A request the gateway may have received is never abandoned mid-way by it, so a
   * push sent after this call settles is sure to reach the gateway after it. Reported like `signal`.
   */
  readonly stopRetrying?: AbortSignal;
}

const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** Certificate-verification failures, where the usual fix is the `caFile` option. */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

/**
 * Sends exposition text to a Pushgateway over undici, with the exact text-format Content-Type, bounded
 * retries with jittered exponential backoff, and a deadline per request. It never throws and never
 * rejects: every outcome is a {@link PushResult}, and a failure logs exactly one warning.
 */
export class PushgatewayClient {
  readonly #options: PushgatewayClientOptions;
  #dispatcher: Dispatcher | undefined;

  constructor(options: PushgatewayClientOptions) {
    this.#options = options;
  }

  /** Sends one request to `groupPath` (from `buildGroupingPath`), retrying as configured. */
  async send(method: PushMethod, groupPath: string, body: string | undefined, sendOptions: SendOptions = {}): Promise<PushResult> {
    const result = await this.#sendWithRetries(method, groupPath, body, sendOptions);
    if (result.ok) return result;
    // A push replaced by a newer one lost nothing: its values go out with the newer push.
    if (result.error instanceof SupersededError) this.#options.logger.debug({ ...this.#options.logContext, method, url: result.url }, result.message);
    else this.report(result);
    return result;
  }

  /** Closes the connections this client opened. Later sends open new ones. */
  async close(): Promise<void> {
    const dispatcher = this.#dispatcher;
    this.#dispatcher = undefined;
    await dispatcher?.close();
  }

  async #sendWithRetries(method: PushMethod, groupPath: string, body: string | undefined, sendOptions: SendOptions): Promise<PushResult> {
    const target = resolveTarget(this.#options.gateway ?? process.env.PUSHGATEWAY_URL, groupPath);
    if (typeof target === 'string') return { ok: false, method, url: undefined, reason: 'configuration', message: target, attempts: 0 };
    const { signal, stopRetrying } = sendOptions;
    const settingProblem = describeSettingProblem(this.#options, sendOptions);
    if (settingProblem !== undefined) return { ok: false, method, url: target.displayUrl, reason: 'configuration', message: settingProblem, attempts: 0 };
    let dispatcher: Dispatcher;
    try {
      dispatcher = this.#getDispatcher();
    } catch (error) {
      const cause = asError(error);
      return { ok: false, method, url: target.displayUrl, reason: 'configuration', message: `cannot set up the connection: ${cause.message}`, attempts: 0, error: cause };
    }
    const headers = this.#buildHeaders(target.basicAuth, body !== undefined);
    const retries = Math.max(0, Math.floor(sendOptions.retries ?? this.#options.retries ?? 2));
    const timeoutMs = this.#options.timeoutMs ?? 5000;
    let attempts = 0;
    for (;;) {
      if (signal !== undefined && isAborted(signal)) return abandoned(method, target.displayUrl, attempts, signal);
      if (stopRetrying !== undefined && isAborted(stopRetrying)) return abandoned(method, target.displayUrl, attempts, stopRetrying);
      attempts++;
      const outcome = await attemptOnce(dispatcher, method, target.url, headers, body, { timeoutMs, hasClientCertificate: this.#options.certFile !== undefined, signal });
      if (!outcome.ok && signal !== undefined && isAborted(signal)) return abandoned(method, target.displayUrl, attempts, signal);
      if (outcome.ok) return { ok: true, method, url: target.displayUrl, status: outcome.status, attempts };
      if (!outcome.retryable || attempts > retries) {
        const failure: PushFailure = { ok: false, method, url: target.displayUrl, reason: outcome.reason, message: outcome.message, attempts };
        return {
          ...failure,
          ...(outcome.status === undefined ? {} : { status: outcome.status }),
          ...(outcome.error === undefined ? {} : { error: outcome.error }),
        };
      }
      const delayMs = this.#backoffMilliseconds(attempts);
      this.#options.logger.debug({ ...this.#options.logContext, method, url: target.displayUrl, attempt: attempts, delayMs, reason: outcome.reason }, `push attempt failed (${outcome.message}); retrying`);
      // A ref'd timer on purpose: the caller awaits this push, so the process must not exit mid-retry.
      const wakeEarly = [signal, stopRetrying].filter((each) => each !== undefined);
      await sleep(delayMs, undefined, wakeEarly.length === 0 ? undefined : { signal: AbortSignal.any(wakeEarly) }).catch(() => undefined);
    }
  }

  /** Equal jitter: half the exponential step, plus a random share of the other half. */
  #backoffMilliseconds(attempt: number): number {
    const base = this.#options.retryDelayMs ?? 200;
    const ceiling = Math.min(this.#options.maxRetryDelayMs ?? 5000, base * 2 ** (attempt - 1));
    const random = this.#options.random ?? Math.random;
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  }

  #buildHeaders(urlAuth: { username: string; password: string } | undefined, hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': 'tessera-push', ...this.#options.headers };
    if (hasBody) headers['content-type'] = TEXT_CONTENT_TYPE;
    const basicAuth = this.#options.basicAuth ?? urlAuth;
    if (this.#options.bearerToken !== undefined) headers.authorization = `Bearer ${this.#options.bearerToken}`;
    else if (basicAuth !== undefined) headers.authorization = `Basic ${Buffer.from(`${basicAuth.username}:${basicAuth.password}`, 'utf8').toString('base64')}`;
    return headers;
  }

  #getDispatcher(): Dispatcher {
    if (this.#dispatcher !== undefined) return this.#dispatcher;
    const { caFile, certFile, keyFile, proxy } = this.#options;
    if ((certFile === undefined) !== (keyFile === undefined)) throw new Error('certFile and keyFile must be given together');
    const tls = {
      ...(caFile === undefined ? {} : { ca: readFileSync(caFile) }),
      ...(certFile === undefined ? {} : { cert: readFileSync(certFile) }),
      ...(keyFile === undefined ? {} : { key: readFileSync(keyFile) }),
    };
    this.#dispatcher = proxy === undefined ? new Agent({ connect: tls }) : new ProxyAgent({ uri: proxy, requestTls: tls });
    return this.#dispatcher;
  }

  /** Logs the one warning of a failed push. */
  report(failure: PushFailure): void {
    this.#options.logger.warn(
      {
        ...this.#options.logContext,
        method: failure.method,
        url: failure.url,
        reason: failure.reason,
        status: failure.status,
        attempts: failure.attempts,
        err: failure.error,
      },
      `push to the Pushgateway failed, the job goes on: ${failure.message}`,
    );
  }
}

/** The longest delay a Node timer holds; beyond it Node fires after 1 ms instead (TimeoutOverflowWarning). */
const MAX_TIMER_MILLISECONDS = 2 ** 31 - 1;

/**
 * Why the timing settings cannot work, or `undefined` when they can. They often come from the
 * environment (`Number(process.env.X)` is NaN for a typo), and out of range they would make the timer
 * functions throw into the job, fire after 1 ms, or, for a NaN retry count, retry forever.
 */
function describeSettingProblem(options: TransportOptions, sendOptions: SendOptions): string | undefined {
  const durations = { timeoutMs: options.timeoutMs, retryDelayMs: options.retryDelayMs, maxRetryDelayMs: options.maxRetryDelayMs };
  for (const [name, value] of Object.entries(durations)) {
    if (value === undefined) continue;
    const minimum = name === 'timeoutMs' ? 1 : 0;
    if (!(Number.isFinite(value) && value >= minimum && value <= MAX_TIMER_MILLISECONDS)) return `${name} must be a number of milliseconds from ${minimum} to ${MAX_TIMER_MILLISECONDS}, not ${value}`;
  }
  const retries = sendOptions.retries ?? options.retries;
  if (retries !== undefined && !(Number.isFinite(retries) && retries >= 0)) return `retries must be a finite number of at least 0, not ${retries}`;
  return undefined;
}

/** A function, so that TypeScript does not keep a narrowing of `aborted` across an await. */
function isAborted(signal: AbortSignal): boolean {
  return signal.aborted;
}

/** The failure of a call whose `signal` fired: the deadline's own words, never retried. */
function abandoned(method: PushMethod, url: string, attempts: number, signal: AbortSignal): PushFailure {
  const reason: unknown = signal.reason;
  const message = reason instanceof Error ? reason.message : 'the push was abandoned';
  return { ok: false, method, url, reason: 'timeout', message, attempts, ...(reason instanceof Error ? { error: reason } : {}) };
}

interface Target {
  readonly url: string;
  readonly displayUrl: string;
  readonly basicAuth: { username: string; password: string } | undefined;
}

/** Joins the gateway base URL and the group path; returns a message when the URL is unusable. */
function resolveTarget(gateway: string | undefined, groupPath: string): Target | string {
  if (gateway === undefined || gateway.trim() === '') return 'no Pushgateway URL: set the gateway option or PUSHGATEWAY_URL';
  const base = parseGatewayUrl(gateway);
  if (typeof base === 'string') return base;
  const basicAuth = base.username === '' ? undefined : { username: decodeUserInfo(base.username), password: decodeUserInfo(base.password) };
  // Credentials never reach logs or results: they travel in the Authorization header only.
  const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}${groupPath}`;
  return { url, displayUrl: url, basicAuth };
}

/** The URL parser leaves a `%` not followed by two hex digits as it is (`50%off`); so do we. */
function decodeUserInfo(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

type AttemptOutcome =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly reason: PushFailureReason;
      readonly message: string;
      readonly status?: number;
      readonly error?: Error;
    };

async function attemptOnce(
  dispatcher: Dispatcher,
  method: PushMethod,
  url: string,
  headers: Record<string, string>,
  body: string | undefined,
  context: AttemptContext,
): Promise<AttemptOutcome> {
  const timeout = AbortSignal.timeout(context.timeoutMs);
  const signal = context.signal === undefined ? timeout : AbortSignal.any([timeout, context.signal]);
  try {
    const response = await request(url, { method, headers, body: body ?? null, dispatcher, signal });
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      await response.body.dump();
      return { ok: true, status };
    }
    const answer = (await readStart(response.body, ANSWER_BYTES)).trim().slice(0, 500);
    const redirect = status >= 300 && status < 400 ? ` (a redirect to ${response.headers.location?.toString() ?? 'nowhere'}: nothing was stored; check the gateway URL)` : '';
    return {
      ok: false,
      retryable: status >= 500,
      reason: 'status',
      status,
      message: `the Pushgateway answered ${status}${redirect}${answer === '' ? '' : `: ${answer}`}`,
    };
  } catch (error) {
    return classifyError(error, timeout.aborted, context, url);
  }
}

/** How much of an error answer is read for the message; the Pushgateway's own answers are one line. */
const ANSWER_BYTES = 4096;

/**
 * The first `limit` bytes of a body, then the rest is dropped with the connection: a misbehaving
 * gateway or proxy may send an error page of any size, or one that never ends.
 */
async function readStart(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= limit) break;
    }
  } catch {
    // The answer only decorates the message; the status already says what failed.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

interface AttemptContext {
  readonly timeoutMs: number;
  readonly hasClientCertificate: boolean;
  readonly signal: AbortSignal | undefined;
}

function classifyError(thrown: unknown, timedOut: boolean, context: AttemptContext, url: string): AttemptOutcome {
  const error = asError(thrown);
  const code = errorCode(error);
  if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return { ok: false, retryable: true, reason: 'timeout', message: `no answer from ${new URL(url).host} within ${context.timeoutMs} ms`, error };
  }
  if (code !== undefined && isTlsCode(code)) {
    const hint = CERTIFICATE_CODES.has(code) ? '; if the Pushgateway uses a private CA, pass its certificate with caFile' : '';
    return { ok: false, retryable: false, reason: 'tls', message: `TLS handshake with ${new URL(url).host} failed: ${innermostMessage(error)} (${code})${hint}`, error };
  }
  // With TLS 1.3 a server that requires a client certificate checks it after the handshake and just
  // closes the connection; undici then only knows that the other side closed.
  const hint =
    code === 'UND_ERR_SOCKET' && url.startsWith('https:') && !context.hasClientCertificate
      ? '; if the Pushgateway requires a client certificate (mutual TLS), pass certFile and keyFile'
      : '';
  return {
    ok: false,
    retryable: code === undefined || RETRYABLE_CODES.has(code),
    reason: 'connection',
    message: `cannot reach ${new URL(url).host}: ${innermostMessage(error)}${code === undefined ? '' : ` (${code})`}${hint}`,
    error,
  };
}

function isTlsCode(code: string): boolean {
  return CERTIFICATE_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT') || code === 'EPROTO';
}

/**
 * The errors along the chain: undici wraps socket errors (as `cause`), and a connection attempt to
 * several addresses fails with an AggregateError. Deeper errors say more precisely what happened.
 */
function errorChain(error: Error): Error[] {
  const chain: Error[] = [];
  for (let current: unknown = error; current instanceof Error && chain.length < 5; ) {
    chain.push(current);
    current = current instanceof AggregateError ? (current.errors as unknown[]).find((entry) => entry instanceof Error) : current.cause;
  }
  return chain;
}

function errorCode(error: Error): string | undefined {
  const codes = errorChain(error)
    .map((entry) => (entry as { code?: unknown }).code)
    .filter((code): code is string => typeof code === 'string');
  return codes.at(-1);
}

function innermostMessage(error: Error): string {
  return (
    errorChain(error)
      .map((entry) => entry.message)
      .filter((message) => message !== '')
      .at(-1) ?? error.name
  );
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
