import type { Collector, CollectorContext, MetricSink, ScheduledTask } from '@tessera/collector-api';
import { ArkoudaClient } from './arkouda-client.js';
import { afterFailure, NO_BACKOFF, takeScheduledPoll, type BackoffState } from './backoff.js';
import { metricsEndpoint, resolveServerName, type ArkoudaCollectorConfig } from './config.js';
import { ArkoudaError, FAILURE_REASONS, type FailureReason } from './errors.js';
import { render, renderHealth } from './render.js';
import type { ArkoudaSnapshot } from './snapshot.js';

/** Polls of 50 servers that all started together spread out: each instance's interval is off by up to ±5 %. */
const INTERVAL_JITTER = 0.05;

/** Requests in one poll at most: getconfig and SERVER_INFO after (re)connecting, then metrics ALL. */
const REQUESTS_PER_POLL = 3;

/**
 * One Arkouda server. A background task polls it on the host's scheduler; a scrape renders the
 * latest snapshot and never waits on the server, except for the very first poll of a new
 * instance. A server that stops answering costs its own poll its request timeout, nothing else:
 * `arkouda_up` drops to 0 at once, and its metrics are left out once the snapshot is older than two
 * intervals plus a full poll's timeouts (stale data is never served as fresh).
 */
export class ArkoudaCollector implements Collector {
  readonly #client: ArkoudaClient;
  readonly #context: CollectorContext;
  readonly #serverName: string;
  readonly #staleAfterMs: number;
  readonly #task: ScheduledTask;
  /** Aborts the polls a scrape starts, at close(). */
  readonly #lifetime = new AbortController();
  #latest: { readonly snapshot: ArkoudaSnapshot; readonly monotonicMs: number } | undefined;
  #up = false;
  #polls = 0;
  readonly #failures: Record<FailureReason, number> = Object.fromEntries(FAILURE_REASONS.map((reason) => [reason, 0])) as Record<FailureReason, number>;
  #lastError: Error | undefined;
  #backoff: BackoffState = NO_BACKOFF;
  #inFlight: Promise<void> | undefined;
  /** True once a poll has finished, whether the server answered or failed (not when it was cancelled). */
  #firstPollFinished = false;

  private constructor(config: ArkoudaCollectorConfig, context: CollectorContext) {
    this.#context = context;
    this.#serverName = resolveServerName(config, context.instance);
    const url = metricsEndpoint(config);
    const intervalMs = config.pollIntervalSeconds * 1000;
    const requestTimeoutMs = config.requestTimeoutSeconds * 1000;
    this.#staleAfterMs = 2 * intervalMs + REQUESTS_PER_POLL * requestTimeoutMs;
    this.#client = new ArkoudaClient({ url, serverName: this.#serverName, requestTimeoutMs, logger: context.logger.child({ url }), clock: context.clock });
    const jitteredIntervalMs = Math.round(intervalMs * (1 + INTERVAL_JITTER * (2 * Math.random() - 1)));
    this.#task = context.scheduler.every(jitteredIntervalMs, (signal) => this.#scheduledPoll(signal), { runImmediately: true });
  }

  /** Creates the collector and schedules its polls; opens nothing (the first poll connects). */
  static create(config: ArkoudaCollectorConfig, context: CollectorContext): ArkoudaCollector {
    return new ArkoudaCollector(config, context);
  }

  async collect(sink: MetricSink, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    // Only a new instance's first poll is waited for; afterwards a scrape never waits on the server.
    if (!this.#firstPollFinished) await abortable(this.#poll(this.#lifetime.signal), signal);
    const latest = this.#latest;
    const ageMs = latest === undefined ? undefined : Math.max(0, this.#context.clock.monotonic() - latest.monotonicMs);
    const fresh = ageMs !== undefined && ageMs <= this.#staleAfterMs;
    renderHealth(
      // Polls that stopped happening (a stalled scheduler) must not leave a server looking up.
      { serverName: this.#serverName, up: this.#up && fresh, polls: this.#polls, failures: this.#failures, lastSuccessMs: latest?.snapshot.sampledAtMs },
      sink,
      ageMs === undefined ? undefined : ageMs / 1000,
    );
    if (latest === undefined) return;
    if (!fresh) {
      this.#context.logger.debug({ ageSeconds: (ageMs ?? 0) / 1000 }, 'leaving out the Arkouda metrics: the last successful poll is too old');
      return;
    }
    render(latest.snapshot, sink);
  }

  /** Resolves when the server answered the last poll (running one if none ran yet); else rejects with why it did not. */
  async probe(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (!this.#firstPollFinished) await abortable(this.#poll(this.#lifetime.signal), signal);
    if (!this.#up) throw this.#lastError ?? new Error('the Arkouda server has not answered yet');
  }

  close(): void {
    this.#task.cancel();
    this.#lifetime.abort(new Error('the collector is closing'));
    this.#client.close();
  }

  /** What the scheduler runs: a poll, unless the backoff after failures says to skip this one. */
  async #scheduledPoll(signal: AbortSignal): Promise<void> {
    const decision = takeScheduledPoll(this.#backoff);
    this.#backoff = decision.state;
    if (decision.run) await this.#poll(signal);
  }

  /** One poll at a time: a poll asked for while one runs joins it. */
  #poll(signal: AbortSignal): Promise<void> {
    this.#inFlight ??= this.#pollOnce(signal).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #pollOnce(signal: AbortSignal): Promise<void> {
    this.#polls++;
    try {
      const snapshot = await this.#client.poll(signal);
      this.#latest = { snapshot, monotonicMs: this.#context.clock.monotonic() };
      this.#firstPollFinished = true;
      if (!this.#up && this.#lastError !== undefined) this.#context.logger.info('the Arkouda server answers again');
      this.#up = true;
      this.#lastError = undefined;
      this.#backoff = NO_BACKOFF;
    } catch (error) {
      if (signal.aborted) {
        // Cancelled (shutdown, or the host abandoned the run): not the server's failure.
        this.#polls--;
        return;
      }
      this.#firstPollFinished = true;
      const reason = error instanceof ArkoudaError ? error.reason : 'malformed_reply';
      this.#failures[reason]++;
      const message = error instanceof Error ? error.message : String(error);
      // One warning when the server goes down or fails differently; repeats of the same failure go to debug.
      if (this.#up || this.#lastError?.message !== message) this.#context.logger.warn({ reason }, `poll failed: ${message}`);
      else this.#context.logger.debug({ reason }, `poll failed again: ${message}`);
      this.#up = false;
      this.#lastError = error instanceof Error ? error : new Error(message);
      this.#backoff = afterFailure(this.#backoff);
    }
  }
}

/** Waits for `promise`, or rejects with the signal's reason as soon as it fires (the promise keeps running). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
