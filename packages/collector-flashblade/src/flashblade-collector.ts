import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, type Collector, type CollectorContext, type Logger, type MetricSink, type ScheduledTask } from '@tessera/collector-api';
import { Agent, type Dispatcher } from 'undici';
import { BackgroundGroup } from './background-group.js';
import { FlashBladeLoginError } from './client/errors.js';
import { FlashBladeClient } from './client/flashblade-client.js';
import type { FlashBladeCollectorConfig } from './config.js';
import { ALWAYS_PARTS, PARTS_BY_GROUP } from './groups/index.js';
import { selfMetrics } from './metrics.js';
import { CollectionScope, type CollectionPart } from './parts.js';
import { runParts, type PartOutcome } from './run-parts.js';

/** TLS settings for the array's connections, as the host's per-instance dispatcher takes them. */
interface TlsOptions {
  readonly ca?: string;
  readonly rejectUnauthorized: boolean;
  readonly servername?: string;
  readonly connections: number;
}

/**
 * One FlashBlade array. Each collection runs the enabled groups' parts concurrently (the
 * background groups are served from their last refresh), each part into a sink of its own, so a
 * failing endpoint costs only its series; if every part fails (a refused token, an unreachable
 * array) the collection fails with the most telling error. Then it adds the client's
 * self-metrics.
 */
export class FlashBladeCollector implements Collector {
  readonly #client: FlashBladeClient;
  readonly #logger: Logger;
  readonly #foreground: readonly CollectionPart[];
  readonly #background: readonly BackgroundGroup[];
  readonly #tasks: ScheduledTask[] = [];
  readonly #ownedDispatcher: Agent | undefined;
  #closing: Promise<void> | undefined;

  private constructor(config: FlashBladeCollectorConfig, context: CollectorContext, dispatcher: { readonly dispatcher: Dispatcher; readonly owned: Agent | undefined }) {
    this.#logger = context.logger;
    this.#ownedDispatcher = dispatcher.owned;
    this.#client = new FlashBladeClient({
      origin: config.origin,
      dispatcher: dispatcher.dispatcher,
      apiToken: tokenReader(config),
      apiVersion: config.apiVersion,
      maxConcurrentRequests: config.maxConcurrentRequests,
      requestTimeoutMs: config.requestTimeoutSeconds * 1000,
      pageSize: config.pageSize,
      now: () => context.clock.now(),
      logger: context.logger,
    });
    const foreground: CollectionPart[] = [...ALWAYS_PARTS];
    const background: BackgroundGroup[] = [];
    for (const group of config.groups) {
      const intervalSeconds = config.refreshSeconds[group];
      if (intervalSeconds === undefined) {
        foreground.push(...PARTS_BY_GROUP[group]);
        continue;
      }
      const intervalMs = intervalSeconds * 1000;
      // Served while younger than two intervals and one request timeout: one failed refresh is tolerated, two are not.
      const backgroundGroup = new BackgroundGroup({ group, parts: PARTS_BY_GROUP[group], client: this.#client, logger: context.logger, now: () => context.clock.now(), maxAgeMs: 2 * intervalMs + config.requestTimeoutSeconds * 1000 });
      background.push(backgroundGroup);
      this.#tasks.push(context.scheduler.every(intervalMs, (signal) => backgroundGroup.sample(signal), { runImmediately: true }));
    }
    this.#foreground = foreground;
    this.#background = background;
    if (config.origin.startsWith('http:')) context.logger.warn(`${config.origin} is plain HTTP: the API token travels unencrypted (use https:// for a real array)`);
  }

  /** Creates the collector for one array. Reads `caFile` if given; makes no connection. */
  static async create(config: FlashBladeCollectorConfig, context: CollectorContext): Promise<FlashBladeCollector> {
    const ca = config.caFile === undefined ? config.ca : await readConfigFile(config.caFile, 'caFile');
    const tls: TlsOptions = {
      ...(ca === undefined ? {} : { ca }),
      rejectUnauthorized: !config.insecureSkipVerify,
      ...(config.servername === undefined ? {} : { servername: config.servername }),
      connections: config.maxConcurrentRequests,
    };
    return new FlashBladeCollector(config, context, arrayDispatcher(context, tls));
  }

  async collect(sink: MetricSink, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const outcomes = await runParts(this.#foreground, new CollectionScope(this.#client), signal, this.#logger);
    if (outcomes.every((outcome) => outcome.output === undefined)) throw mostTellingError(outcomes);
    for (const outcome of outcomes) await outcome.output?.replayInto(sink, signal);
    for (const group of this.#background) {
      for (const output of group.latest()) await output.replayInto(sink, signal);
    }
    this.#addSelfMetrics(sink);
  }

  /** Reachability for `/-/ready`: the array answers `GET /arrays` with this token. */
  async probe(signal: AbortSignal): Promise<void> {
    await this.#client.first('/arrays', {}, signal);
  }

  /** Stops the background refreshes, logs out and closes connections of its own. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const task of this.#tasks) task.cancel();
      await this.#client.close();
      await this.#ownedDispatcher?.close();
    })();
    return this.#closing;
  }

  #addSelfMetrics(sink: MetricSink): void {
    for (const { endpoint, outcome, count } of this.#client.requestCounts()) sink.add(selfMetrics.requests, { endpoint, outcome }, count);
    sink.add(selfMetrics.logins, {}, this.#client.logins);
    const age = this.#client.sessionAgeSeconds();
    if (age !== undefined) sink.add(selfMetrics.sessionAge, {}, age);
  }
}

/** A refused login explains every other failure; otherwise the first part's error (`info`, always run). */
function mostTellingError(outcomes: readonly PartOutcome[]): unknown {
  return outcomes.find((outcome) => outcome.error instanceof FlashBladeLoginError)?.error ?? outcomes[0]?.error ?? new Error('no part to collect');
}

/**
 * The dispatcher for the array's calls. Without TLS settings of its own it is the host's shared
 * one. With them (a private CA, a server name, verification off) it is a per-instance dispatcher:
 * the host's, when the host can make one (`createDispatcher`), else one of the collector's own,
 * closed at close().
 */
function arrayDispatcher(context: CollectorContext, tls: TlsOptions): { dispatcher: Dispatcher; owned: Agent | undefined } {
  if (tls.ca === undefined && tls.servername === undefined && tls.rejectUnauthorized) return { dispatcher: context.dispatcher, owned: undefined };
  const createDispatcher = (context as { createDispatcher?: (options: TlsOptions) => Dispatcher }).createDispatcher;
  if (typeof createDispatcher === 'function') return { dispatcher: createDispatcher.call(context, tls), owned: undefined };
  const { connections, ...connect } = tls;
  const agent = new Agent({ connect, connections });
  return { dispatcher: agent, owned: agent };
}

/** Reads the API token at each login: inline (`apiToken`, usually `${ENV_VAR}`) or from `apiTokenFile`. */
function tokenReader(config: FlashBladeCollectorConfig): (signal: AbortSignal) => Promise<string> {
  const { apiToken, apiTokenFile } = config;
  if (apiToken !== undefined) return () => Promise.resolve(apiToken);
  return async (signal) => {
    const token = (await readConfigFile(apiTokenFile ?? '', 'apiTokenFile', signal)).trim();
    if (token === '') throw new ConfigError(`apiTokenFile ${resolve(apiTokenFile ?? '')} is empty`, { path: ['apiTokenFile'] });
    return token;
  };
}

/** Reads a file named in the config (relative to the working directory), failing with a ConfigError that names the key. */
async function readConfigFile(path: string, key: string, signal?: AbortSignal): Promise<string> {
  const file = resolve(path);
  try {
    return await readFile(file, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(`cannot read ${key} ${file}: ${typeof code === 'string' ? code : (error as Error).message}`, { path: [key], cause: error });
  }
}
