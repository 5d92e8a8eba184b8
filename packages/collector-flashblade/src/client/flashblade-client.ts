import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@tessera/collector-api';
import { request, type Dispatcher } from 'undici';
import { ConcurrencyLimit } from './concurrency-limit.js';
import {
  FlashBladeConnectionError,
  FlashBladeHttpError,
  FlashBladeLoginError,
  FlashBladeResponseError,
  FlashBladeTimeoutError,
  parseErrorBody,
  type CallSite,
} from './errors.js';

/** Query parameters of a call; `undefined` values are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** One object of a list, as the API returns it. */
export type ApiItem = Readonly<Record<string, unknown>>;

/**
 * How a list endpoint pages: `continuation` (most: follow `continuation_token`), `offset` (no token,
 * but `offset` works: `hardware-connectors/performance`), `none` (only `limit`:
 * `arrays/clients/performance`, which is cut at the limit).
 */
export type Paging = 'continuation' | 'offset' | 'none';

/** How a list is read; see {@link FlashBladeClient.list}. */
export interface ListOptions {
  /** How the endpoint pages (default `continuation`). */
  readonly paging?: Paging;
  /**
   * What makes two items the same object (default its `id`). An object listed twice (pages that
   * shifted under a continuation token while objects were created) is kept once; items without an
   * identity are all kept.
   */
  readonly identity?: (item: ApiItem) => string | undefined;
}

/** The default identity of a listed object: its `id`. */
const byId = (item: ApiItem): string | undefined => (typeof item.id === 'string' ? item.id : undefined);

/** Settings of a {@link FlashBladeClient}. */
export interface FlashBladeClientOptions {
  /** The array's management origin, `https://fb01.example.com` (`http:` only for simulators). */
  readonly origin: string;
  /** Every call goes through it; the host owns it (TLS settings, connection cap) and closes it. */
  readonly dispatcher: Dispatcher;
  /** Reads the API token. Called at each login, so a rotated token file is picked up at the next one. */
  readonly apiToken: (signal: AbortSignal) => Promise<string>;
  /** Use this REST version (`2.12`) instead of the newest the array serves. */
  readonly apiVersion?: string | undefined;
  /** Calls in flight at once, at most (default 8). */
  readonly maxConcurrentRequests?: number;
  /** Bound on one call, answer body included (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** The `limit` sent with each list page (default 1000, the API's own default). */
  readonly pageSize?: number;
  /** Longest request target (path and query) a call may have; `names=` lists are split to fit (default 4096). */
  readonly maxRequestTargetLength?: number;
  /** Wall-clock milliseconds, for the session's age (default `Date.now`). */
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** How many calls ended how, per endpoint: for the `tessera_flashblade_requests_total` self-metric. */
export interface RequestCount {
  /** The path without version and query: `/file-systems/performance`, `/login`. */
  readonly endpoint: string;
  /** The HTTP status, or `timeout`, `connection`, `invalid-response`. */
  readonly outcome: string;
  readonly count: number;
}

interface Session {
  readonly token: string;
  readonly apiVersion: string;
  readonly startedAtMs: number;
}

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

interface ListPage {
  readonly items: readonly ApiItem[];
  readonly continuationToken: string | null;
  readonly totalItemCount: number;
}

/** A 429 is retried this many times before the call fails. */
const RATE_LIMIT_RETRIES = 3;
/** Statuses worth one more try: the array's front end was briefly unable to answer. */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);
/** Room kept in a request target for `limit`, `continuation_token` and the version prefix. */
const PAGING_ALLOWANCE = 200;
const LOGOUT_TIMEOUT_MS = 5000;
const USER_AGENT = 'tessera-collector-flashblade';

/**
 * A FlashBlade REST 2.x client for one array: negotiates the API version, logs in with the API
 * token and keeps the session (`x-auth-token`) across collections, logs in again once when a call
 * answers 401 and retries it, waits out 429s as the rate-limit headers say, follows
 * `continuation_token` to the end of every list, splits `names=` lists to fit the URL, bounds
 * each call by a timeout and the caller's signal, keeps at most `maxConcurrentRequests` calls in
 * flight, and logs out at {@link close}.
 *
 * Errors are {@link FlashBladeError} subclasses naming the array and the call, never a token.
 * A call whose caller's signal fires rejects with the signal's reason.
 */
export class FlashBladeClient {
  readonly #options: FlashBladeClientOptions;
  /** The array as messages name it: host, and port when not the default. */
  readonly array: string;
  readonly #limit: ConcurrencyLimit;
  readonly #requestTimeoutMs: number;
  readonly #pageSize: number;
  readonly #maxTargetLength: number;
  readonly #now: () => number;
  /** Aborted at close(): stops a login under way. */
  readonly #lifetime = new AbortController();
  #apiVersion: string | undefined;
  #session: Promise<Session> | undefined;
  #current: Session | undefined;
  #closed = false;
  #logins = 0;
  readonly #counts = new Map<string, Map<string, number>>();
  /** Each caller's signal, relayed to one of the client's own: see {@link #relay}. */
  readonly #relays = new WeakMap<AbortSignal, AbortSignal>();

  constructor(options: FlashBladeClientOptions) {
    this.#options = options;
    this.array = new URL(options.origin).host;
    this.#limit = new ConcurrencyLimit(options.maxConcurrentRequests ?? 8);
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#pageSize = options.pageSize ?? 1000;
    this.#maxTargetLength = options.maxRequestTargetLength ?? 4096;
    this.#now = options.now ?? Date.now;
  }

  /** The REST version in use, once negotiated. */
  get apiVersion(): string | undefined {
    return this.#apiVersion;
  }

  /** Successful logins so far. */
  get logins(): number {
    return this.#logins;
  }

  /** Seconds since the current session logged in; undefined without one. */
  sessionAgeSeconds(): number | undefined {
    return this.#current === undefined ? undefined : Math.max(0, (this.#now() - this.#current.startedAtMs) / 1000);
  }

  /** Calls made so far by endpoint and outcome. */
  requestCounts(): RequestCount[] {
    const counts: RequestCount[] = [];
    for (const [endpoint, outcomes] of this.#counts) {
      for (const [outcome, count] of outcomes) counts.push({ endpoint, outcome, count });
    }
    return counts;
  }

  /**
   * Every object of a list, page after page (`path` is under `/api/<version>`, e.g. `/file-systems`),
   * each object once (see {@link ListOptions.identity}).
   */
  async list(path: string, query: Query, callerSignal: AbortSignal, options: ListOptions = {}): Promise<ApiItem[]> {
    const signal = this.#relay(callerSignal);
    const paging = options.paging ?? 'continuation';
    const items = new UniqueItems(options.identity ?? byId);
    const tokens = new Set<string>();
    let token: string | undefined;
    let received = 0;
    for (;;) {
      const page = await this.#get(path, { ...query, limit: this.#pageSize, continuation_token: token, offset: paging === 'offset' && received > 0 ? received : undefined }, signal);
      received += page.items.length;
      items.addAll(page.items);
      if (paging === 'none') {
        if (page.totalItemCount > received) {
          this.#options.logger?.warn({ endpoint: path, returned: received, total: page.totalItemCount }, `FlashBlade ${this.array}: ${path} has no paging and returned ${received} of ${page.totalItemCount} items`);
        }
        return items.list;
      }
      if (paging === 'offset') {
        if (page.items.length === 0 || received >= page.totalItemCount) return items.list;
        continue;
      }
      if (page.continuationToken === null) return items.list;
      // A token seen before, or a token with an empty page, would page forever.
      if (tokens.has(page.continuationToken) || page.items.length === 0) {
        throw new FlashBladeResponseError(this.#site('GET', path), 'a continuation token that does not advance');
      }
      tokens.add(page.continuationToken);
      token = page.continuationToken;
    }
  }

  /**
   * The objects named in `values` (passed as the list parameter `parameter`: `names`,
   * `file_system_ids`, …), in as few calls as the URL length allows, run concurrently (within
   * the client's concurrency bound), each followed to its last page.
   *
   * An object that disappears between the caller's listing and this call makes the array refuse
   * its whole batch with a 400 naming it; the batch is asked again once without the names the
   * error body gives.
   */
  async listNamed(path: string, query: Query, parameter: string, values: readonly string[], callerSignal: AbortSignal, options: ListOptions = {}): Promise<ApiItem[]> {
    const signal = this.#relay(callerSignal);
    const batches = this.#batches(path, query, parameter, values);
    const lists = await Promise.all(batches.map((batch) => this.#listBatch(path, query, parameter, batch, signal, options)));
    if (lists.length === 1) return lists[0] ?? [];
    const items = new UniqueItems(options.identity ?? byId);
    for (const list of lists) items.addAll(list);
    return items.list;
  }

  /**
   * Logs in now unless a session is open (negotiating the REST version first), so that a refused
   * token or an unreachable array fails a collection as a whole, with that error, before its parts.
   */
  async session(signal: AbortSignal): Promise<void> {
    await this.#sessionFor(this.#relay(signal));
  }

  /** The first object of a list (`arrays`, `arrays/space?type=…`), or undefined when it is empty. */
  async first(path: string, query: Query, signal: AbortSignal): Promise<ApiItem | undefined> {
    const page = await this.#get(path, query, this.#relay(signal));
    return page.items[0];
  }

  /** Logs out of the session, if any; later calls fail. Idempotent; never throws. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lifetime.abort(new Error('the FlashBlade client is closed'));
    const session = this.#current;
    this.#session = undefined;
    this.#current = undefined;
    if (session === undefined) return;
    try {
      const answer = await this.#send('POST', '/api/logout', { 'x-auth-token': session.token }, AbortSignal.timeout(LOGOUT_TIMEOUT_MS), '/logout', this.#site('POST', '/logout'));
      if (answer.status !== 200) this.#options.logger?.debug({ status: answer.status }, `FlashBlade ${this.array}: logout answered HTTP ${answer.status}`);
    } catch (error) {
      this.#options.logger?.debug({ error: (error as Error).message }, `FlashBlade ${this.array}: logout failed`);
    }
  }

  /**
   * A signal of the client's own that fires with `signal`. A collection's hundreds of concurrent
   * calls (and their waits for a slot or a login) each listen to it; relaying keeps that to one
   * listener on the caller's signal, below Node's leak warning.
   */
  #relay(signal: AbortSignal): AbortSignal {
    let relay = this.#relays.get(signal);
    if (relay === undefined) {
      const controller = new AbortController();
      setMaxListeners(0, controller.signal);
      if (signal.aborted) controller.abort(signal.reason);
      else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
      relay = controller.signal;
      this.#relays.set(signal, relay);
    }
    return relay;
  }

  async #listBatch(path: string, query: Query, parameter: string, batch: readonly string[], signal: AbortSignal, options: ListOptions): Promise<ApiItem[]> {
    try {
      return await this.list(path, { ...query, [parameter]: batch.join(',') }, signal, options);
    } catch (error) {
      if (!(error instanceof FlashBladeHttpError) || error.status !== 400) throw error;
      const gone = new Set(error.contexts.filter((context) => batch.includes(context)));
      if (gone.size === 0) throw error;
      this.#options.logger?.debug({ endpoint: path, gone: [...gone] }, `FlashBlade ${this.array}: ${gone.size} object(s) disappeared during the collection`);
      const rest = batch.filter((value) => !gone.has(value));
      return rest.length === 0 ? [] : this.list(path, { ...query, [parameter]: rest.join(',') }, signal, options);
    }
  }

  /** Splits `values` into lists whose request target stays within the length bound, and within one page each. */
  #batches(path: string, query: Query, parameter: string, values: readonly string[]): string[][] {
    const fixed = `/api/2.xx${path}?${encodeQuery(query)}&${parameter}=`.length + PAGING_ALLOWANCE;
    const budget = Math.max(1, this.#maxTargetLength - fixed);
    const batches: string[][] = [];
    let batch: string[] = [];
    let length = 0;
    for (const value of new Set(values)) {
      const cost = encodeValue(value).length + 1;
      if (batch.length > 0 && (length + cost > budget || batch.length >= this.#pageSize)) {
        batches.push(batch);
        batch = [];
        length = 0;
      }
      batch.push(value);
      length += cost;
    }
    if (batch.length > 0) batches.push(batch);
    return batches;
  }

  /** One GET of a list page with the session: re-login once on 401, waits on 429, one retry on 502–504. */
  async #get(path: string, query: Query, signal: AbortSignal): Promise<ListPage> {
    let loggedInAgain = false;
    let rateLimited = 0;
    let retriedTransient = false;
    for (;;) {
      const session = await this.#sessionFor(signal);
      const site = this.#site('GET', path);
      const target = `/api/${session.apiVersion}${path}${withQuery(query)}`;
      const answer = await this.#send('GET', target, { 'x-auth-token': session.token }, signal, path, site);
      if (answer.status === 200) return parseListPage(answer.text, site);
      if (answer.status === 401 && !loggedInAgain) {
        loggedInAgain = true;
        this.#forget(session);
        continue;
      }
      if (answer.status === 429 && rateLimited < RATE_LIMIT_RETRIES) {
        rateLimited++;
        await waitFor(rateLimitDelayMs(answer.headers), signal);
        continue;
      }
      if (TRANSIENT_STATUSES.has(answer.status) && !retriedTransient) {
        retriedTransient = true;
        continue;
      }
      throw new FlashBladeHttpError(site, answer.status, parseErrorBody(answer.text));
    }
  }

  /** The session, logging in when there is none. One login at a time, shared by every waiting call. */
  #sessionFor(signal: AbortSignal): Promise<Session> {
    if (this.#closed) return Promise.reject(new Error(`FlashBlade ${this.array}: the client is closed`));
    if (this.#session === undefined) {
      const login = this.#login().then(
        (session) => {
          if (this.#session === login) this.#current = session;
          return session;
        },
        (error: unknown) => {
          // Not kept: the next call logs in afresh instead of failing with this error forever.
          if (this.#session === login) this.#session = undefined;
          throw error;
        },
      );
      this.#session = login;
    }
    return raceSignal(this.#session, signal);
  }

  /** Drops a session the array no longer accepts, unless another call already replaced it. */
  #forget(session: Session): void {
    if (this.#current !== session) return;
    this.#current = undefined;
    this.#session = undefined;
  }

  /**
   * `GET /api/api_version` (first login only), then `POST /api/login` with the `api-token` header.
   * Bound by the request timeout and the client's lifetime, not by one caller's signal: other
   * calls may be waiting for the same login.
   */
  async #login(): Promise<Session> {
    const signal = this.#lifetime.signal;
    this.#apiVersion ??= await this.#negotiateVersion(signal);
    const apiVersion = this.#apiVersion;
    const token = await this.#options.apiToken(signal);
    const site = this.#site('POST', '/login');
    const answer = await this.#send('POST', '/api/login', { 'api-token': token }, signal, '/login', site);
    if (answer.status !== 200) {
      throw new FlashBladeLoginError(site, answer.status, parseErrorBody(answer.text).map((entry) => entry.message).join('; '));
    }
    const sessionToken = answer.headers['x-auth-token'];
    if (typeof sessionToken !== 'string' || sessionToken === '') throw new FlashBladeResponseError(site, 'no x-auth-token header');
    this.#logins++;
    return { token: sessionToken, apiVersion, startedAtMs: this.#now() };
  }

  async #negotiateVersion(signal: AbortSignal): Promise<string> {
    const site = this.#site('GET', '/api_version');
    const answer = await this.#send('GET', '/api/api_version', {}, signal, '/api_version', site);
    if (answer.status !== 200) throw new FlashBladeHttpError(site, answer.status, parseErrorBody(answer.text));
    const versions = parseVersions(answer.text, site);
    const wanted = this.#options.apiVersion;
    if (wanted !== undefined) {
      if (!versions.includes(wanted)) throw new FlashBladeResponseError(site, `versions ${versions.join(', ')}: REST ${wanted}, set in apiVersion, is not among them`);
      return wanted;
    }
    const newest = versions
      .map((version) => /^2\.(\d+)$/.exec(version))
      .filter((match) => match !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]))
      .pop();
    if (newest === undefined) throw new FlashBladeResponseError(site, `versions ${versions.join(', ') || '(none)'}, none of them REST 2.x`);
    return newest[0];
  }

  /** One HTTP exchange within a concurrency slot, bounded by the request timeout and `signal`. */
  async #send(method: 'GET' | 'POST', target: string, headers: Readonly<Record<string, string>>, signal: AbortSignal, endpoint: string, site: CallSite): Promise<Answer> {
    const release = await this.#limit.acquire(signal);
    const timeout = AbortSignal.timeout(this.#requestTimeoutMs);
    try {
      const response = await request(`${this.#options.origin}${target}`, {
        method,
        headers: { accept: 'application/json', 'user-agent': USER_AGENT, ...headers },
        dispatcher: this.#options.dispatcher,
        signal: AbortSignal.any([signal, timeout]),
      });
      const text = await response.body.text();
      this.#count(endpoint, String(response.statusCode));
      return { status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const failure = timeout.aborted ? new FlashBladeTimeoutError(site, this.#requestTimeoutMs) : new FlashBladeConnectionError(site, error);
      this.#count(endpoint, failure.outcome);
      throw failure;
    } finally {
      release();
    }
  }

  #count(endpoint: string, outcome: string): void {
    let outcomes = this.#counts.get(endpoint);
    if (outcomes === undefined) this.#counts.set(endpoint, (outcomes = new Map<string, number>()));
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  }

  #site(method: string, path: string): CallSite {
    const versioned = path === '/login' || path === '/logout' || path === '/api_version' ? `/api${path}` : `/api/${this.#apiVersion ?? '2.x'}${path}`;
    return { array: this.array, call: `${method} ${versioned}` };
  }
}

/** Items in arrival order, each identity once. */
class UniqueItems {
  readonly list: ApiItem[] = [];
  readonly #seen = new Set<string>();
  readonly #identity: (item: ApiItem) => string | undefined;

  constructor(identity: (item: ApiItem) => string | undefined) {
    this.#identity = identity;
  }

  addAll(items: readonly ApiItem[]): void {
    for (const item of items) {
      const key = this.#identity(item);
      if (key !== undefined) {
        if (this.#seen.has(key)) continue;
        this.#seen.add(key);
      }
      this.list.push(item);
    }
  }
}

/** Encodes a value, keeping the commas that separate list items readable. */
function encodeValue(value: string): string {
  return encodeURIComponent(value).replaceAll('%2C', ',');
}

function encodeQuery(query: Query): string {
  return Object.entries(query)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeValue(String(value))}`)
    .join('&');
}

function withQuery(query: Query): string {
  const encoded = encodeQuery(query);
  return encoded === '' ? '' : `?${encoded}`;
}

function parseJson(text: string, site: CallSite): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FlashBladeResponseError(site, `a body that is not JSON (${text.length} bytes)`, { cause: error });
  }
}

function parseListPage(text: string, site: CallSite): ListPage {
  const body = parseJson(text, site);
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { items?: unknown }).items)) {
    throw new FlashBladeResponseError(site, 'a body without an items list');
  }
  const { items, continuation_token: token, total_item_count: total } = body as { items: unknown[]; continuation_token?: unknown; total_item_count?: unknown };
  if (!items.every((item) => typeof item === 'object' && item !== null && !Array.isArray(item))) {
    throw new FlashBladeResponseError(site, 'an items list that holds something other than objects');
  }
  return {
    items: items as ApiItem[],
    continuationToken: typeof token === 'string' && token !== '' ? token : null,
    totalItemCount: typeof total === 'number' ? total : items.length,
  };
}

function parseVersions(text: string, site: CallSite): string[] {
  const versions = (parseJson(text, site) as { versions?: unknown } | null)?.versions;
  if (!Array.isArray(versions) || !versions.every((version) => typeof version === 'string')) {
    throw new FlashBladeResponseError(site, 'no versions list: this is not a FlashBlade REST API');
  }
  return versions;
}

/**
 * How long a 429 asks to wait: `Retry-After` when given; a minute when the per-minute budget is
 * spent (`X-RateLimit-Remaining-minute: 0`); otherwise a second, as the per-second budget resets.
 */
export function rateLimitDelayMs(headers: Readonly<Record<string, string | string[] | undefined>>): number {
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const retryAfter = header('retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  if (header('x-ratelimit-remaining-minute') === '0') return 60_000;
  return 1000;
}

/** Waits `milliseconds`, rejecting with the signal's reason if it fires first. */
async function waitFor(milliseconds: number, signal: AbortSignal): Promise<void> {
  try {
    await sleep(milliseconds, undefined, { signal });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw error;
  }
}

/** `promise`, or a rejection with the signal's reason as soon as it fires. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
