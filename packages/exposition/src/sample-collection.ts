import {
  describeFamilyProblem,
  freezeFamily,
  isSameFamily,
  MetricContractError,
  type HistogramValue,
  type LabelsOf,
  type MetricFamily,
  type MetricSink,
  type PartOptions,
  type PartOutcome,
  type SummaryValue,
} from '@tessera/collector-api';
import type { CollectedFamily, Series } from './collected.js';

interface FamilyEntry {
  readonly family: MetricFamily;
  /** Series keyed by their label values, so a duplicate is found in O(1). */
  series: Map<string, Series>;
  /**
   * Kept by a {@link PartReuseCache} for later collections too: never written again (a collection
   * that must add to it works on a copy), and sealed into the same {@link CollectedFamily} every
   * time, so a renderer can keep what it made of it.
   */
  shared: boolean;
  sealed: CollectedFamily | undefined;
}

/**
 * The samples of parts replayed from a background snapshot, kept per part name by the host for one
 * collector instance, so that a part run again with the same `reuseKey` (the same snapshot) costs
 * nothing: `work` is not called, and its samples come back as the very same objects.
 */
export class PartReuseCache {
  readonly #parts = new Map<string, { readonly key: object; readonly families: ReadonlyMap<string, FamilyEntry> }>();
  #ran = new Set<string>();

  /** @internal The families a part committed the last time it ran with `key`, if it did. */
  lookup(name: string, key: object): ReadonlyMap<string, FamilyEntry> | undefined {
    this.#ran.add(name);
    const part = this.#parts.get(name);
    return part !== undefined && part.key === key ? part.families : undefined;
  }

  /** @internal Keeps what a part committed, for the next collection that runs it with the same key. */
  store(name: string, key: object, families: ReadonlyMap<string, FamilyEntry>): void {
    this.#parts.set(name, { key, families });
  }

  /**
   * @internal Called as a collection ends: forgets the parts it did not run (a GPU that went away,
   * a part that failed).
   */
  prune(): void {
    for (const name of this.#parts.keys()) if (!this.#ran.has(name)) this.#parts.delete(name);
    this.#ran = new Set();
  }

  /** How many parts are kept. */
  get size(): number {
    return this.#parts.size;
  }
}

/** A part of the collection as the host reports it: its outcome and, for a snapshot, when it was sampled. */
export interface PartRecord extends PartOutcome {
  /** Wall-clock ms the part's snapshot was taken (`PartOptions.sampledAt`); `undefined` for a live part. */
  readonly sampledAt: number | undefined;
}

/** Options of a {@link SampleCollection}. */
export interface SampleCollectionOptions {
  /**
   * Called instead of throwing when the sink is used after {@link SampleCollection.seal}. The host
   * sets it: a collection abandoned at its deadline may still call the sink from a callback of its
   * own, where a throw would escape every promise and end the process.
   */
  readonly onLateUse?: (message: string) => void;
  /**
   * Says who else owns a family name (`the tessera host`, `collector dcgm`), or `undefined` when
   * nobody does: `declare()` refuses such a name at once, so a collector (or one of its parts) can
   * skip what clashes instead of losing the whole collection when the host merges it.
   */
  readonly ownerOf?: (name: string) => string | undefined;
  /** Called once for each family declared through `declare()` that was not known yet (in any part). */
  readonly onDeclare?: (family: MetricFamily) => void;
  /** Called when a part fails, with its outcome and the error it threw (for the host's log). */
  readonly onPartFailed?: (outcome: PartOutcome, error: unknown) => void;
  /** Monotonic milliseconds, for part durations (default `performance.now`). */
  readonly monotonic?: () => number;
  /** Where parts with a `reuseKey` keep their samples between collections (one cache per collector instance). */
  readonly partReuse?: PartReuseCache;
}

/** What the parts of one collection share with the collection itself. */
interface Root {
  readonly owner: string;
  readonly options: SampleCollectionOptions;
  /** Part name → its record once it finished (`undefined` while it runs); in the order the parts started. */
  readonly parts: Map<string, PartRecord | undefined>;
  sealed: boolean;
}

const PART_NAME_PATTERN = /^[a-zA-Z0-9_.:/-]+$/;

/**
 * The host's {@link MetricSink}: records one collection and enforces the contract on every call
 * (declared family, exact label set, no duplicate series, well-formed values). Create one per
 * collection; {@link seal} ends it and returns the immutable result.
 *
 * A part ({@link part}) writes into a child collection that validates the same way and is merged
 * into its parent only when the part succeeds; a family used by one part only is handed over
 * whole, so parts cost nothing per series beyond the validation itself.
 */
export class SampleCollection implements MetricSink {
  readonly #families = new Map<string, FamilyEntry>();
  readonly #root: Root;
  readonly #parent: SampleCollection | undefined;
  /** This part's full name (`parent/child`), `undefined` for the collection itself. */
  readonly #partName: string | undefined;
  #sealed = false;

  /**
   * @param declared every family the collector declared (plugin and instance level)
   * @param owner how errors name the collector, e.g. `collector node (instance default)`
   */
  constructor(declared: readonly MetricFamily[], owner = 'collector', options: SampleCollectionOptions = {}) {
    const parent = partParent;
    partParent = undefined;
    if (parent !== undefined) {
      this.#root = parent.collection.#root;
      this.#parent = parent.collection;
      this.#partName = parent.name;
      return;
    }
    this.#root = { owner, options, parts: new Map(), sealed: false };
    this.#parent = undefined;
    this.#partName = undefined;
    for (const family of declared) this.#families.set(family.name, { family, series: new Map(), shared: false, sealed: undefined });
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
    const existing = this.#lookup(family.name);
    if (existing !== undefined) {
      if (!isSameFamily(existing.family, family)) throw this.#error(`${family.name} is already declared with another type, HELP or label set`);
      return;
    }
    const owner = this.#root.options.ownerOf?.(family.name);
    if (owner !== undefined) throw this.#error(`${family.name} belongs to ${owner}`);
    const copy = freezeFamily(family);
    this.#families.set(family.name, { family: copy, series: new Map(), shared: false, sealed: undefined });
    this.#root.options.onDeclare?.(copy);
  }

  async part(name: string, work: (sink: MetricSink) => Promise<void> | void, options: PartOptions = {}): Promise<PartOutcome> {
    if (typeof name !== 'string' || !PART_NAME_PATTERN.test(name)) throw this.#error(`part name ${JSON.stringify(name)} must match ${String(PART_NAME_PATTERN)}`);
    const fullName = this.#partName === undefined ? name : `${this.#partName}/${name}`;
    if (this.#root.parts.has(fullName)) throw this.#error(`part ${fullName} ran twice in one collection`);
    this.#root.parts.set(fullName, undefined);
    const monotonic = this.#root.options.monotonic ?? (() => performance.now());
    partParent = { collection: this, name: fullName };
    const child = new SampleCollection([]);
    const started = monotonic();
    let failure: unknown;
    let failed = false;
    const reuse = options.reuseKey === undefined ? undefined : this.#root.options.partReuse;
    const reused = reuse?.lookup(fullName, options.reuseKey as object);
    if (reused !== undefined) {
      for (const [familyName, entry] of reused) child.#families.set(familyName, entry);
    } else {
      try {
        await work(child);
      } catch (error) {
        failed = true;
        failure = error ?? new Error('the part failed without a reason');
      }
    }
    child.#sealed = true;
    // A part that finished after the collection ended may have lost samples to the seal: never kept.
    if (!failed && reused === undefined && reuse !== undefined && !this.#root.sealed) {
      for (const entry of child.#families.values()) entry.shared = true;
      reuse.store(fullName, options.reuseKey as object, new Map(child.#families));
    }
    if (!failed && !this.#root.sealed) {
      const clash = this.#adopt(child);
      if (clash !== undefined) {
        failed = true;
        failure = this.#error(clash);
      }
    }
    const outcome: PartOutcome = {
      name: fullName,
      success: !failed,
      error: failed ? oneLine(failure) : undefined,
      durationSeconds: options.durationSeconds ?? (monotonic() - started) / 1000,
    };
    if (!this.#root.sealed) this.#root.parts.set(fullName, { ...outcome, sampledAt: options.sampledAt });
    if (failed) this.#root.options.onPartFailed?.(outcome, failure);
    return outcome;
  }

  /** Ends the collection: later calls throw (or go to `onLateUse`). Returns the families that received samples, unsorted. */
  seal(): CollectedFamily[] {
    this.#sealed = true;
    this.#root.sealed = true;
    this.#root.options.partReuse?.prune();
    const result: CollectedFamily[] = [];
    for (const entry of this.#families.values()) {
      if (entry.series.size === 0) continue;
      if (!entry.shared) result.push({ family: entry.family, series: [...entry.series.values()] });
      else result.push((entry.sealed ??= { family: entry.family, series: [...entry.series.values()], stable: true }));
    }
    return result;
  }

  /** The parts that finished, in the order they started (a nested part after its parent), so the list is stable. */
  get parts(): readonly PartRecord[] {
    return [...this.#root.parts.values()].filter((part): part is PartRecord => part !== undefined);
  }

  /** Number of series recorded so far. */
  get seriesCount(): number {
    let count = 0;
    for (const entry of this.#families.values()) count += entry.series.size;
    return count;
  }

  /** The family declared under `name` here or in an enclosing collection. */
  #lookup(name: string): FamilyEntry | undefined {
    return this.#families.get(name) ?? (this.#parent === undefined ? undefined : this.#parent.#lookup(name));
  }

  #entryFor(family: MetricFamily): FamilyEntry {
    let entry = this.#families.get(family?.name);
    if (entry === undefined) {
      const declared = this.#parent === undefined ? undefined : this.#parent.#lookup(family?.name);
      if (declared === undefined) throw this.#error(`${String(family?.name)} was not declared`);
      // A part gets a fresh entry for a family declared above it, and hands it up when it succeeds.
      entry = { family: declared.family, series: new Map(), shared: false, sealed: undefined };
      this.#families.set(family.name, entry);
    } else if (entry.shared) {
      entry = this.#unshare(entry);
    }
    if (entry.family !== family && !isSameFamily(entry.family, family)) {
      throw this.#error(`${family.name} differs from its declaration (type, HELP or label names)`);
    }
    return entry;
  }

  #record(entry: FamilyEntry, labels: Readonly<Record<string, string>>, value: Series['value']): void {
    const { labelNames } = entry.family;
    if (typeof labels !== 'object' || labels === null) throw this.#error(`${entry.family.name}: labels must be an object`);
    // One pass builds the copy (in declared order, so every series of a family shares one shape)
    // and the key; counting the given keys afterwards catches undeclared ones without a lookup each.
    const copy: Record<string, string> = {};
    let key = '';
    let separatorInValue = false;
    for (let index = 0; index < labelNames.length; index++) {
      const label = labelNames[index] as string;
      const labelValue = labels[label];
      if (typeof labelValue !== 'string') throw this.#labelError(entry.family, labels, label);
      copy[label] = labelValue;
      key = index === 0 ? labelValue : `${key}\u0000${labelValue}`;
      if (labelValue.includes('\u0000')) separatorInValue = true;
    }
    let given = 0;
    for (const label in labels) if (Object.hasOwn(labels, label)) given++;
    if (given !== labelNames.length) throw this.#labelError(entry.family, labels, undefined);
    // A value holding the separator could make two series share a key: fall back to length prefixes.
    if (separatorInValue) key = `\u0000${seriesKey(labelNames, copy)}`;
    if (entry.series.has(key)) throw this.#error(`${entry.family.name}: duplicate series ${JSON.stringify(copy)}`);
    entry.series.set(key, { labels: copy, value });
  }

  /** Says what is wrong with a label set: an undeclared label first (the likelier slip), then a missing or non-string one. */
  #labelError(family: MetricFamily, labels: Readonly<Record<string, string>>, missing: string | undefined): MetricContractError {
    const { name, labelNames } = family;
    const extra = Object.keys(labels).find((label) => !labelNames.includes(label));
    if (extra !== undefined) return this.#error(`${name}: label ${extra} is not declared (declared: ${labelNames.join(', ') || 'none'})`);
    if (missing === undefined) return this.#error(`${name}: expected labels ${labelNames.join(', ')}`);
    const labelValue = labels[missing];
    return this.#error(`${name}: label ${missing} is ${labelValue === undefined ? 'missing' : `not a string (${typeof labelValue})`}`);
  }

  /**
   * Merges a finished part into this collection, all or nothing: returns why it cannot (a family
   * declared differently, a series this collection already has), or `undefined` once merged.
   */
  #adopt(child: SampleCollection): string | undefined {
    for (const [name, entry] of child.#families) {
      const target = this.#families.get(name) ?? (this.#parent === undefined ? undefined : this.#parent.#lookup(name));
      if (target === undefined) continue;
      if (!isSameFamily(target.family, entry.family)) return `part ${child.#partName ?? ''}: ${name} is declared differently elsewhere in the collection`;
      const own = this.#families.get(name);
      if (own === undefined || own.series.size === 0) continue;
      for (const [key, series] of entry.series) {
        if (own.series.has(key)) return `part ${child.#partName ?? ''}: ${name}: duplicate series ${JSON.stringify(series.labels)} (another part emitted it)`;
      }
    }
    for (const [name, entry] of child.#families) {
      const own = this.#families.get(name);
      if (own === undefined || own.series.size === 0) {
        // Handed over whole: a family one part fills costs nothing per series to commit.
        if (entry.shared || own === undefined || own.shared) this.#families.set(name, entry);
        else own.series = entry.series;
        continue;
      }
      const target = own.shared ? this.#unshare(own) : own;
      for (const [key, series] of entry.series) target.series.set(key, series);
    }
    return undefined;
  }

  /** A private copy of an entry a {@link PartReuseCache} keeps, put in its place before it is written. */
  #unshare(entry: FamilyEntry): FamilyEntry {
    const copy: FamilyEntry = { family: entry.family, series: new Map(entry.series), shared: false, sealed: undefined };
    this.#families.set(entry.family.name, copy);
    return copy;
  }

  /** True when the call must be dropped: sealed and the owner asked to be told rather than thrown at. */
  #usedAfterSeal(): boolean {
    if (!this.#sealed && !this.#root.sealed) return false;
    const what = this.#partName === undefined ? 'the collection is over' : `part ${this.#partName} is over`;
    const message = `${this.#root.owner}: ${what}: the sink was used after ${this.#partName === undefined ? 'collect()' : 'the part'} settled`;
    const onLateUse = this.#root.options.onLateUse;
    if (onLateUse === undefined) throw new MetricContractError(message);
    onLateUse(message);
    return true;
  }

  #error(message: string): MetricContractError {
    return new MetricContractError(`${this.#root.owner}: ${this.#partName === undefined ? '' : `part ${this.#partName}: `}${message}`);
  }
}

/** Handed from {@link SampleCollection.part} to the constructor it calls, so parts need no public constructor argument. */
let partParent: { readonly collection: SampleCollection; readonly name: string } | undefined;

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
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
