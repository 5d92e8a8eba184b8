import { Request } from 'zeromq';
import { ArkoudaError } from './errors.js';

/** What a {@link ZmqRequester} needs. */
export interface ZmqRequesterOptions {
  /** `tcp://host:port` of the metrics daemon. */
  readonly url: string;
  /** How long one request may take, from send to reply. */
  readonly timeoutMs: number;
  /** Monotonic milliseconds, for the time left to wait for a reply. */
  readonly monotonic: () => number;
}

/** Largest reply accepted; a larger one makes libzmq drop the connection, so the request times out. */
const MAX_REPLY_BYTES = 64 * 1024 * 1024;

/** libzmq's reconnect backoff for a dropped connection: 100 ms, doubling up to 5 s. */
const RECONNECT_INTERVAL_MS = 100;
const RECONNECT_MAX_INTERVAL_MS = 5000;

/**
 * One ZeroMQ REQ socket to one Arkouda metrics daemon, with one request in flight.
 *
 * A REQ socket is strict lock-step: after a request whose reply never came, it refuses to send
 * again (or waits forever without a send timeout). So any failure or abort closes the socket, and
 * the next request opens a new one. `linger: 0` keeps a request queued for a dead server from
 * holding the process at exit; `immediate` queues a request only on a completed connection, which
 * tells "cannot connect" apart from "connected, but no reply".
 *
 * The socket reconnects by itself when a connection drops (a server restart); {@link connectionEpoch}
 * changes then, and when a failed exchange discards the socket, so the caller knows to re-read what
 * a restart can change before its next request.
 */
export class ZmqRequester {
  readonly #options: ZmqRequesterOptions;
  #socket: Request | undefined;
  #socketsOpened = 0;
  /** Bumped when the current socket is discarded or its connection drops. */
  #connectionChanges = 0;
  #busy = false;

  constructor(options: ZmqRequesterOptions) {
    this.#options = options;
  }

  /** Sockets opened so far: 1 + the number of times a failed request made it replace the socket. */
  get socketsOpened(): number {
    return this.#socketsOpened;
  }

  /**
   * Changes whenever later requests may reach another server process than earlier ones: when the
   * socket is discarded (the next request goes out on a new one) and when its connection drops.
   */
  get connectionEpoch(): number {
    return this.#connectionChanges;
  }

  /**
   * Sends one frame and returns the reply's first frame. Rejects with an {@link ArkoudaError}
   * (`unreachable` or `timeout`) when the exchange does not complete in time, or with the signal's
   * reason when it is aborted; the socket is replaced either way. `what` names the request in messages.
   */
  async request(frame: string, what: string, signal: AbortSignal): Promise<Buffer> {
    signal.throwIfAborted();
    // The caller polls one request at a time; a second one would break REQ's lock-step.
    if (this.#busy) throw new Error(`${what}: a request to ${this.#options.url} is already in flight`);
    this.#busy = true;
    const socket = this.#open();
    const deadline = this.#options.monotonic() + this.#options.timeoutMs;
    const discard = (): void => this.#discard(socket);
    signal.addEventListener('abort', discard, { once: true });
    try {
      try {
        await socket.send(frame);
      } catch (error) {
        throw signal.aborted ? signal.reason : new ArkoudaError('unreachable', `${what}: no connection within ${this.#seconds()} s`, { cause: error });
      }
      socket.receiveTimeout = Math.max(1, Math.ceil(deadline - this.#options.monotonic()));
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (error) {
        throw signal.aborted
          ? signal.reason
          : new ArkoudaError('timeout', `${what}: no reply within ${this.#seconds()} s (the metrics daemon is down, or wedged by a request it could not read)`, {
              cause: error,
            });
      }
      return frames[0] ?? Buffer.alloc(0);
    } catch (error) {
      discard();
      // Whatever an aborted exchange threw (a closed socket), the caller learns why it was aborted.
      throw signal.aborted ? signal.reason : error;
    } finally {
      signal.removeEventListener('abort', discard);
      this.#busy = false;
    }
  }

  /** Closes the socket; a later request opens a new one. Idempotent. */
  close(): void {
    if (this.#socket !== undefined) this.#discard(this.#socket);
  }

  #open(): Request {
    if (this.#socket !== undefined) return this.#socket;
    const socket = new Request({
      linger: 0,
      immediate: true,
      sendTimeout: this.#options.timeoutMs,
      receiveTimeout: this.#options.timeoutMs,
      connectTimeout: this.#options.timeoutMs,
      reconnectInterval: RECONNECT_INTERVAL_MS,
      reconnectMaxInterval: RECONNECT_MAX_INTERVAL_MS,
      maxMessageSize: MAX_REPLY_BYTES,
      // Lets a hostname resolve to IPv6 too (dual-stack clusters); IPv4 servers are reached as before.
      ipv6: true,
    });
    socket.events.on('disconnect', () => {
      if (this.#socket === socket) this.#connectionChanges++;
    });
    try {
      socket.connect(this.#options.url);
    } catch (error) {
      socket.close();
      throw new ArkoudaError('unreachable', `cannot connect to ${this.#options.url}: ${(error as Error).message}`, { cause: error });
    }
    this.#socket = socket;
    this.#socketsOpened++;
    return socket;
  }

  #discard(socket: Request): void {
    if (this.#socket === socket) {
      this.#socket = undefined;
      this.#connectionChanges++;
    }
    if (!socket.closed) socket.close();
  }

  #seconds(): string {
    return String(this.#options.timeoutMs / 1000);
  }
}
