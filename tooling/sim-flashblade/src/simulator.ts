import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createTestCertificateAuthority } from '@tessera/test-support';
import { ApiError } from './api-error.js';
import { buildEndpoints } from './endpoints.js';
import { FaultTable, type FlashBladeFault } from './faults.js';
import { buildInventory } from './inventory.js';
import { answerList, type Item, type ListContext, type ListEndpoint } from './list-query.js';
import { SimulatorStats } from './stats.js';

/** How to start a simulator; every field is optional. */
export interface FlashBladeSimulatorOptions {
  /** Live file systems (default 10). */
  readonly fileSystems?: number;
  /** Live buckets (default 10). */
  readonly buckets?: number;
  /** Destroyed file systems pending eradication, listed unless `destroyed=false` (default 0). */
  readonly destroyedFileSystems?: number;
  /** Destroyed buckets pending eradication (default 0). */
  readonly destroyedBuckets?: number;
  /** Object store accounts the buckets are spread over (default 3). */
  readonly accounts?: number;
  /** NFS/SMB clients in `arrays/clients/performance` (default 20). */
  readonly clients?: number;
  /**
   * Serve null space fields where arrays do: some file systems, buckets and accounts, a null
   * `provisioned` and `quota_limit`, and the array-level `total_physical` (default false).
   */
  readonly nullSpaceFields?: boolean;
  /** Added to every answer, in milliseconds (default 0). */
  readonly latencyMs?: number;
  /** The largest page served and the default `limit` (default 1000, as on arrays). */
  readonly pageSize?: number;
  /** Serve HTTPS with a CA generated at start (default false). */
  readonly tls?: boolean;
  /** Port on 127.0.0.1 (default 0: any free port). */
  readonly port?: number;
  /** The API token logins must present (default a fresh `T-<uuid>`). */
  readonly apiToken?: string;
  /** The newest REST version served (default `2.12`); older ones down to 2.0 are served too. */
  readonly apiVersion?: string;
  /** A session not used for this long (on `clock`) is expired: its next call is a 401 (default 30 minutes). */
  readonly sessionIdleTimeoutMs?: number;
  /** Requests answered per second before 429s (default unlimited). */
  readonly rateLimitPerSecond?: number;
  /** The array's name (default `fb-sim01`). */
  readonly arrayName?: string;
  /**
   * Wall clock that values and session idle times derive from (default `Date.now`); a fixed one
   * makes every answer reproducible, and a test clock moved past the idle timeout expires sessions.
   */
  readonly clock?: () => number;
  /** Session tokens handed out by logins (default random UUIDs). */
  readonly sessionTokens?: () => string;
  /** Keep every exchange in `exchanges` (default false), to write fixtures from. */
  readonly record?: boolean;
}

/** One request and its answer, as recorded with `record: true`. */
export interface RecordedExchange {
  readonly method: string;
  /** Path and query exactly as requested. */
  readonly path: string;
  readonly status: number;
  /** Answer headers a client acts on (`x-auth-token`, rate-limit headers, content-type). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The `collectors.flashblade` config entry that reaches a simulator. */
export interface SimulatorCollectorConfig {
  readonly endpoint: string;
  readonly apiToken: string;
  readonly ca?: string;
}

/** A running simulator. */
export interface FlashBladeSimulator {
  /** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`. */
  readonly url: string;
  readonly apiToken: string;
  /** The CA certificate (PEM) when serving TLS. */
  readonly ca: string | undefined;
  readonly config: SimulatorCollectorConfig;
  readonly stats: SimulatorStats;
  /** Exchanges so far, with `record: true` (empty otherwise). */
  readonly exchanges: readonly RecordedExchange[];
  /** Sessions currently logged in. */
  readonly activeSessions: number;
  /** Adds a fault; see {@link FlashBladeFault}. */
  setFault(fault: FlashBladeFault): void;
  /** Removes every fault. */
  clearFaults(): void;
  /** Expires every session now, as an array does after its idle timeout: the next call with one is a 401. */
  expireSessions(): void;
  /** Changes the latency added to every answer. */
  setLatency(milliseconds: number): void;
  /** Stops listening, ends hung requests and closes every connection. Idempotent. */
  close(): Promise<void>;
}

const API_VERSION_PATTERN = /^2\.(\d+)$/;
const JSON_TYPE = 'application/json';

interface Answer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * Starts a simulated FlashBlade speaking REST 2.x on 127.0.0.1: `GET /api/api_version`,
 * `POST /api/login` (`api-token` → `x-auth-token`), `POST /api/logout`, and under `/api/2.x/` every
 * list endpoint the FlashBlade collector reads, with the real envelope and list parameters,
 * error bodies, session expiry, rate limiting and injectable faults.
 */
export async function startFlashBladeSimulator(options: FlashBladeSimulatorOptions = {}): Promise<FlashBladeSimulator> {
  const latestVersion = options.apiVersion ?? '2.12';
  const latestMatch = API_VERSION_PATTERN.exec(latestVersion);
  if (latestMatch === null) throw new RangeError(`apiVersion must look like 2.<minor>, not ${JSON.stringify(latestVersion)}`);
  const latestMinor = Number(latestMatch[1]);
  const pageSize = options.pageSize ?? 1000;
  if (!(Number.isInteger(pageSize) && pageSize > 0)) throw new RangeError(`pageSize must be a positive integer, not ${pageSize}`);
  const apiToken = options.apiToken ?? `T-${randomUUID()}`;
  const clock = options.clock ?? Date.now;
  const newSessionToken = options.sessionTokens ?? randomUUID;
  const idleTimeoutMs = options.sessionIdleTimeoutMs ?? 30 * 60_000;
  let latencyMs = options.latencyMs ?? 0;

  const inventory = buildInventory({
    arrayName: options.arrayName ?? 'fb-sim01',
    fileSystems: options.fileSystems ?? 10,
    buckets: options.buckets ?? 10,
    destroyedFileSystems: options.destroyedFileSystems ?? 0,
    destroyedBuckets: options.destroyedBuckets ?? 0,
    accounts: options.accounts ?? 3,
    clients: options.clients ?? 20,
    nullSpaceFields: options.nullSpaceFields ?? false,
  });
  const endpoints = new Map<string, ListEndpoint>(buildEndpoints(inventory, { nullArraySpace: options.nullSpaceFields ?? false }).map((endpoint) => [endpoint.path, endpoint]));
  const versions = [...Array.from({ length: 13 }, (_unused, minor) => `1.${minor}`), ...Array.from({ length: latestMinor + 1 }, (_unused, minor) => `2.${minor}`)];

  const stats = new SimulatorStats();
  const faults = new FaultTable();
  const exchanges: RecordedExchange[] = [];
  /** Session token → when it was last used (`clock` ms). */
  const sessions = new Map<string, number>();
  const totals = new Map<string, Item>();
  const hung = new Set<ServerResponse>();
  const rateWindow = { second: -1, count: 0 };

  const certificates = options.tls === true ? await createCertificates() : undefined;

  const authenticate = (request: IncomingMessage): void => {
    const token = request.headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') throw new ApiError(401, 'Missing x-auth-token header: log in first.');
    const lastUsed = sessions.get(token);
    const now = clock();
    if (lastUsed === undefined || now - lastUsed > idleTimeoutMs) {
      sessions.delete(token);
      throw new ApiError(401, 'The session has expired or is not valid: log in again.');
    }
    sessions.set(token, now);
  };

  const route = (method: string, pathname: string, request: IncomingMessage, query: URLSearchParams): Answer => {
    if (pathname === '/api/api_version') {
      if (method !== 'GET') throw new ApiError(405, `${method} is not allowed here.`);
      return { status: 200, body: { versions } };
    }
    const versioned = /^\/api\/(\d+\.\d+)(\/.*)$/.exec(pathname);
    const tail = versioned?.[2] ?? pathname.replace(/^\/api/, '');
    if (tail === '/login' || tail === '/logout') {
      if (method !== 'POST') throw new ApiError(405, `${method} is not allowed here.`);
      return tail === '/login' ? login(request) : logout(request);
    }
    const version = versioned?.[1];
    const minor = version === undefined ? undefined : API_VERSION_PATTERN.exec(version)?.[1];
    const endpoint = endpoints.get(tail);
    if (minor === undefined || Number(minor) > latestMinor) throw new ApiError(404, `REST version ${version ?? '(none)'} is not served here.`);
    if (endpoint === undefined || Number(minor) < endpoint.sinceMinor) throw new ApiError(404, `${tail} does not exist in REST ${version}.`);
    if (method !== 'GET') throw new ApiError(405, `${method} is not allowed here.`);
    authenticate(request);
    // An object created while a client pages moves every later object one place on: the next page
    // then starts with the last object of the page before.
    const shiftedPage = query.has('continuation_token') && faults.take('shifted-pages', tail) !== undefined;
    const context: ListContext = { nowMs: clock(), pageSize, totals, shiftedPage };
    return { status: 200, body: answerList(endpoint, query, context) };
  };

  const login = (request: IncomingMessage): Answer => {
    const presented = request.headers['api-token'];
    if (faults.take('reject-logins', '/login') !== undefined || presented !== apiToken) {
      throw new ApiError(401, presented === undefined ? 'Missing api-token header.' : 'The API token is not valid.');
    }
    const token = newSessionToken();
    sessions.set(token, clock());
    stats.countLogin();
    return { status: 200, headers: { 'x-auth-token': token }, body: { items: [{ username: 'pureuser' }] } };
  };

  const logout = (request: IncomingMessage): Answer => {
    const token = request.headers['x-auth-token'];
    if (typeof token === 'string' && sessions.delete(token)) stats.countLogout();
    return { status: 200, body: {} };
  };

  /** The answer a rate-limit fault or the per-second budget imposes, if any. */
  const rateLimited = (endpointPath: string): Answer | undefined => {
    const fault = faults.take('rate-limit', endpointPath);
    const limit = options.rateLimitPerSecond;
    let window: 'second' | 'minute' | undefined = fault === undefined ? undefined : (fault.window ?? 'second');
    if (window === undefined && limit !== undefined) {
      const second = Math.floor(performance.now() / 1000);
      if (rateWindow.second !== second) Object.assign(rateWindow, { second, count: 0 });
      rateWindow.count++;
      if (rateWindow.count > limit) window = 'second';
    }
    if (window === undefined) return undefined;
    const perSecond = limit ?? 10;
    const headers: Record<string, string> = {
      'x-ratelimit-limit-second': String(perSecond),
      'x-ratelimit-remaining-second': window === 'second' ? '0' : String(perSecond - 1),
      'x-ratelimit-limit-minute': String(perSecond * 60),
      'x-ratelimit-remaining-minute': window === 'minute' ? '0' : String(perSecond * 30),
    };
    if (fault?.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
    return { status: 429, headers, body: new ApiError(429, 'Too many requests: the rate limit is exceeded.').toBody() };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    stats.begin();
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const endpointPath = url.pathname.replace(/^\/api(\/\d+\.\d+)?/, '') || '/';
    const endpointKey = `${method} ${endpointPath}`;
    let ended = false;
    const end = (status: number): void => {
      if (ended) return;
      ended = true;
      stats.end(endpointKey, status);
    };
    // A client that gives up (timeout, abort) closes the request: count it as unanswered.
    response.on('close', () => end(response.headersSent ? response.statusCode : 0));
    request.resume();

    if (faults.take('hang', endpointPath) !== undefined) {
      hung.add(response);
      response.on('close', () => hung.delete(response));
      return;
    }
    const extraLatency = faults.take('latency', endpointPath)?.ms ?? 0;
    if (latencyMs + extraLatency > 0) {
      await new Promise((resolve) => setTimeout(resolve, latencyMs + extraLatency));
      if (response.destroyed) return;
    }

    let answer: Answer | undefined = rateLimited(endpointPath);
    if (answer === undefined) {
      const statusFault = faults.take('status', endpointPath);
      if (statusFault !== undefined) {
        answer = { status: statusFault.status, body: new ApiError(statusFault.status, statusFault.message ?? 'Internal error.').toBody() };
      }
    }
    if (answer === undefined) {
      try {
        answer = route(method, url.pathname, request, url.searchParams);
      } catch (error) {
        answer = error instanceof ApiError ? { status: error.status, body: error.toBody() } : { status: 500, body: new ApiError(500, `Internal error: ${String(error)}`).toBody() };
      }
    }
    let text = JSON.stringify(answer.body);
    if (answer.status === 200 && faults.take('malformed-json', endpointPath) !== undefined) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    const headers = { 'content-type': JSON_TYPE, ...answer.headers };
    if (options.record === true) exchanges.push({ method, path: request.url ?? '/', status: answer.status, headers, body: text });
    // Counted as answered when the answer starts: the window from arrival to here lies within the
    // client's own wait, so `maxInFlight` never overstates how many calls a client had in flight.
    end(answer.status);
    response.writeHead(answer.status, { ...headers, 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };

  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    void handle(request, response);
  };
  const server: Server = certificates === undefined ? createHttpServer(listener) : createHttpsServer({ cert: certificates.cert, key: certificates.key }, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `${certificates === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    apiToken,
    ca: certificates?.ca,
    config: { endpoint: url, apiToken, ...(certificates === undefined ? {} : { ca: certificates.ca }) },
    stats,
    exchanges,
    get activeSessions() {
      return sessions.size;
    },
    setFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    expireSessions: () => sessions.clear(),
    setLatency(milliseconds) {
      latencyMs = milliseconds;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const response of hung) response.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * A throwaway CA and a server certificate it signed for `localhost` and `127.0.0.1`, so a client can
 * verify the simulator the way it verifies an array with a private CA. Nothing is left on disk.
 */
async function createCertificates(): Promise<{ readonly ca: string; readonly cert: string; readonly key: string }> {
  const authority = await createTestCertificateAuthority('Tessera FlashBlade simulator CA');
  try {
    const server = await authority.issue('localhost', { usage: 'server' });
    return { ca: authority.ca.cert, cert: server.cert, key: server.key };
  } finally {
    await authority.remove();
  }
}
