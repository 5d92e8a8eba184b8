import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, NoDataError, type CollectOptions, type Collector, type CollectorContext, type MetricSink, type ScheduledTask } from '@tessera/collector-api';
import type { Dispatcher } from 'undici';
import { FlashBladeClient } from './client/flashblade-client.js';
import type { FlashBladeCollectorConfig } from './config.js';
import { ALWAYS_PARTS, PARTS_BY_GROUP } from './groups/index.js';
import { selfMetrics } from './metrics.js';
import { CollectionScope, type CollectionPart, type GroupName } from './parts.js';
import { SeriesSnapshot } from './series-snapshot.js';

/** What one background refresh of a part produced, served by every collection until the next. */
interface Snapshot {
  readonly series: SeriesSnapshot;
  /** Wall-clock ms when the refresh finished. */
  readonly sampledAt: number;
  readonly durationSeconds: number;
}

/** A part read at every collection, and its group (none for `purefb_info`, which comes with every group). */
interface ForegroundPart {
  readonly group: GroupName | undefined;
  readonly part: CollectionPart;
}

/** A part refreshed in the background (`usage-users`, `clients-performance`), its group and the task that refreshes it. */
interface BackgroundPart {
  readonly group: GroupName;
  readonly name: string;
  readonly task: ScheduledTask<Snapshot>;
}

/** The longest one background refresh may run before it is abandoned (the interval, when shorter). */
const MAX_REFRESH_TIMEOUT_MS = 15 * 60_000;

/**
 * One FlashBlade array. A collection logs in first (a refused token or an unreachable array fails
 * it as a whole, with that error), then runs every enabled part as a part of the host's sink,
 * concurrently: a failing endpoint costs only its own series. Parts of the groups in
 * `refreshSeconds` are refreshed by the host's scheduler and served from their last refresh, with
 * its time. Then it adds the client's self-metrics.
 */
export class FlashBladeCollector implements Collector {
  readonly #client: FlashBladeClient;
  readonly #foreground: readonly ForegroundPart[];
  readonly #background: readonly BackgroundPart[];
  readonly #apiToken: (signal: AbortSignal) => Promise<string>;
  readonly #acceptBearerToken: boolean;
  #closing: Promise<void> | undefined;

  private constructor(config: FlashBladeCollectorConfig, context: CollectorContext, dispatcher: Dispatcher) {
    this.#apiToken = tokenReader(config, context);
    this.#acceptBearerToken = config.acceptBearerToken;
    this.#client = new FlashBladeClient({
      origin: config.origin,
      dispatcher,
      apiToken: this.#apiToken,
      apiVersion: config.apiVersion,
      maxConcurrentRequests: config.maxConcurrentRequests,
      requestTimeoutMs: config.requestTimeoutSeconds * 1000,
      pageSize: config.pageSize,
      now: () => context.clock.now(),
      logger: context.logger,
    });
    const foreground: ForegroundPart[] = ALWAYS_PARTS.map((part) => ({ group: undefined, part }));
    const background: BackgroundPart[] = [];
    for (const group of config.groups) {
      const intervalSeconds = config.refreshSeconds[group];
      if (intervalSeconds === undefined) {
        foreground.push(...PARTS_BY_GROUP[group].map((part) => ({ group, part })));
        continue;
      }
      const intervalMs = intervalSeconds * 1000;
      for (const part of PARTS_BY_GROUP[group]) {
        const task = context.scheduler.every(intervalMs, (signal) => this.#refresh(part, context, signal), { name: part.name, timeoutMs: Math.min(intervalMs, MAX_REFRESH_TIMEOUT_MS) });
        background.push({ group, name: part.name, task });
      }
    }
    this.#foreground = foreground;
    this.#background = background;
    if (config.origin.startsWith('http:')) context.logger.warn(`${config.origin} is plain HTTP: the API token travels unencrypted (use https:// for a real array)`);
  }

  /** Creates the collector for one array: reads `caFile`, asks the host for the array's dispatcher; makes no connection. */
  static async create(config: FlashBladeCollectorConfig, context: CollectorContext): Promise<FlashBladeCollector> {
    const ca = config.caFile === undefined ? config.ca : await readConfigFile(() => context.files.readText(config.caFile ?? ''), 'caFile');
    if (config.apiToken !== undefined) context.files.registerSecret(config.apiToken);
    const timeoutMs = config.requestTimeoutSeconds * 1000;
    const dispatcher = context.createDispatcher({
      ...(ca === undefined ? {} : { ca }),
      rejectUnauthorized: !config.insecureSkipVerify,
      ...(config.servername === undefined ? {} : { servername: config.servername }),
      connections: config.maxConcurrentRequests,
      // The client bounds each call by requestTimeoutSeconds; the dispatcher must not cut it shorter.
      headersTimeoutMs: timeoutMs,
      bodyTimeoutMs: timeoutMs,
    });
    return new FlashBladeCollector(config, context, dispatcher);
  }

  /**
   * One collection of the configured groups, or of the groups in `options.subset` (an
   * exporter-shaped route such as `/metrics/flashblade/array`) that are configured; `purefb_info`
   * and the self-metrics come with every one.
   */
  async collect(sink: MetricSink, signal: AbortSignal, options: CollectOptions = {}): Promise<void> {
    signal.throwIfAborted();
    await this.#client.session(signal);
    const wanted = options.subset === undefined ? undefined : new Set(options.subset);
    const included = (group: GroupName | undefined): boolean => group === undefined || wanted === undefined || wanted.has(group);
    const scope = new CollectionScope(this.#client);
    // A background part whose first refresh is still under way does not hold the scrape: it waits
    // only as long as the parts read now take, then fails for this collection.
    const foregroundDone = new AbortController();
    const snapshotWait = AbortSignal.any([signal, foregroundDone.signal]);
    const background = Promise.all(this.#background.filter(({ group }) => included(group)).map((part) => serveSnapshot(part, sink, snapshotWait, signal)));
    const foreground = this.#foreground.filter(({ group }) => included(group));
    await Promise.all(foreground.map(({ part }) => sink.part(part.name, (partSink) => part.collect(scope, partSink, signal))));
    // No data yet rather than an error: the host reports the part as failed without a warning.
    foregroundDone.abort(new NoDataError('its first background refresh has not finished yet'));
    await background;
    signal.throwIfAborted();
    this.#addSelfMetrics(sink);
  }

  /**
   * Whether an exporter-shaped request may carry this bearer token (pure-fb-openmetrics-exporter's
   * scrape configs send the array's API token so): only with `acceptBearerToken: true`, and only
   * this array's own token. Compares in constant time; contacts nothing.
   */
  async checkBearerToken(token: string, signal: AbortSignal): Promise<string | undefined> {
    if (!this.#acceptBearerToken) return "this array's config does not accept the API token in the request: remove the authorization from the scrape config, or set acceptBearerToken: true";
    const own = await this.#apiToken(signal);
    return sameSecret(token, own) ? undefined : "it is not this array's API token";
  }

  /** Reachability for `/-/ready`: the array answers `GET /arrays` with this token. */
  async probe(signal: AbortSignal): Promise<void> {
    await this.#client.first('/arrays', {}, signal);
  }

  /** Logs out. The host cancels the background refreshes before and closes the dispatcher after. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const { task } of this.#background) task.cancel();
      await this.#client.close();
    })();
    return this.#closing;
  }

  /** One background refresh of `part`: its series, kept until the next refresh succeeds. */
  async #refresh(part: CollectionPart, context: CollectorContext, signal: AbortSignal): Promise<Snapshot> {
    const started = context.clock.monotonic();
    const series = new SeriesSnapshot();
    await part.collect(new CollectionScope(this.#client), series, signal);
    return { series, sampledAt: context.clock.now(), durationSeconds: (context.clock.monotonic() - started) / 1000 };
  }

  #addSelfMetrics(sink: MetricSink): void {
    for (const { endpoint, outcome, count } of this.#client.requestCounts()) sink.add(selfMetrics.requests, { endpoint, outcome }, count);
    sink.add(selfMetrics.logins, {}, this.#client.logins);
    const age = this.#client.sessionAgeSeconds();
    if (age !== undefined) sink.add(selfMetrics.sessionAge, {}, age);
  }
}

/**
 * A background part as a part of this collection: its last refresh, marked with when it was
 * taken; a failed part when there is none fit to serve (never refreshed, or older than the task
 * allows), so stale usage is never passed off as current.
 */
async function serveSnapshot(part: BackgroundPart, sink: MetricSink, wait: AbortSignal, signal: AbortSignal): Promise<void> {
  let snapshot: Snapshot;
  try {
    snapshot = await part.task.latest(wait);
  } catch (error) {
    if (!signal.aborted) {
      await sink.part(part.name, () => {
        throw error;
      });
    }
    return;
  }
  // The snapshot alone decides what the part emits: while it is the same, the host reuses its samples.
  await sink.part(part.name, (partSink) => snapshot.series.replayInto(partSink, signal), { sampledAt: snapshot.sampledAt, durationSeconds: snapshot.durationSeconds, reuseKey: snapshot });
}

/** Whether two secrets are equal, in a time that says nothing about where they differ or how long they are. */
function sameSecret(a: string, b: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Reads the API token at each login: inline (`apiToken`, usually `${ENV_VAR}`) or from `apiTokenFile`, so a rotated file takes effect. */
function tokenReader(config: FlashBladeCollectorConfig, context: CollectorContext): (signal: AbortSignal) => Promise<string> {
  const { apiToken, apiTokenFile } = config;
  if (apiToken !== undefined) return () => Promise.resolve(apiToken);
  return (signal) => readConfigFile(() => context.files.readSecret(apiTokenFile ?? '', signal), 'apiTokenFile', signal);
}

/** Reads a file named in the config, failing with a ConfigError that names the key. */
async function readConfigFile(read: () => Promise<string>, key: string, signal?: AbortSignal): Promise<string> {
  try {
    return await read();
  } catch (error) {
    if (signal?.aborted === true) throw signal.reason;
    throw new ConfigError(`cannot read ${key}: ${(error as Error).message}`, { path: [key], cause: error });
  }
}
