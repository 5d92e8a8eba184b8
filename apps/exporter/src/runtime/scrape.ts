import type { MetricType } from '@tessera/collector-api';
import { renderText, sortCollectedFamilies, type CollectedFamily } from '@tessera/exposition';
import type { CollectionOutcome, CollectorInstance } from './collector-instance.js';
import { FamilyMerger } from './merge-families.js';
import { SELF_METRIC_FAMILIES, selfMetricFamilies, type CollectorProvenance } from './self-metrics.js';

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

/** A finished scrape: everything to render, and what happened to each instance. */
export interface ScrapeResult {
  /** Collector families and self-metrics, sorted by name. */
  readonly families: readonly CollectedFamily[];
  readonly outcomes: readonly InstanceOutcome[];
  /** How many instances failed. */
  readonly failures: number;
}

/** What one scrape covers. */
export interface ScrapeOptions {
  readonly instances: readonly CollectorInstance[];
  readonly timeouts: ScrapeTimeouts;
  /** `X-Prometheus-Scrape-Timeout-Seconds`, when the request carried a valid one. */
  readonly scrapeTimeoutHeaderSeconds: number | undefined;
  /** Families rendered outside this result (process metrics): a collector may not use their names. */
  readonly reservedFamilies?: Iterable<{ readonly name: string; readonly type: MetricType }>;
  readonly build: { readonly version: string; readonly nodejsVersion: string };
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

/**
 * Runs every instance concurrently, each with its own deadline, and merges the results in a stable
 * order (collector name, then configuration order). One instance's failure, timeout or clash costs
 * only its own series.
 */
export async function scrape(options: ScrapeOptions): Promise<ScrapeResult> {
  const ordered = [...options.instances].sort((a, b) => (a.collectorName < b.collectorName ? -1 : a.collectorName > b.collectorName ? 1 : 0));
  const outcomes = await Promise.all(
    ordered.map(async (instance) => ({
      instance,
      outcome: await instance.collect(collectionDeadlineSeconds(instance.timeoutSeconds, options.timeouts, options.scrapeTimeoutHeaderSeconds) * 1000),
    })),
  );
  const merger = new FamilyMerger();
  merger.reserve(SELF_METRIC_FAMILIES, 'the tessera host');
  merger.reserve(options.reservedFamilies ?? [], 'the tessera host (process metrics)');
  const merged: InstanceOutcome[] = outcomes.map(({ instance, outcome }) => {
    if (!outcome.success) return { instance, outcome };
    const clash = merger.add(`collector ${instance.collectorName}`, instance.instance, outcome.families);
    if (clash === undefined) return { instance, outcome };
    instance.reportRejected(clash);
    return { instance, outcome: { ...outcome, families: [], success: false, error: clash } };
  });
  const provenance = new Map<string, CollectorProvenance>();
  for (const { instance } of merged) {
    provenance.set(instance.collectorName, { collector: instance.collectorName, packageName: instance.packageName, version: instance.version });
  }
  const self = selfMetricFamilies(
    merged.map(({ instance, outcome }) => ({ collector: instance.collectorName, instance: instance.instance, success: outcome.success, durationSeconds: outcome.durationSeconds })),
    [...provenance.values()],
    options.build,
  );
  return {
    families: sortCollectedFamilies([...merger.families(), ...self]),
    outcomes: merged,
    failures: merged.filter(({ outcome }) => !outcome.success).length,
  };
}

/** Renders a scrape result as text format 0.0.4. */
export function renderScrape(result: ScrapeResult): string {
  return renderText(result.families);
}
