import {
  CollectorTimeoutError,
  isNoDataError,
  type Clock,
  type Collector,
  type Logger,
  type MetricFamily,
} from '@tessera/collector-api';
import { SampleCollection, type CollectedFamily } from '@tessera/exposition';
import { toOneLine } from '../config/config-error.js';
import type { OwnedScheduler } from './scheduler.js';

/** The result of one instance's part of a scrape. */
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
}

/** The last outcome of an instance, for the status page. */
export interface InstanceStatus extends Omit<CollectionOutcome, 'families'> {
  /** Wall-clock time (ms since the epoch) the outcome was served. */
  readonly at: number;
}

/** Everything a {@link CollectorInstance} needs. */
export interface CollectorInstanceOptions {
  readonly collectorName: string;
  readonly instance: string;
  readonly packageName: string;
  readonly version: string;
  readonly description: string;
  readonly collector: Collector;
  /** Families the sink accepts: plugin.metrics plus collector.metrics. */
  readonly declared: readonly MetricFamily[];
  readonly timeoutSeconds: number | undefined;
  readonly cacheTtlSeconds: number | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly scheduler: OwnedScheduler;
}

interface Run {
  readonly outcome: Promise<CollectionOutcome>;
}

// How long close() waits for one collector's close() before giving up on it.
const CLOSE_TIMEOUT_MS = 5000;

/**
 * One running collector instance and its scrape-time state: single-flight (concurrent scrapes share
 * one in-flight collection), the cache TTL, the deadline, and the bound on abandoned collections.
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
  readonly timeoutSeconds: number | undefined;
  readonly cacheTtlSeconds: number | undefined;
  readonly #collector: Collector;
  readonly #declared: readonly MetricFamily[];
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #scheduler: OwnedScheduler;
  #inFlight: Run | undefined;
  #abandoned: Promise<void> | undefined;
  #lastSuccess: { readonly outcome: CollectionOutcome; readonly completedAt: number } | undefined;
  #status: InstanceStatus | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: CollectorInstanceOptions) {
    this.collectorName = options.collectorName;
    this.instance = options.instance;
    this.packageName = options.packageName;
    this.version = options.version;
    this.description = options.description;
    this.timeoutSeconds = options.timeoutSeconds;
    this.cacheTtlSeconds = options.cacheTtlSeconds;
    this.#collector = options.collector;
    this.#declared = options.declared;
    this.#logger = options.logger;
    this.#clock = options.clock;
    this.#scheduler = options.scheduler;
  }

  /** The outcome last served, `undefined` before the first scrape. */
  get status(): InstanceStatus | undefined {
    return this.#status;
  }

  /**
   * This instance's part of a scrape, settled within `timeoutMs` whatever the collector does.
   * Serves the cache when fresh, joins an in-flight collection, or starts one.
   */
  async collect(timeoutMs: number): Promise<CollectionOutcome> {
    const outcome = await this.#outcome(timeoutMs);
    this.#status = { success: outcome.success, durationSeconds: outcome.durationSeconds, error: outcome.error, cached: outcome.cached, at: this.#clock.now() };
    return outcome;
  }

  async #outcome(timeoutMs: number): Promise<CollectionOutcome> {
    const cached = this.#freshCache();
    if (cached !== undefined) return cached;
    if (this.#inFlight !== undefined) return this.#join(this.#inFlight, timeoutMs);
    if (this.#closing !== undefined) return failure('the collector is closing', 0);
    if (this.#abandoned !== undefined) {
      this.#logger.debug('previous collection still running; failing this scrape without collecting');
      return failure('previous collection still running (it passed its deadline and ignored the abort signal)', 0);
    }
    const run: Run = { outcome: this.#run(timeoutMs) };
    this.#inFlight = run;
    try {
      return await run.outcome;
    } finally {
      if (this.#inFlight === run) this.#inFlight = undefined;
    }
  }

  #freshCache(): CollectionOutcome | undefined {
    const ttlSeconds = this.cacheTtlSeconds ?? 0;
    if (ttlSeconds <= 0 || this.#lastSuccess === undefined) return undefined;
    if (this.#clock.monotonic() - this.#lastSuccess.completedAt >= ttlSeconds * 1000) return undefined;
    return { ...this.#lastSuccess.outcome, cached: true };
  }

  /** A concurrent scrape waits for the shared run, but never past its own deadline. */
  async #join(run: Run, timeoutMs: number): Promise<CollectionOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<CollectionOutcome>((resolve) => {
      timer = setTimeout(() => resolve(failure(`timed out after ${seconds(timeoutMs)}s waiting for the in-flight collection`, timeoutMs / 1000)), timeoutMs);
    });
    try {
      return await Promise.race([run.outcome, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #run(timeoutMs: number): Promise<CollectionOutcome> {
    const controller = new AbortController();
    let lateUseReported = false;
    const sink = new SampleCollection(this.#declared, `collector ${this.collectorName} (instance ${this.instance})`, {
      // An abandoned collection may still call the sink from a callback of its own; a throw there
      // would escape every promise and end the process, so it is dropped and logged once.
      onLateUse: (message) => {
        if (lateUseReported) return;
        lateUseReported = true;
        this.#logger.warn(`${message}; the call was ignored`);
      },
    });
    const started = this.#clock.monotonic();
    // `then` turns a synchronous throw inside collect() into a rejection like any other.
    const work = Promise.resolve().then(() => this.#collector.collect(sink, controller.signal));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const settled = await Promise.race([work.then(() => ({ error: undefined }), (error: unknown) => ({ error: error ?? new Error('collect() rejected') })), timedOut]);
    clearTimeout(timer);
    const durationSeconds = (this.#clock.monotonic() - started) / 1000;

    if (settled === 'timeout') {
      const timeoutError = new CollectorTimeoutError(`collection timed out after ${seconds(timeoutMs)}s`, { timeoutMs });
      controller.abort(timeoutError);
      sink.seal();
      const abandoned = work.then(
        () => undefined,
        () => undefined,
      );
      this.#abandoned = abandoned;
      void abandoned.then(() => {
        if (this.#abandoned === abandoned) this.#abandoned = undefined;
      });
      this.#logger.error({ timeoutSeconds: timeoutMs / 1000 }, `collection failed: ${timeoutError.message}`);
      return failure(timeoutError.message, durationSeconds);
    }
    if (settled.error !== undefined) {
      sink.seal();
      const message = errorMessage(settled.error);
      if (isNoDataError(settled.error)) this.#logger.debug(`no data: ${message}`);
      else this.#logger.error({ err: settled.error }, `collection failed: ${message}`);
      return failure(message, durationSeconds);
    }
    const outcome: CollectionOutcome = { families: sink.seal(), success: true, durationSeconds, error: undefined, cached: false };
    this.#lastSuccess = { outcome, completedAt: this.#clock.monotonic() };
    return outcome;
  }

  /** Records that the host refused this scrape's collection when merging it (a family clash). */
  reportRejected(reason: string): void {
    this.#logger.error(`collection rejected: ${reason}`);
    if (this.#status !== undefined) this.#status = { ...this.#status, success: false, error: reason };
  }

  /** Cancels scheduled tasks, then calls the collector's `close()` once (bounded). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#scheduler.cancelAll();
    if (this.#collector.close === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => this.#collector.close?.()),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`close() did not finish within ${CLOSE_TIMEOUT_MS / 1000}s`)), CLOSE_TIMEOUT_MS);
        }),
      ]);
    } catch (error) {
      this.#logger.error({ err: error }, `closing the collector failed: ${errorMessage(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}

function failure(error: string, durationSeconds: number): CollectionOutcome {
  return { families: [], success: false, durationSeconds, error, cached: false };
}

function seconds(milliseconds: number): string {
  return String(Math.round(milliseconds) / 1000);
}

/** One line saying what went wrong, for logs, the status page and `tessera collect`. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return toOneLine(error.message) || error.name;
  return toOneLine(String(error));
}
