import type { Clock, Logger } from '@tessera/collector-api';
import { ArkoudaError } from './errors.js';
import { FIRST_JSON_ARGUMENTS_RELEASE, parseMetricRecords, parseServerConfig, parseServerInfo, readsJsonArguments, type ServerConfig, type ServerInfo } from './messages.js';
import { describeRequest, encodeRequest, excerpt, parseMessageJson, parseReplyEnvelope, type SafeRequest } from './protocol.js';
import { classifyRecords, looksRestarted, type ArkoudaSnapshot } from './snapshot.js';
import { ZmqRequester } from './zmq-requester.js';

/** What an {@link ArkoudaClient} needs. */
export interface ArkoudaClientOptions {
  /** `tcp://host:port` of the server's metrics daemon. */
  readonly url: string;
  /** The `arkouda_server_name` of the snapshots. */
  readonly serverName: string;
  /** How long one request may wait for its reply. */
  readonly requestTimeoutMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
}

/**
 * The client of one Arkouda server's metrics daemon. {@link poll} is one complete reading, with no
 * timers of its own: whoever schedules it decides when.
 *
 * After connecting, and again whenever the connection may lead to another server process (a new
 * socket, a dropped and re-established connection, a locale set or request total that does not fit
 * the server known so far), it reads `getconfig` (the release, to check the argument encoding
 * before anything with arguments is sent) and SERVER_INFO (hostname, version, locales). Every poll
 * then reads `metrics` ALL. Replies are parsed twice: the reply object, then the JSON in its `msg`.
 */
export class ArkoudaClient {
  readonly #options: ArkoudaClientOptions;
  readonly #requester: ZmqRequester;
  #server: ServerInfo | undefined;
  /** The requester's connection epoch when `#server` was read. */
  #serverEpoch: number | undefined;
  #lastTotalRequests: number | undefined;
  readonly #warned = new Set<string>();

  constructor(options: ArkoudaClientOptions) {
    this.#options = options;
    this.#requester = this.#newRequester();
  }

  /** ZeroMQ sockets opened so far; each failed request replaces its socket. */
  get socketsOpened(): number {
    return this.#requester.socketsOpened;
  }

  /**
   * Reads the server once. Rejects with an {@link ArkoudaError} that says what failed, or with the
   * signal's reason when aborted. Never sends anything but `getconfig` and `metrics` ALL/SERVER_INFO.
   */
  async poll(signal: AbortSignal): Promise<ArkoudaSnapshot> {
    signal.throwIfAborted();
    const started = this.#options.clock.monotonic();
    const known = this.#server !== undefined && this.#serverEpoch === this.#requester.connectionEpoch;
    let server = known && this.#server !== undefined ? this.#server : await this.#readServer(signal);
    const request = { cmd: 'metrics', category: 'ALL' } as const;
    const { metrics, ignored } = classifyRecords(parseMetricRecords(await this.#ask(this.#requester, request, signal), describeRequest(request)));
    for (const kind of ignored) this.#warnOnce(`ignoring ${kind}: not among the Arkouda metrics this collector knows (a newer server?)`);
    // Totals are compared only within one connection: a new one may reach a restarted server, whose info was just read.
    if (looksRestarted(metrics, server, known ? this.#lastTotalRequests : undefined)) {
      this.#options.logger.info('the Arkouda server restarted (its locales or request total changed): reading its server info again');
      server = await this.#readServer(signal);
    }
    this.#lastTotalRequests = metrics.totalRequests;
    const clock = this.#options.clock;
    return { ...metrics, server, serverName: this.#options.serverName, sampledAtMs: clock.now(), pollDurationSeconds: (clock.monotonic() - started) / 1000 };
  }

  /**
   * Asks `getconfig` on a connection of its own, closed afterwards, so that a check never
   * interleaves with a poll on the polling socket. Resolves with the server's config when the
   * daemon answers in a release this client can poll; rejects with an {@link ArkoudaError} otherwise.
   */
  async probe(signal: AbortSignal): Promise<ServerConfig> {
    const requester = this.#newRequester();
    try {
      return await this.#readConfig(requester, signal);
    } finally {
      requester.close();
    }
  }

  /** Closes the socket. The client stays usable: a later poll opens a new one. */
  close(): void {
    this.#requester.close();
  }

  async #readServer(signal: AbortSignal): Promise<ServerInfo> {
    this.#server = undefined;
    await this.#readConfig(this.#requester, signal);
    const infoRequest = { cmd: 'metrics', category: 'SERVER_INFO' } as const;
    const server = parseServerInfo(await this.#ask(this.#requester, infoRequest, signal), describeRequest(infoRequest));
    this.#options.logger.info({ version: server.version, hostname: server.hostname, locales: server.locales.length }, 'read the Arkouda server info');
    this.#server = server;
    this.#serverEpoch = this.#requester.connectionEpoch;
    return server;
  }

  /** `getconfig`, and the check that its release reads the JSON arguments every `metrics` request carries. */
  async #readConfig(requester: ZmqRequester, signal: AbortSignal): Promise<ServerConfig> {
    const configRequest = { cmd: 'getconfig' } as const;
    const config = parseServerConfig(await this.#ask(requester, configRequest, signal), describeRequest(configRequest));
    const readsJson = readsJsonArguments(config.arkoudaVersion);
    if (readsJson === false) {
      throw new ArkoudaError(
        'unsupported_version',
        `Arkouda ${config.arkoudaVersion} reads metrics arguments as a plain string (before ${FIRST_JSON_ARGUMENTS_RELEASE}); this collector sends JSON arguments only, which would stop that server's metrics daemon`,
      );
    }
    if (readsJson === undefined) this.#warnOnce(`Arkouda version ${JSON.stringify(config.arkoudaVersion)} is not a release number: assuming a current release`);
    return config;
  }

  async #ask(requester: ZmqRequester, request: SafeRequest, signal: AbortSignal): Promise<unknown> {
    const what = describeRequest(request);
    const frame = await requester.request(encodeRequest(request), what, signal);
    const envelope = parseReplyEnvelope(frame, what);
    if (envelope.msgType === 'WARNING') this.#warnOnce(`${what}: the server answered WARNING: ${excerpt(envelope.msg)}`);
    return parseMessageJson(envelope, what);
  }

  #newRequester(): ZmqRequester {
    const { url, requestTimeoutMs, clock } = this.#options;
    return new ZmqRequester({ url, timeoutMs: requestTimeoutMs, monotonic: () => clock.monotonic() });
  }

  #warnOnce(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.#options.logger.warn(message);
  }
}
