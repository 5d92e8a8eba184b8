import {
  isCollectorTimeoutError,
  isStaleDataError,
  NoDataError,
  type Collector,
  type CollectorContext,
  type MetricSink,
  type ScheduledTask,
} from '@tessera/collector-api';
import { ArkoudaClient } from './arkouda-client.js';
import { metricsEndpoint, resolveServerName, type ArkoudaCollectorConfig } from './config.js';
import { ArkoudaError, FAILURE_REASONS, type FailureReason } from './errors.js';
import { render, renderHealth } from './render.js';
import type { ArkoudaSnapshot } from './snapshot.js';

/** Requests in one poll at most: getconfig and SERVER_INFO after (re)connecting, then metrics ALL. */
const REQUESTS_PER_POLL = 3;

/** The name of the background task, and of the part that replays its snapshot in a collection. */
const POLL = 'poll';

/** How long polls may take and how old their snapshot may get, from the instance's settings. */
interface PollTiming {
  readonly intervalMs: number;
  /** A poll's budget: each of its requests may wait the request timeout. */
  readonly timeoutMs: number;
  /** Older snapshots are stale: two intervals plus a poll's budget, so one failed poll leaves no gap. */
  readonly maxAgeMs: number;
}

/** The poll timing of an instance's config. */
function pollTiming(config: Pick<ArkoudaCollectorConfig, 'pollIntervalSeconds' | 'requestTimeoutSeconds'>): PollTiming {
  const intervalMs = config.pollIntervalSeconds * 1000;
  const timeoutMs = REQUESTS_PER_POLL * config.requestTimeoutSeconds * 1000;
  return { intervalMs, timeoutMs, maxAgeMs: 2 * intervalMs + timeoutMs };
}

/**
 * One Arkouda server. A task on the host's scheduler polls it (the host spreads the first polls of
 * many instances over one interval, aborts a poll past its budget and backs off from a failing
 * server); a scrape renders the latest snapshot and never waits on the server.
 *
 * What a collection holds: the health series (`arkouda_up`, poll counts, last success, snapshot
 * age) once the first poll has finished, and the part `poll`, the snapshot's series replayed with
 * the time it was taken. A failed poll makes `arkouda_up` 0 at once; its series stay while the
 * snapshot is younger than `maxAgeMs`, then the part fails with the host's `StaleDataError`, so
 * frozen values are never served. Before the first poll, the part fails with `NoDataError`: the
 * scrape does not wait for a server that may never answer.
 */
export class ArkoudaCollector implements Collector {
  readonly #client: ArkoudaClient;
  readonly #url: string;
  readonly #serverName: string;
  readonly #task: ScheduledTask<ArkoudaSnapshot>;
  readonly #clock: CollectorContext['clock'];
  #polls = 0;
  readonly #failures = Object.fromEntries(FAILURE_REASONS.map((reason) => [reason, 0])) as Record<FailureReason, number>;

  private constructor(config: ArkoudaCollectorConfig, context: CollectorContext) {
    this.#clock = context.clock;
    this.#serverName = resolveServerName(config, context.instance);
    this.#url = metricsEndpoint(config);
    this.#client = new ArkoudaClient({
      url: this.#url,
      serverName: this.#serverName,
      requestTimeoutMs: config.requestTimeoutSeconds * 1000,
      logger: context.logger.child({ url: this.#url }),
      clock: context.clock,
    });
    const { intervalMs, timeoutMs, maxAgeMs } = pollTiming(config);
    this.#task = context.scheduler.every(intervalMs, (signal) => this.#poll(signal), { name: POLL, timeoutMs, maxAgeMs, runImmediately: false });
  }

  /** Creates the collector and schedules its polls; opens nothing (the first poll connects). */
  static create(config: ArkoudaCollectorConfig, context: CollectorContext): ArkoudaCollector {
    return new ArkoudaCollector(config, context);
  }

  async collect(sink: MetricSink, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (!this.#pollFinished()) {
      await sink.part(POLL, () => {
        throw new NoDataError(`the first poll of ${this.#url} has not finished yet`);
      });
      return;
    }
    let snapshot: ArkoudaSnapshot | undefined;
    let stale: unknown;
    try {
      snapshot = await this.#task.latest(signal);
    } catch (error) {
      if (!isStaleDataError(error)) throw error;
      stale = error;
    }
    const { lastSuccessAt, consecutiveFailures } = this.#task.state;
    renderHealth(
      { serverName: this.#serverName, up: snapshot !== undefined && consecutiveFailures === 0, polls: this.#polls, failures: this.#failures, lastSuccessMs: lastSuccessAt },
      sink,
      lastSuccessAt === undefined ? undefined : Math.max(0, this.#clock.now() - lastSuccessAt) / 1000,
    );
    await sink.part(
      POLL,
      (part) => {
        if (snapshot === undefined) throw stale;
        render(snapshot, part);
      },
      // The snapshot alone decides what the part emits: while it is the same, the host reuses its samples.
      snapshot === undefined ? {} : { sampledAt: snapshot.sampledAtMs, durationSeconds: snapshot.pollDurationSeconds, reuseKey: snapshot },
    );
  }

  /**
   * Resolves when the server's metrics daemon answers `getconfig` on a connection of its own, in a
   * release this collector can poll; else rejects with why not. The polling socket is left alone.
   */
  async probe(signal: AbortSignal): Promise<void> {
    await this.#client.probe(signal);
  }

  close(): void {
    this.#task.cancel();
    this.#client.close();
  }

  /** Whether a poll has finished, successfully or not (the task's state says so once it has). */
  #pollFinished(): boolean {
    const { lastSuccessAt, lastError } = this.#task.state;
    return lastSuccessAt !== undefined || lastError !== undefined;
  }

  /** What the scheduler runs: one poll, counted, and its failure classified for `arkouda_poll_failures_total`. */
  async #poll(signal: AbortSignal): Promise<ArkoudaSnapshot> {
    this.#polls++;
    try {
      return await this.#client.poll(signal);
    } catch (error) {
      const reason = failureReason(error, signal);
      if (reason !== undefined) this.#failures[reason]++;
      throw error;
    }
  }
}

/**
 * The failure reason of a poll: the client's own, `timeout` when the host abandoned the poll past
 * its budget, none when it was cancelled (the collector is closing). Anything else is a reply this
 * client could not make sense of.
 */
function failureReason(error: unknown, signal: AbortSignal): FailureReason | undefined {
  if (error instanceof ArkoudaError) return error.reason;
  if (signal.aborted) return isCollectorTimeoutError(signal.reason) ? 'timeout' : undefined;
  return 'malformed_reply';
}
