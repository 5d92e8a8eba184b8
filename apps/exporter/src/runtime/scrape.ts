import type { CollectOptions, MetricType } from '@tessera/collector-api';
import { renderText, sortCollectedFamilies, type CollectedFamily } from '@tessera/exposition';
import type { CollectionOutcome, CollectorInstance } from './collector-instance.js';
import { FamilyMerger } from './merge-families.js';
import { renderContributions, type Contribution, type RenderedCollectors } from './rendered-exposition.js';
import { SELF_METRIC_FAMILIES, selfMetricFamilies, type CollectorProvenance } from './self-metrics.js';

/** Who owns the host's own families, in messages about a clash with them. */
export const HOST_OWNER = 'the tessera host';

/** Scrape settings from the config (`scrape:`). */
export interface ScrapeTimeouts {
  readonly timeoutSeconds: number;
  readonly timeoutMarginSeconds: number;
}

/** One instance's outcome within a scrape, after merging (a clash turns success into failure). */
export interface InstanceOutcome {
  readonly instance: CollectorInstance;
  readonly outcome: CollectionOutcome;
}

/**
 * How instances are served: `metrics` (several instances together: a collector's `instanceLabel`
 * is added to its series) or `probe` (one instance in the anchor's exact shape, no added label).
 */
export type ScrapeVariant = 'metrics' | 'probe';

/** A finished scrape: what to write, and what happened to each instance. */
export interface ScrapeResult {
  readonly outcomes: readonly InstanceOutcome[];
  /** How many instances failed. */
  readonly failures: number;
  /** The collectors' families, rendered (and cached while the collections behind them are unchanged). */
  readonly collectors: RenderedCollectors;
  /** The host's own families for this scrape, sorted: scrape durations, parts, tasks, info. */
  readonly self: readonly CollectedFamily[];
}

/** What one scrape covers. */
export interface ScrapeRequest {
  readonly instances: readonly CollectorInstance[];
  readonly variant: ScrapeVariant;
  readonly timeouts: ScrapeTimeouts;
  /** `X-Prometheus-Scrape-Timeout-Seconds`, when the request carried a valid one. */
  readonly scrapeTimeoutHeaderSeconds: number | undefined;
  /** What each collection is asked for (a compatibility route's subset); default everything. */
  readonly collectOptions?: CollectOptions;
}

/**
 * The deadline of one instance's collection, in seconds: its own `timeoutSeconds` (else the scrape
 * default), shortened to the Prometheus scrape timeout minus the margin. When the margin would eat
 * the whole budget, half of Prometheus' timeout is used instead, so a collection always gets a chance.
 */
export function collectionDeadlineSeconds(instanceTimeoutSeconds: number | undefined, timeouts: ScrapeTimeouts, headerSeconds: number | undefined): number {
  const configured = instanceTimeoutSeconds ?? timeouts.timeoutSeconds;
  if (headerSeconds === undefined) return configured;
  const budget = headerSeconds - timeouts.timeoutMarginSeconds;
  return Math.min(configured, budget > 0 ? budget : headerSeconds / 2);
}

/** What a merged-and-rendered set of collections produced, reused while the same collections are served. */
interface RenderedScrape {
  /**
   * The identity of what was rendered: per instance, its families array (held weakly, so a cached
   * render does not keep a finished collection's series alive beside the next one) and its added label.
   */
  readonly key: readonly (WeakRef<object> | string | undefined)[];
  /** Instance name → why the merge refused its collection. */
  readonly rejected: ReadonlyMap<CollectorInstance, string>;
  readonly collectors: Promise<RenderedCollectors>;
}

// Distinct scrape shapes remembered (plain /metrics, /metrics/<collector>, filters, /probe targets).
const RENDER_CACHE_SIZE = 32;

/**
 * Runs scrapes: every instance concurrently, each with its own deadline, merged in a stable order
 * (collector name, then configuration order) so one instance's failure, timeout or clash costs only
 * its own series. The merge and the rendering are cached by the identity of the collections they
 * came from, so a cache hit or scrapes that joined one collection are served without sorting,
 * rendering or compressing again.
 */
export class Scraper {
  readonly #reserved: readonly { readonly name: string; readonly type: MetricType }[];
  readonly #build: { readonly version: string; readonly nodejsVersion: string };
  readonly #rendered = new Map<string, RenderedScrape>();

  constructor(options: { readonly reservedFamilies: readonly { readonly name: string; readonly type: MetricType }[]; readonly build: { readonly version: string; readonly nodejsVersion: string } }) {
    this.#reserved = options.reservedFamilies;
    this.#build = options.build;
  }

  async scrape(request: ScrapeRequest): Promise<ScrapeResult> {
    const ordered = [...request.instances].sort((a, b) => (a.collectorName < b.collectorName ? -1 : a.collectorName > b.collectorName ? 1 : 0));
    const collected = await Promise.all(
      ordered.map(async (instance) => ({
        instance,
        outcome: await instance.collect(collectionDeadlineSeconds(instance.timeoutSeconds, request.timeouts, request.scrapeTimeoutHeaderSeconds) * 1000, request.collectOptions),
      })),
    );
    const rendered = this.#render(request.variant, collected, request.collectOptions?.subset);
    const outcomes: InstanceOutcome[] = collected.map(({ instance, outcome }) => {
      const reason = rendered.rejected.get(instance);
      if (reason === undefined) return { instance, outcome };
      instance.reportRejected(reason);
      return { instance, outcome: { ...outcome, families: [], success: false, error: reason } };
    });
    const provenance = new Map<string, CollectorProvenance>();
    for (const { instance } of outcomes) provenance.set(instance.collectorName, { collector: instance.collectorName, packageName: instance.packageName, version: instance.version });
    const self = selfMetricFamilies(
      outcomes.map(({ instance, outcome }) => ({
        collector: instance.collectorName,
        instance: instance.instance,
        success: outcome.success,
        durationSeconds: outcome.durationSeconds,
        parts: outcome.parts,
        tasks: instance.status.tasks,
      })),
      [...provenance.values()],
      this.#build,
    );
    return { outcomes, failures: outcomes.filter(({ outcome }) => !outcome.success).length, collectors: await rendered.collectors, self: sortCollectedFamilies(self) };
  }

  /** The merge and rendering of these collections: from the cache when the same ones were rendered last time. */
  #render(variant: ScrapeVariant, collected: readonly InstanceOutcome[], subset: readonly string[] | undefined): RenderedScrape {
    const routeKey = `${variant}:${collected.map(({ instance }) => `${instance.collectorName}/${instance.instance}`).join(',')}${subset === undefined ? '' : `:${JSON.stringify(subset)}`}`;
    const identities = collected.flatMap(({ instance, outcome }) => [outcome.success ? outcome.families : undefined, variant === 'metrics' ? instance.instanceLabel : undefined]);
    const previous = this.#rendered.get(routeKey);
    const same = (held: WeakRef<object> | string | undefined, current: object | string | undefined): boolean => (held instanceof WeakRef ? held.deref() === current : held === current);
    if (previous !== undefined && previous.key.length === identities.length && previous.key.every((held, index) => same(held, identities[index]))) return previous;
    const key = identities.map((identity) => (typeof identity === 'object' ? new WeakRef(identity) : identity));

    const merger = new FamilyMerger();
    merger.reserve(SELF_METRIC_FAMILIES, HOST_OWNER);
    merger.reserve(this.#reserved, `${HOST_OWNER} (process metrics)`);
    const rejected = new Map<CollectorInstance, string>();
    const contributions: Contribution[] = [];
    for (const { instance, outcome } of collected) {
      if (!outcome.success) continue;
      const label = variant === 'metrics' ? instance.instanceLabel : undefined;
      const clash = merger.add(`collector ${instance.collectorName}`, instance.instance, outcome.families, label !== undefined);
      if (clash !== undefined) {
        rejected.set(instance, clash);
        continue;
      }
      contributions.push({ families: outcome.families, extraLabel: label === undefined ? undefined : { name: label, value: instance.instance } });
    }
    const entry: RenderedScrape = { key, rejected, collectors: renderContributions(contributions) };
    this.#rendered.delete(routeKey);
    this.#rendered.set(routeKey, entry);
    if (this.#rendered.size > RENDER_CACHE_SIZE) this.#rendered.delete(this.#rendered.keys().next().value as string);
    return entry;
  }
}

/** How many series the collectors contributed to a scrape. */
export function countSeries(result: ScrapeResult): number {
  let count = 0;
  for (const { outcome } of result.outcomes) for (const { series } of outcome.families) count += series.length;
  return count;
}

/** The self-metrics of a scrape as text (small: rendered fresh every time). */
export function renderSelfMetrics(result: ScrapeResult): string {
  return renderText(result.self);
}

/** A whole scrape as text format 0.0.4 (collectors, then the host's own families); for `tessera collect`. */
export function renderScrape(result: ScrapeResult): string {
  return result.collectors.plain.toString('utf8') + renderSelfMetrics(result);
}
