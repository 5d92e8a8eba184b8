import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { MockAgent } from 'undici';
import { parse as parseYaml } from 'yaml';

/** One recorded HTTP exchange served to the collector under test. */
export interface HttpFixture {
  /** `https://array.example:443`; absent = any origin (the one the case's config points at). */
  readonly origin: string | undefined;
  /** Upper-case method, default `GET`. */
  readonly method: string;
  /** Path with query, e.g. `/api/2.12/arrays?names=a`; query parameter order does not matter. */
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const ENTRY_KEYS = new Set(['origin', 'method', 'path', 'status', 'headers', 'body', 'bodyFile']);

/**
 * Parses an `http.yaml` fixture list: `[{method?, path, status?, headers?, body? | bodyFile?, origin?}]`.
 * A `body` that is not a string is sent as JSON (with `content-type: application/json` unless
 * headers say otherwise); `bodyFile` is read relative to the `http.yaml` file. Throws on anything
 * else, naming the entry, so a typo in a fixture is not silently a 404.
 */
export async function readHttpFixtures(file: string): Promise<HttpFixture[]> {
  const document: unknown = parseYaml(await readFile(file, 'utf8'));
  if (document === null || document === undefined) return [];
  if (!Array.isArray(document)) throw new Error(`${file}: expected a list of {method, path, status, headers?, body? | bodyFile?}`);
  const fixtures: HttpFixture[] = [];
  for (const [index, entry] of document.entries()) {
    fixtures.push(await toFixture(entry, `${file}[${index}]`, dirname(file)));
  }
  return fixtures;
}

async function toFixture(entry: unknown, where: string, baseDir: string): Promise<HttpFixture> {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new Error(`${where}: expected an object`);
  const record = entry as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!ENTRY_KEYS.has(key)) throw new Error(`${where}: unknown key ${key} (known: ${[...ENTRY_KEYS].join(', ')})`);
  }
  const { origin, method = 'GET', path, status = 200, headers = {}, body, bodyFile } = record;
  if (origin !== undefined && typeof origin !== 'string') throw new Error(`${where}.origin: expected a string`);
  if (typeof method !== 'string') throw new Error(`${where}.method: expected a string`);
  if (typeof path !== 'string' || !path.startsWith('/')) throw new Error(`${where}.path: expected a string starting with "/"`);
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error(`${where}.status: expected an HTTP status code`);
  }
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((value) => typeof value !== 'string')) {
    throw new Error(`${where}.headers: expected a map of strings`);
  }
  if (body !== undefined && bodyFile !== undefined) throw new Error(`${where}: give body or bodyFile, not both`);
  if (bodyFile !== undefined && typeof bodyFile !== 'string') throw new Error(`${where}.bodyFile: expected a path`);
  const lowerCaseHeaders = Object.fromEntries(Object.entries(headers as Record<string, string>).map(([name, value]) => [name.toLowerCase(), value]));
  let text = '';
  if (bodyFile !== undefined) text = await readFile(resolve(baseDir, bodyFile), 'utf8');
  else if (typeof body === 'string') text = body;
  else if (body !== undefined) {
    text = JSON.stringify(body);
    lowerCaseHeaders['content-type'] ??= 'application/json';
  }
  return { origin: origin?.replace(/\/$/, '').toLowerCase(), method: method.toUpperCase(), path, status, headers: lowerCaseHeaders, body: text };
}

/**
 * Serves {@link HttpFixture}s through a MockAgent, one set at a time: {@link use} swaps the set
 * between the steps of a golden case, so a fixture of step 1 never answers a call of step 2.
 * A call no fixture of the current set matches fails with undici's MockNotMatchedError.
 */
export class HttpFixtureServer {
  readonly #mockAgent: MockAgent;
  #current: readonly HttpFixture[] = [];
  /** `origin-or-* method` pairs that already have their persistent interceptor. */
  readonly #intercepted = new Set<string>();
  /** The pool that answers fixtures without an origin, whatever origin the collector calls. */
  #anyOrigin: ReturnType<MockAgent['get']> | undefined;

  constructor(mockAgent: MockAgent) {
    this.#mockAgent = mockAgent;
  }

  /** Makes `fixtures` the set that answers from now on. */
  use(fixtures: readonly HttpFixture[]): void {
    this.#current = fixtures;
    for (const fixture of fixtures) this.#intercept(fixture.origin, fixture.method);
  }

  #intercept(origin: string | undefined, method: string): void {
    const key = `${origin ?? '*'} ${method}`;
    if (this.#intercepted.has(key)) return;
    this.#intercepted.add(key);
    // One interceptor per origin and method whose path matcher consults the current set: undici
    // cannot remove interceptors, so this is how a set is swapped. Fixtures without an origin share
    // one catch-all pool for every method: two such pools would shadow each other.
    const pool = origin === undefined ? (this.#anyOrigin ??= this.#mockAgent.get(() => true)) : this.#mockAgent.get(origin);
    const find = (path: string): HttpFixture | undefined => {
      const wanted = normalizePath(path);
      return this.#current.find((fixture) => fixture.origin === origin && fixture.method === method && normalizePath(fixture.path) === wanted);
    };
    pool
      .intercept({ method, path: (path: string) => find(path) !== undefined })
      .reply((options) => {
        const fixture = find(options.path);
        // The path matcher just found it; only a set swapped in between could make this miss.
        if (fixture === undefined) throw new Error(`no HTTP fixture for ${method} ${options.path}`);
        return { statusCode: fixture.status, data: fixture.body, responseOptions: { headers: { ...fixture.headers } } };
      })
      .persist();
  }
}

function normalizePath(path: string): string {
  const url = new URL(path, 'http://fixture.invalid');
  url.searchParams.sort();
  return `${url.pathname}${url.search}`;
}
