import { Request } from 'zeromq';

/** A decoded reply object. */
export interface Reply {
  readonly msg: string;
  readonly msgType: string;
  readonly msgFormat: string;
  readonly user: string;
  readonly payload?: string;
}

/** The bytes a client sends: all six RequestMsg fields, `args` double-encoded JSON. */
export function encodeRequest(cmd: string, category?: string, user = 'alice'): string {
  const args = category === undefined ? '' : JSON.stringify([JSON.stringify({ key: 'category', dtype: 'str', val: category })]);
  return JSON.stringify({ user, token: '', cmd, format: 'STRING', args, size: category === undefined ? -1 : 1 });
}

/**
 * A REQ client on a real ZeroMQ socket. `send` returns the raw reply text, or rejects with EAGAIN
 * once `timeoutMs` passes without one; the socket is then unusable (REQ lock-step) and is replaced.
 */
export class TestClient {
  readonly #url: string;
  #timeoutMs: number;
  #socket: Request;

  constructor(url: string, timeoutMs = 5000) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    this.#socket = this.#open();
  }

  #open(): Request {
    const socket = new Request({ linger: 0, receiveTimeout: this.#timeoutMs, sendTimeout: this.#timeoutMs });
    socket.connect(this.#url);
    return socket;
  }

  /** Changes how long this client waits for a reply, from the next request on. */
  set timeoutMs(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#socket.receiveTimeout = timeoutMs;
    this.#socket.sendTimeout = timeoutMs;
  }

  async raw(frame: string | Uint8Array): Promise<string> {
    try {
      await this.#socket.send(frame);
      const [reply] = await this.#socket.receive();
      return String(reply);
    } catch (error) {
      this.#socket.close();
      this.#socket = this.#open();
      throw error;
    }
  }

  async ask(cmd: string, category?: string, user?: string): Promise<Reply> {
    return JSON.parse(await this.raw(encodeRequest(cmd, category, user))) as Reply;
  }

  /** The parsed `msg` of a `metrics` reply. */
  async metrics(category: string): Promise<Record<string, unknown>[]> {
    return JSON.parse((await this.ask('metrics', category)).msg) as Record<string, unknown>[];
  }

  close(): void {
    this.#socket.close();
  }
}
