import {
  describeFamilyProblem,
  isSameFamily,
  MetricContractError,
  type HistogramValue,
  type LabelsOf,
  type MetricFamily,
  type MetricSink,
  type SummaryValue,
} from '@tessera/collector-api';
import type { CollectedFamily, Series } from './collected.js';

interface FamilyEntry {
  readonly family: MetricFamily;
  /** Series keyed by their label values, so a duplicate is found in O(1). */
  readonly series: Map<string, Series>;
}

/**
 * The host's {@link MetricSink}: records one collection and enforces the contract on every call
 * (declared family, exact label set, no duplicate series, well-formed values). Create one per
 * collection; {@link seal} ends it and returns the immutable result.
 */
export class SampleCollection implements MetricSink {
  readonly #families = new Map<string, FamilyEntry>();
  readonly #owner: string;
  #sealed = false;
  readonly #onLateUse: ((message: string) => void) | undefined;

  /**
   * @param declared every family the collector declared (plugin and instance level)
   * @param owner how errors name the collector, e.g. `collector node (instance default)`
   * @param options.onLateUse called instead of throwing when the sink is used after {@link seal}.
   *   The host sets it: a collection abandoned at its deadline may still call the sink from a
   *   callback of its own, where a throw would escape every promise and end the process.
   */
  constructor(declared: readonly MetricFamily[], owner = 'collector', options: { readonly onLateUse?: (message: string) => void } = {}) {
    this.#owner = owner;
    this.#onLateUse = options.onLateUse;
    for (const family of declared) this.#families.set(family.name, { family, series: new Map() });
  }

  add<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: number): void {
    if (this.#usedAfterSeal()) return;
    const entry = this.#entryFor(family);
    if (family.type === 'histogram' || family.type === 'summary') {
      throw this.#error(`${family.name} is a ${family.type}: use add${family.type === 'histogram' ? 'Histogram' : 'Summary'}()`);
    }
    if (typeof value !== 'number') throw this.#error(`${family.name}: value ${String(value)} is not a number`);
    this.#record(entry, labels, value);
  }

  addHistogram<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: HistogramValue): void {
    if (this.#usedAfterSeal()) return;
    const entry = this.#entryFor(family);
    if (family.type !== 'histogram') throw this.#error(`${family.name} is a ${family.type}, not a histogram`);
    const problem = describeHistogramProblem(value);
    if (problem !== undefined) throw this.#error(`${family.name}: ${problem}`);
    // A copy: the sealed result outlives the call (cache TTL) and the collector may reuse its object.
    this.#record(entry, labels, { buckets: value.buckets.map(([bound, count]) => [bound, count] as const), count: value.count, sum: value.sum });
  }

  addSummary<TFamily extends MetricFamily>(family: TFamily, labels: LabelsOf<TFamily>, value: SummaryValue): void {
    if (this.#usedAfterSeal()) return;
    const entry = this.#entryFor(family);
    if (family.type !== 'summary') throw this.#error(`${family.name} is a ${family.type}, not a summary`);
    const problem = describeSummaryProblem(value);
    if (problem !== undefined) throw this.#error(`${family.name}: ${problem}`);
    this.#record(entry, labels, { quantiles: value.quantiles.map(([quantile, quantileValue]) => [quantile, quantileValue] as const), count: value.count, sum: value.sum });
  }

  declare(family: MetricFamily): void {
    if (this.#usedAfterSeal()) return;
    const problem = describeFamilyProblem(family);
    if (problem !== undefined) throw this.#error(problem);
    const existing = this.#families.get(family.name);
    if (existing !== undefined) {
      if (!isSameFamily(existing.family, family)) throw this.#error(`${family.name} is already declared with another type, HELP or label set`);
      return;
    }
    this.#families.set(family.name, { family: Object.freeze({ ...family, labelNames: [...family.labelNames] }), series: new Map() });
  }

  /** Ends the collection: later calls throw (or go to `onLateUse`). Returns the families that received samples, unsorted. */
  seal(): CollectedFamily[] {
    this.#sealed = true;
    const result: CollectedFamily[] = [];
    for (const { family, series } of this.#families.values()) {
      if (series.size > 0) result.push({ family, series: [...series.values()] });
    }
    return result;
  }

  /** Number of series recorded so far. */
  get seriesCount(): number {
    let count = 0;
    for (const entry of this.#families.values()) count += entry.series.size;
    return count;
  }

  #entryFor(family: MetricFamily): FamilyEntry {
    const entry = this.#families.get(family?.name);
    if (entry === undefined) throw this.#error(`${String(family?.name)} was not declared`);
    if (entry.family !== family && !isSameFamily(entry.family, family)) {
      throw this.#error(`${family.name} differs from its declaration (type, HELP or label names)`);
    }
    return entry;
  }

  #record(entry: FamilyEntry, labels: Readonly<Record<string, string>>, value: Series['value']): void {
    const { labelNames, name } = entry.family;
    if (typeof labels !== 'object' || labels === null) throw this.#error(`${name}: labels must be an object`);
    let given = 0;
    for (const label in labels) {
      given++;
      if (!labelNames.includes(label)) throw this.#error(`${name}: label ${label} is not declared (declared: ${labelNames.join(', ') || 'none'})`);
    }
    const copy: Record<string, string> = {};
    for (const label of labelNames) {
      const labelValue = labels[label];
      if (typeof labelValue !== 'string') {
        throw this.#error(`${name}: label ${label} is ${labelValue === undefined ? 'missing' : `not a string (${typeof labelValue})`}`);
      }
      copy[label] = labelValue;
    }
    const key = seriesKey(labelNames, copy);
    if (given !== labelNames.length) throw this.#error(`${name}: expected labels ${labelNames.join(', ')}`);
    if (entry.series.has(key)) throw this.#error(`${name}: duplicate series ${JSON.stringify(copy)}`);
    entry.series.set(key, { labels: copy, value });
  }

  /** True when the call must be dropped: sealed and the owner asked to be told rather than thrown at. */
  #usedAfterSeal(): boolean {
    if (!this.#sealed) return false;
    const message = `${this.#owner}: the collection is over: the sink was used after collect() settled`;
    if (this.#onLateUse === undefined) throw new MetricContractError(message);
    this.#onLateUse(message);
    return true;
  }

  #error(message: string): MetricContractError {
    return new MetricContractError(`${this.#owner}: ${message}`);
  }
}


function describeHistogramProblem(value: HistogramValue): string | undefined {
  if (typeof value !== 'object' || value === null || !Array.isArray(value.buckets)) return 'histogram value needs buckets, count and sum';
  if (typeof value.count !== 'number' || typeof value.sum !== 'number') return 'histogram count and sum must be numbers';
  let previousBound = -Infinity;
  let previousCount = 0;
  for (const [bound, count] of value.buckets) {
    if (typeof bound !== 'number' || Number.isNaN(bound) || bound <= previousBound) return 'histogram bucket bounds must increase';
    if (typeof count !== 'number' || count < previousCount) return 'histogram bucket counts must be cumulative';
    if (bound === Infinity && count !== value.count) return 'the +Inf bucket must equal count';
    previousBound = bound;
    previousCount = count;
  }
  if (previousCount > value.count) return 'histogram count is below its largest bucket';
  return undefined;
}

function describeSummaryProblem(value: SummaryValue): string | undefined {
  if (typeof value !== 'object' || value === null || !Array.isArray(value.quantiles)) return 'summary value needs quantiles, count and sum';
  if (typeof value.count !== 'number' || typeof value.sum !== 'number') return 'summary count and sum must be numbers';
  // A repeated quantile would render the same `quantile="…"` series twice.
  const seen = new Set<number>();
  for (const [quantile, quantileValue] of value.quantiles) {
    if (typeof quantile !== 'number' || !(quantile >= 0 && quantile <= 1)) return `quantile ${String(quantile)} is outside [0, 1]`;
    if (typeof quantileValue !== 'number') return 'quantile values must be numbers';
    if (seen.has(quantile)) return `quantile ${String(quantile)} appears twice`;
    seen.add(quantile);
  }
  return undefined;
}

/**
 * Identifies a series within its family: the values of `labelNames`, in order, each length-prefixed
 * (a label value may itself contain any separator character). A missing label counts as "".
 */
export function seriesKey(labelNames: readonly string[], labels: Readonly<Record<string, string>>): string {
  let key = '';
  for (const label of labelNames) {
    const value = labels[label] ?? '';
    key += `${value.length}:${value}`;
  }
  return key;
}
