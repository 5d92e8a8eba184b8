import { setTimeout as delay } from 'node:timers/promises';
import { Reply } from 'zeromq';
import * as json from './chapel-json.js';
import type { Era } from './eras.js';
import { readRequest, type AnsweredRequest } from './request.js';
import type { SimulatedArkouda } from './simulated-arkouda.js';

/** How the `metrics` command answers: normally, with an ERROR reply, or with an empty `msg`. */
export type MetricsReplyMode = 'normal' | 'error' | 'empty';

/** What {@link SimulatedServer.start} needs. */
export interface SimulatedServerOptions {
  readonly name: string;
  readonly host: string;
  /** 0 binds an ephemeral port. */
  readonly port: number;
  readonly latencyMs: number;
  /** Builds the server state for a (re)start; `locales` is the count asked for, undefined for the previous count. */
  readonly boot: (locales: number | undefined) => SimulatedArkouda;
}

/** How long a restart keeps trying to bind the port its previous socket held: 200 × 10 ms. */
const REBIND_ATTEMPTS = 200;
const REBIND_PAUSE_MS = 10;

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

/**
 * One Arkouda metrics daemon: a ZeroMQ REP socket on loopback that answers `connect`, `getconfig`
 * and `metrics` as the real daemon does, one request at a time.
 *
 * Wedging (Arkouda's `MetricsServerDaemon.run()` has no try/catch): a malformed request, or
 * {@link wedge}, stops the daemon answering. The socket stays bound, so clients still connect and
 * their requests queue, but no reply comes until {@link unwedge} (the held request then gets an
 * empty reply, which ZeroMQ drops if its sender has gone) or {@link restart}.
 */
export class SimulatedServer {
  readonly name: string;
  readonly #host: string;
  #port: number;
  #latencyMs: number;
  #metricsReply: MetricsReplyMode = 'normal';
  readonly #boot: SimulatedServerOptions['boot'];
  #state: SimulatedArkouda;
  #socket: Reply | undefined;
  #wedgedBy: string | undefined;
  #resume: Deferred | undefined;
  readonly #requests = new Map<string, number>();
  #closed = false;

  private constructor(options: SimulatedServerOptions) {
    this.name = options.name;
    this.#host = options.host;
    this.#port = options.port;
    this.#latencyMs = options.latencyMs;
    this.#boot = options.boot;
    this.#state = options.boot(undefined);
  }

  /** Binds the socket and starts answering. */
  static async start(options: SimulatedServerOptions): Promise<SimulatedServer> {
    const server = new SimulatedServer(options);
    await server.#bind();
    return server;
  }

  /** `tcp://host:port`, what a client connects to. */
  get url(): string {
    return `tcp://${this.#host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  /** Requests received since start (restarts included), by command: `getconfig`, `metrics:ALL`, `invalid`, … */
  get requests(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#requests);
  }

  /** Why the daemon stopped answering, or undefined while it answers. */
  get wedgedBy(): string | undefined {
    return this.#wedgedBy;
  }

  /** Stops answering from the next request on, as after a request the daemon could not read. */
  wedge(reason = 'wedged by the test'): void {
    this.#wedgedBy ??= reason;
    this.#resume ??= deferred();
  }

  /** Answers again: the request held while wedged gets an empty reply, the next ones normal replies. */
  unwedge(): void {
    this.#wedgedBy = undefined;
    const resume = this.#resume;
    this.#resume = undefined;
    resume?.resolve();
  }

  /** Delay before each reply from now on. */
  setLatency(milliseconds: number): void {
    this.#latencyMs = milliseconds;
  }

  /** How `metrics` answers from now on. */
  setMetricsReply(mode: MetricsReplyMode): void {
    this.#metricsReply = mode;
  }

  /**
   * Restarts the server on the same port: counters start from zero, the locales are a new set (a new
   * allocation of nodes; `locales` changes their number), and a wedged daemon answers again. Requests
   * queued at the old socket are lost, as they are when a real server exits.
   */
  async restart(options: { readonly locales?: number } = {}): Promise<void> {
    this.#closeSocket();
    this.#state = this.#boot(options.locales);
    this.unwedge();
    await this.#bind();
  }

  /** Closes the socket; idempotent. */
  close(): void {
    this.#closed = true;
    this.#closeSocket();
    this.unwedge();
  }

  async #bind(): Promise<void> {
    if (this.#closed) return;
    const socket = new Reply({ linger: 0 });
    // libzmq closes a socket in its I/O thread, so the port of the socket a restart just closed
    // can still be taken for a moment.
    for (let attempt = 1; ; attempt++) {
      try {
        await socket.bind(`tcp://${this.#host}:${this.#port}`);
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'EADDRINUSE' && this.#port !== 0 && attempt < REBIND_ATTEMPTS) {
          await delay(REBIND_PAUSE_MS);
          continue;
        }
        socket.close();
        throw error;
      }
    }
    this.#port = Number(new URL(socket.lastEndpoint ?? this.url).port);
    this.#socket = socket;
    void this.#serve(socket);
  }

  #closeSocket(): void {
    this.#socket?.close();
    this.#socket = undefined;
  }

  async #serve(socket: Reply): Promise<void> {
    const current = (): boolean => this.#socket === socket && !socket.closed;
    while (current()) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch {
        return; // closed by restart() or close()
      }
      const read = readRequest(frames[0] ?? Buffer.alloc(0), this.#state.era);
      this.#requests.set(read.key, (this.#requests.get(read.key) ?? 0) + 1);
      if (!read.ok) this.wedge(read.reason);
      if (this.#resume !== undefined) {
        await this.#resume.promise;
        if (!current()) return;
        await this.#send(socket, this.#envelope('', 'NORMAL', ''));
        continue;
      }
      if (read.ok) {
        if (this.#latencyMs > 0) await delay(this.#latencyMs);
        if (!current()) return;
        await this.#send(socket, this.#answer(read.request));
      }
    }
  }

  async #send(socket: Reply, reply: string): Promise<void> {
    try {
      await socket.send(reply);
    } catch {
      // Closed between receive and send: the reply is lost, as with a server that exits.
    }
  }

  #answer(request: AnsweredRequest): string {
    switch (request.cmd) {
      case 'connect':
        return this.#envelope(this.#state.connectMessage(), 'NORMAL', request.user);
      case 'getconfig':
        return this.#envelope(this.#state.configMessage(), 'NORMAL', request.user);
      case 'other':
        return this.#envelope('', 'NORMAL', request.user);
      case 'metrics':
        if (this.#metricsReply === 'error') {
          return this.#envelope(`Error executing command metrics: the simulated server ${this.name} refused category ${request.category}`, 'ERROR', request.user);
        }
        if (this.#metricsReply === 'empty') return this.#envelope('', 'NORMAL', request.user);
        // The main port keeps working while its counters are read: every metrics request sees more of it.
        this.#state.advance();
        return this.#envelope(this.#state.metricsMessage(request.category), 'NORMAL', request.user);
    }
  }

  /** The reply object: `ReplyMsg` with the user echoed, or since v2024.10.02 `MsgTuple`, whose user the metrics daemon leaves empty. */
  #envelope(msg: string, msgType: 'NORMAL' | 'WARNING' | 'ERROR', user: string): string {
    const era: Era = this.#state.era;
    const fields: [string, json.Encoded][] = [
      ['msg', json.string(msg)],
      ['msgType', json.string(msgType)],
      ['msgFormat', json.string('STRING')],
    ];
    if (era.reply === 'msg-tuple') fields.push(['user', json.string('')], ['payload', json.string('')]);
    else fields.push(['user', json.string(user)]);
    return json.object(fields);
  }
}
