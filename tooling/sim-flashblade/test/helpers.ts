import { Agent, request, type Dispatcher } from 'undici';
import type { FlashBladeSimulator } from '../src/index.js';

/** The fields of API objects these tests look at (an object has many more). */
export interface TestItem {
  readonly [field: string]: unknown;
  readonly name: string;
  readonly id: string;
  readonly state: string;
  readonly severity: string;
  readonly destroyed: boolean;
  readonly provisioned: number | null;
  readonly reads_per_sec: number;
  readonly space: Readonly<Record<string, number | null>>;
  readonly periodic: Readonly<Record<string, number>>;
  readonly continuous: Readonly<Record<string, number>>;
  readonly aggregate: Readonly<Record<string, number>>;
}

/** A REST body as these tests read it: a list envelope, an error body or the versions list. */
export interface TestBody {
  readonly items: TestItem[];
  readonly continuation_token: string | null;
  readonly total_item_count: number;
  readonly total: { readonly name: null; readonly space: Readonly<Record<string, number>> } | readonly unknown[];
  readonly errors: { readonly context: string | null; readonly message: string }[];
  readonly versions: string[];
}

/** One answer; `body` is its JSON (an empty object when the body is not JSON). */
export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  readonly body: TestBody;
}

/** A bare REST client for tests: what a FlashBlade client would send, nothing more. */
export class RestSession {
  readonly #simulator: FlashBladeSimulator;
  readonly #dispatcher: Dispatcher;
  token: string | undefined;

  constructor(simulator: FlashBladeSimulator, dispatcher: Dispatcher = new Agent()) {
    this.#simulator = simulator;
    this.#dispatcher = dispatcher;
  }

  async send(method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Reply> {
    const response = await request(`${this.#simulator.url}${path}`, { method, headers, dispatcher: this.#dispatcher, ...(signal === undefined ? {} : { signal }) });
    const text = await response.body.text();
    let body = {} as TestBody;
    try {
      body = JSON.parse(text) as TestBody;
    } catch {
      // Not JSON: the test looks at `text`.
    }
    return { status: response.statusCode, headers: response.headers, text, body };
  }

  async login(apiToken = this.#simulator.apiToken): Promise<Reply> {
    const reply = await this.send('POST', '/api/login', { 'api-token': apiToken });
    const token = reply.headers['x-auth-token'];
    if (typeof token === 'string') this.token = token;
    return reply;
  }

  /** `GET /api/2.12<path>` with the session token. */
  get(path: string, signal?: AbortSignal): Promise<Reply> {
    return this.send('GET', `/api/2.12${path}`, this.token === undefined ? {} : { 'x-auth-token': this.token }, signal);
  }

  /** Every item of a list, following continuation tokens. */
  async all(path: string): Promise<TestItem[]> {
    const items: TestItem[] = [];
    let token: string | null = null;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const reply = await this.get(token === null ? path : `${path}${separator}continuation_token=${encodeURIComponent(token)}`);
      if (reply.status !== 200) throw new Error(`${path}: HTTP ${reply.status} ${reply.text}`);
      items.push(...reply.body.items);
      token = reply.body.continuation_token;
    } while (token !== null);
    return items;
  }
}
