import {
  CollectorTimeoutError,
  describeFamiliesProblem,
  describeInstanceLabelProblem,
  formatConfigPath,
  isConfigError,
  isNoDataError,
  type Clock,
  type CollectOptions,
  type Collector,
  type CollectorContext,
  type CollectorPlugin,
  type CompatibilityRoutes,
  type ConfigFiles,
  type ConfigPath,
  type FilesystemRoots,
  type Logger,
  type MetricFamily,
  type TaskState,
} from '@tessera/collector-api';
import { PartReuseCache, SampleCollection, type CollectedFamily, type PartRecord } from '@tessera/exposition';
import type { Dispatcher } from 'undici';
import { ConfigFileError } from '../config/config-error.js';
import type { Redactor } from '../logging/redactor.js';
import { DispatcherSet } from './dispatchers.js';
import { errorMessage } from './error-message.js';
import { createScheduler, type OwnedScheduler } from './scheduler.js';
import { settleWithin, withTimeout } from './settle-within.js';

/** The result of one instance's part of a scrape. Immutable: the render cache keys on its identity. */
export interface CollectionOutcome {
  /** The families collected; empty when the collection failed. */
  readonly families: readonly CollectedFamily[];
  readonly success: boolean;
  /** How long the collection that produced this outcome ran (for a cached result: the original run). */
  readonly durationSeconds: number;
  /** One-line reason when `success` is false. */
  readonly error: string | undefined;
  /** Served from the cache (`cacheTtlSeconds`) instead of a new collection. */
  readonly cached: boolean;
  /** The parts the collector ran (see `MetricSink.part`), in the order they started. */
  readonly parts: readonly PartRecord[];
}

/** The last outcome of an instance, for the status page. */
export interface LastCollection extends Omit<CollectionOutcome, 'families'> {
  /** Wall-clock time (ms since the epoch) the outcome was served. */
  readonly at: number;
}

/** Everything the status page and self-metrics show of one instance. */
export interface InstanceStatus {
  /** `undefined` before the first scrape. */
  readonly last: LastCollection | undefined;
  /** Why the collector could not be created, while it cannot (it is retried). */
  readonly createError: string | undefined;
  /** Served a successful collection or probe (or found its source absent) at least once. */
  readonly ready: boolean;
  readonly tasks: readonly TaskState[];
}

/** What an instance is: the plugin, its validated config and how the host runs it. */
export interface InstanceDefinition {
  readonly collectorName: string;
  readonly instance: string;
  readonly packageName: string;
  readonly version: string;
  readonly plugin: CollectorPlugin;
  /** The entry validated by the plugin's schema. */
  readonly config: unknown;
  /** The entry's key path, for messages. */
  readonly path: ConfigPath;
  /** The collection deadline: the entry's `timeoutSeconds`, else `scrape.timeoutSeconds`. */
  readonly timeoutSeconds: number;
  readonly cacheTtlSeconds: number | undefined;
}

/** What the exporter shares with every instance. */
export interface InstanceServices {
  /** The instance's logger, bound to `{collector, instance}`. */
  readonly logger: Logger;
  readonly clock: Clock;
  readonly roots: FilesystemRoots;
  readonly files: ConfigFiles;
  readonly redactor: Redactor;
  /** The dispatcher every collector shares (`context.dispatcher`). */
  readonly sharedDispatcher: () => Dispatcher;
  /** Who owns a family name outside this collector (the host, another collector), for `sink.declare()`. */
  readonly ownerOf: (collectorName: string, familyName: string) => string | undefined;
  /** The file named in config error messages. */
  readonly configFile: string;
}

interface Run {
  readonly outcome: Promise<CollectionOutcome>;
}

/** The collector of one successful `create()`, with what the host made for it. */
interface Created {
  readonly collector: Collector;
  readonly declared: readonly MetricFamily[];
  readonly scheduler: OwnedScheduler;
  readonly dispatchers: DispatcherSet;
}

// How long close() waits for one collector's close() before giving up on it.
const CLOSE_TIMEOUT_MS = 5000;
// Retrying a failed create(): first after 1 s, doubling up to 60 s.
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 60_000;

/**
 * One configured collector instance and its runtime state: creation (bounded, retried in the
 * background when it fails), single-flight collections with the cache TTL and the deadline,
 * parts, readiness, and the bound on abandoned collections.
 *
 * Abandoned collections: when a collection passes its deadline the host aborts its signal and stops
 * waiting. If the collector ignores the signal, its promise stays pending; until it settles, further
 * scrapes fail this instance at once with "previous collection still running" rather than starting
 * another one. So a hung source costs at most one pending collection per instance, never a pile.
 */
export class CollectorInstance {
  readonly collectorName: string;
  readonly instance: string;
  readonly packageName: string;
  readonly version: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly cacheTtlSeconds: number | undefined;
  /** The label the host adds to this collector's series in `/metrics` (the plugin's `instanceLabel`). */
  readonly instanceLabel: string | undefined;
  /** The anchor's URL shapes the host serves for this collector (the plugin's `compatibilityRoutes`). */
  readonly compatibilityRoutes: CompatibilityRoutes | undefined;
  readonly #definition: InstanceDefinition;
  readonly #services: InstanceServices;
  readonly #logger: Logger;
  #created: Created | undefined;
  #createError: string | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryDelayMs = RETRY_FIRST_MS;
  #readinessCheck: Promise<boolean> | undefined;
  /** The collection under way, per subset (`''`: the whole collection; see {@link subsetKey}). */
  readonly #inFlight = new Map<string, Run>();
  #abandoned: Promise<void> | undefined;
  /** The last successful collection, per subset, for the cache TTL. */
  readonly #lastSuccess = new Map<string, { readonly outcome: CollectionOutcome; readonly completedAt: number }>();
  /** Per subset: the samples of parts replayed from background snapshots, reused while the snapshot is the same. */
  readonly #partReuse = new Map<string, PartReuseCache>();
  #last: LastCollection | undefined;
  #ready = false;
  /** Parts that failed in the last collection, so a part's failure is logged when it starts and when it ends. */
  #failingParts = new Set<string>();
  #closing: Promise<void> | undefined;

  constructor(definition: InstanceDefinition, services: InstanceServices) {
    this.#definition = definition;
    this.#services = services;
    this.#logger = services.logger;
    this.collectorName = definition.collectorName;
    this.instance = definition.instance;
    this.packageName = definition.packageName;
    this.version = definition.version;
    this.description = definition.plugin.description;
    this.timeoutSeconds = definition.timeoutSeconds;
    this.cacheTtlSeconds = definition.cacheTtlSeconds;
    this.instanceLabel = definition.plugin.instanceLabel;
    this.compatibilityRoutes = definition.plugin.compatibilityRoutes;
  }

  /** A value of the instance's validated config entry (`endpoint`), for selecting it by a request's parameter. */
  configValue(key: string): unknown {
    const { config } = this.#definition;
    return typeof config === 'object' && config !== null ? (config as Record<string, unknown>)[key] : undefined;
  }

  /**
   * Asks the collector whether a compatibility-route request may carry this bearer token: the
   * reason to refuse it, or `undefined` to serve. Refused when the collector does not take bearer
   * tokens, is not created, or cannot decide within `timeoutMs`.
   */
  async checkBearerToken(token: string, timeoutMs: number): Promise<string | undefined> {
    const collector = this.#created?.collector;
    if (collector === undefined) return `${this.collectorName}/${this.instance} is not created yet: ${this.#createError ?? 'starting'}`;
    if (collector.checkBearerToken === undefined) return `collector ${this.collectorName} takes no bearer token in the request: remove the authorization from the scrape config`;
    try {
      return await collector.checkBearerToken(token, AbortSignal.timeout(timeoutMs));
    } catch (error) {
      return `the bearer token could not be checked: ${this.#services.redactor.redact(errorMessage(error))}`;
    }
  }

  /** Families this instance declared up front (plugin and `collector.metrics`); the plugin's alone until it is created. */
  get declaredFamilies(): readonly MetricFamily[] {
    return this.#created?.declared ?? this.#definition.plugin.metrics;
  }

  get status(): InstanceStatus {
    return { last: this.#last, createError: this.#createError, ready: this.#ready, tasks: this.#created?.scheduler.states() ?? [] };
  }

  get ready(): boolean {
    return this.#ready;
  }

  /**
   * Creates the collector, waiting at most `deadlineMs`. A `ConfigError` (settings wrong in fact)
   * rejects with a `ConfigFileError` and the exporter refuses to start; declared families that
   * break the contract reject too (a bug in the plugin). Any other failure or a timeout leaves the
   * instance failed (every scrape says why) and retries in the background with back-off.
   */
  async start(deadlineMs: number): Promise<void> {
    const problem = await this.#attemptCreate(deadlineMs);
    if (problem === undefined) return;
    if (problem.fatal) throw problem.error;
    this.#scheduleCreateRetry(deadlineMs);
  }

  async #attemptCreate(deadlineMs: number): Promise<{ readonly fatal: boolean; readonly error: Error } | undefined> {
    const { plugin, config, path, collectorName, instance } = this.#definition;
    const scheduler = createScheduler({ logger: this.#logger, clock: this.#services.clock });
    const dispatchers = new DispatcherSet();
    const services = this.#services;
    const context: CollectorContext = {
      collector: collectorName,
      instance,
      logger: this.#logger,
      get dispatcher() {
        return services.sharedDispatcher();
      },
      createDispatcher: (options) => dispatchers.create(options),
      files: this.#services.files,
      roots: this.#services.roots,
      clock: this.#services.clock,
      scheduler,
    };
    const settled = await settleWithin(() => plugin.create(config, context), deadlineMs, 'create() rejected');
    const discard = async (collector: Collector | undefined): Promise<void> => {
      scheduler.cancelAll();
      if (collector !== undefined) await closeBounded(collector, this.#logger);
      await dispatchers.close();
    };
    if ('abandoned' in settled) {
      // A create() that finishes after its deadline made a collector nobody will use: close it then.
      void settled.abandoned.then(discard, () => discard(undefined));
      return this.#createFailed(new Error(`create() did not finish within ${seconds(deadlineMs)} s`), false);
    }
    if ('error' in settled) {
      await discard(undefined);
      if (isConfigError(settled.error)) {
        const reason = this.#services.redactor.redact(settled.error.message);
        const error = new ConfigFileError(this.#services.configFile, reason, { path: [...path, ...settled.error.path], cause: settled.error });
        return this.#createFailed(error, true);
      }
      return this.#createFailed(new Error(`create() failed: ${errorMessage(settled.error)}`, { cause: settled.error }), false);
    }
    const collector = settled.value;
    const declared = [...plugin.metrics, ...(collector.metrics ?? [])];
    const problem = describeFamiliesProblem(declared) ?? describeInstanceLabelProblem(plugin.instanceLabel, declared);
    if (problem !== undefined) {
      await discard(collector);
      return this.#createFailed(new Error(`collector ${collectorName} (${formatConfigPath(path)}): ${problem}`), true);
    }
    if (this.#closing !== undefined) {
      await discard(collector);
      return undefined;
    }
    this.#created = { collector, declared, scheduler, dispatchers };
    if (this.#createError !== undefined) this.#logger.info('the collector was created after failed attempts');
    this.#createError = undefined;
    return undefined;
  }

  #createFailed(error: Error, fatal: boolean): { readonly fatal: boolean; readonly error: Error } {
    const message = this.#services.redactor.redact(errorMessage(error));
    if (!fatal) {
      if (this.#createError === undefined) this.#logger.error(`the collector cannot be created: ${message} (retrying in the background)`);
      else this.#logger.debug(`the collector still cannot be created: ${message}`);
      this.#createError = message;
    }
    return { fatal, error };
  }

  #scheduleCreateRetry(deadlineMs: number): void {
    if (this.#closing !== undefined) return;
    this.#retryTimer = setTimeout(() => {
      void (async () => {
        const problem = await this.#attemptCreate(deadlineMs);
        if (problem === undefined) {
          this.#retryDelayMs = RETRY_FIRST_MS;
          return;
        }
        // A ConfigError now (the file appeared wrong) cannot stop a running exporter: it stays failed, retried.
        if (problem.fatal) this.#logger.error(`the collector cannot be created: ${this.#services.redactor.redact(errorMessage(problem.error))}`);
        this.#retryDelayMs = Math.min(this.#retryDelayMs * 2, RETRY_MAX_MS);
        this.#scheduleCreateRetry(deadlineMs);
      })();
    }, this.#retryDelayMs);
    this.#retryTimer.unref();
  }

  /**
   * Whether the instance has served once; when it has not, checks it now: `probe()` when the
   * collector has one, else a collection (which also warms its cache). Concurrent checks share one.
   * The result is kept: once ready, an instance stays ready.
   */
  checkReady(timeoutMs: number): Promise<boolean> {
    if (this.#ready) return Promise.resolve(true);
    this.#readinessCheck ??= (async () => {
      try {
        await this.probe(timeoutMs);
        return this.#ready;
      } finally {
        this.#readinessCheck = undefined;
      }
    })();
    return this.#readinessCheck;
  }

  /**
   * This instance's part of a scrape, settled within `timeoutMs` whatever the collector does.
   * Serves the cache when fresh, joins an in-flight collection, or starts one.
   */
  async collect(timeoutMs: number, options: CollectOptions = {}): Promise<CollectionOutcome> {
    const outcome = await this.#outcome(timeoutMs, options);
    this.#last = { success: outcome.success, durationSeconds: outcome.durationSeconds, error: outcome.error, cached: outcome.cached, parts: outcome.parts, at: this.#services.clock.now() };
    return outcome;
  }

  /** Checks that the source is reachable: `probe()` when the collector has one, else a collection. */
  async probe(timeoutMs: number): Promise<{ readonly success: boolean; readonly error: string | undefined; readonly durationSeconds: number }> {
    const created = this.#created;
    if (created === undefined) return { success: false, error: this.#createError ?? 'the collector is not created yet', durationSeconds: 0 };
    const { collector } = created;
    if (collector.probe === undefined) {
      const outcome = await this.collect(timeoutMs);
      return { success: outcome.success, error: outcome.error, durationSeconds: outcome.durationSeconds };
    }
    const controller = new AbortController();
    const started = this.#services.clock.monotonic();
    const settled = await settleWithin(() => collector.probe?.(controller.signal), timeoutMs, 'probe() rejected');
    const error = 'abandoned' in settled ? new CollectorTimeoutError(`probe timed out after ${timeoutMs / 1000} s`, { timeoutMs }) : 'error' in settled ? settled.error : undefined;
    if (error !== undefined) controller.abort(error);
    const durationSeconds = (this.#services.clock.monotonic() - started) / 1000;
    if (error === undefined || isNoDataError(error)) {
      this.#ready = true;
      return { success: true, error: undefined, durationSeconds };
    }
    return { success: false, error: this.#services.redactor.redact(errorMessage(error)), durationSeconds };
  }

  async #outcome(timeoutMs: number, options: CollectOptions): Promise<CollectionOutcome> {
    const key = subsetKey(options);
    const cached = this.#freshCache(key);
    if (cached !== undefined) return cached;
    const inFlight = this.#inFlight.get(key);
    if (inFlight !== undefined) return this.#join(inFlight, timeoutMs);
    if (this.#closing !== undefined) return failure('the collector is closing', 0);
    const created = this.#created;
    if (created === undefined) return failure(`the collector could not be created: ${this.#createError ?? 'not created yet'}`, 0);
    if (this.#abandoned !== undefined) {
      this.#logger.debug('previous collection still running; failing this scrape without collecting');
      return failure('previous collection still running (it passed its deadline and ignored the abort signal)', 0);
    }
    const run: Run = { outcome: this.#run(created, timeoutMs, options, key) };
    this.#inFlight.set(key, run);
    try {
      return await run.outcome;
    } finally {
      if (this.#inFlight.get(key) === run) this.#inFlight.delete(key);
    }
  }

  #freshCache(key: string): CollectionOutcome | undefined {
    const ttlSeconds = this.cacheTtlSeconds ?? 0;
    const last = this.#lastSuccess.get(key);
    if (ttlSeconds <= 0 || last === undefined) return undefined;
    if (this.#services.clock.monotonic() - last.completedAt >= ttlSeconds * 1000) return undefined;
    return last.outcome;
  }

  /** A concurrent scrape waits for the shared run, but never past its own deadline. */
  #join(run: Run, timeoutMs: number): Promise<CollectionOutcome> {
    return withTimeout(run.outcome, timeoutMs, () => failure(`timed out after ${seconds(timeoutMs)}s waiting for the in-flight collection`, timeoutMs / 1000));
  }

  async #run(created: Created, timeoutMs: number, options: CollectOptions, key: string): Promise<CollectionOutcome> {
    const controller = new AbortController();
    let lateUseReported = false;
    const redact = (text: string): string => this.#services.redactor.redact(text);
    const quietParts = new Set<string>();
    // Parts replayed from an unchanged snapshot are served from what they committed last time (per subset).
    let partReuse = this.#partReuse.get(key);
    if (partReuse === undefined) {
      partReuse = new PartReuseCache();
      this.#partReuse.set(key, partReuse);
    }
    const sink = new SampleCollection(created.declared, `collector ${this.collectorName} (instance ${this.instance})`, {
      // An abandoned collection may still call the sink from a callback of its own; a throw there
      // would escape every promise and end the process, so it is dropped and logged once.
      onLateUse: (message) => {
        if (lateUseReported) return;
        lateUseReported = true;
        this.#logger.warn(`${message}; the call was ignored`);
      },
      ownerOf: (name) => this.#services.ownerOf(this.collectorName, name),
      onPartFailed: (part, error) => {
        if (isNoDataError(error)) quietParts.add(part.name);
      },
      monotonic: () => this.#services.clock.monotonic(),
      partReuse,
    });
    const { clock } = this.#services;
    const started = clock.monotonic();
    const { subset } = options;
    const settled = await settleWithin(
      () => (subset === undefined ? created.collector.collect(sink, controller.signal) : created.collector.collect(sink, controller.signal, { subset })),
      timeoutMs,
      'collect() rejected',
    );
    const durationSeconds = (clock.monotonic() - started) / 1000;

    if ('abandoned' in settled) {
      const timeoutError = new CollectorTimeoutError(`collection timed out after ${seconds(timeoutMs)}s`, { timeoutMs });
      controller.abort(timeoutError);
      sink.seal();
      const abandoned = settled.abandoned.then(
        () => undefined,
        () => undefined,
      );
      this.#abandoned = abandoned;
      void abandoned.then(() => {
        if (this.#abandoned === abandoned) this.#abandoned = undefined;
      });
      this.#logger.error({ timeoutSeconds: timeoutMs / 1000 }, `collection failed: ${timeoutError.message}`);
      return failure(timeoutError.message, durationSeconds, sink.parts);
    }
    const families = sink.seal();
    const parts = sink.parts.map((part) => (part.error === undefined ? part : { ...part, error: redact(part.error) }));
    this.#logPartChanges(parts, quietParts);
    if ('error' in settled) {
      const message = redact(errorMessage(settled.error));
      if (isNoDataError(settled.error)) {
        this.#logger.debug(`no data: ${message}`);
        this.#ready = true;
      } else {
        this.#logger.error({ err: settled.error }, `collection failed: ${message}`);
      }
      return failure(message, durationSeconds, parts);
    }
    const outcome: CollectionOutcome = { families, success: true, durationSeconds, error: undefined, cached: false, parts };
    // Kept only to serve within the cache TTL: without one, the families of a large source (a
    // FlashBlade's 650k series) would stay alive beside the next collection's, doubling the heap.
    if ((this.cacheTtlSeconds ?? 0) > 0) this.#lastSuccess.set(key, { outcome: { ...outcome, cached: true }, completedAt: clock.monotonic() });
    this.#ready = true;
    return outcome;
  }

  /** Logs a part when it starts failing (warn) and when it recovers (info); repeats go to debug. */
  #logPartChanges(parts: readonly PartRecord[], quiet: ReadonlySet<string>): void {
    // Parts this collection did not run (a subset's) keep their state.
    const failing = new Set(this.#failingParts);
    for (const part of parts) {
      if (part.success) {
        if (failing.delete(part.name)) this.#logger.info({ part: part.name }, `part ${part.name} recovered`);
        continue;
      }
      failing.add(part.name);
      if (this.#failingParts.has(part.name) || quiet.has(part.name)) this.#logger.debug({ part: part.name }, `part ${part.name} failed again: ${part.error ?? ''}`);
      else this.#logger.warn({ part: part.name }, `part ${part.name} failed: ${part.error ?? ''} (its series are left out; repeats are logged at debug level)`);
    }
    this.#failingParts = failing;
  }

  /** Records that the host refused this scrape's collection when merging it (a family clash). */
  reportRejected(reason: string): void {
    this.#logger.error(`collection rejected: ${reason}`);
    if (this.#last !== undefined) this.#last = { ...this.#last, success: false, error: reason };
  }

  /** Stops retries, cancels scheduled tasks, calls the collector's `close()` once (bounded), closes its dispatchers. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearTimeout(this.#retryTimer);
    const created = this.#created;
    if (created === undefined) return;
    created.scheduler.cancelAll();
    await closeBounded(created.collector, this.#logger);
    await created.dispatchers.close();
  }
}

async function closeBounded(collector: Collector, logger: Logger): Promise<void> {
  if (collector.close === undefined) return;
  try {
    await withTimeout(
      Promise.resolve().then(() => collector.close?.()),
      CLOSE_TIMEOUT_MS,
      () => {
        throw new Error(`close() did not finish within ${CLOSE_TIMEOUT_MS / 1000}s`);
      },
    );
  } catch (error) {
    logger.error({ err: error }, `closing the collector failed: ${errorMessage(error)}`);
  }
}

/** Collections of different subsets are kept apart (single-flight, cache): `''` for the whole collection. */
function subsetKey(options: CollectOptions): string {
  return options.subset === undefined ? '' : `subset:${JSON.stringify(options.subset)}`;
}

function failure(error: string, durationSeconds: number, parts: readonly PartRecord[] = []): CollectionOutcome {
  return { families: [], success: false, durationSeconds, error, cached: false, parts };
}

function seconds(milliseconds: number): string {
  return String(Math.round(milliseconds) / 1000);
}
