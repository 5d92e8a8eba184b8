import { isSameFamily, sampleNameSuffixes, type MetricFamily, type MetricType } from '@tessera/collector-api';
import { seriesKey, type CollectedFamily } from '@tessera/exposition';

interface Claim {
  readonly family: MetricFamily;
  /** Who emits this family in this scrape (a collector, or the host). */
  readonly owner: string;
  /** The contributions so far: their series must not repeat one another. */
  readonly contributions: { readonly instance: string; readonly families: CollectedFamily }[];
  /** Series key → instance, built only when contributions cannot be told apart more cheaply. */
  keys: Map<string, string> | undefined;
  /**
   * A label that holds one value throughout each contribution and a different one in each (Arkouda's
   * `arkouda_server_name`): while it tells the contributions apart, no series can repeat across them
   * and no key is built. `undefined` until a second contribution arrives or once keys are needed.
   */
  separator: { readonly label: string; readonly values: Set<string> } | undefined;
}

/**
 * Checks that the collections of one scrape can be written as one exposition, without copying
 * them: a contribution is accepted or refused whole. Refused when any of its families is owned by
 * another collector or by the host, is declared differently by another instance, collides with a
 * histogram's or summary's sample names, or repeats a series another instance emitted (unless the
 * instances are told apart by a label the host adds, the collector's `instanceLabel`).
 */
export class FamilyMerger {
  readonly #claims = new Map<string, Claim>();

  /** Reserves the families the host emits itself (self-metrics, process metrics). */
  reserve(families: Iterable<{ readonly name: string; readonly type: MetricType }>, owner: string): void {
    for (const { name, type } of families) {
      if (!this.#claims.has(name)) this.#claims.set(name, { family: { name, type, help: owner, labelNames: [] }, owner, contributions: [], keys: undefined, separator: undefined });
    }
  }

  /**
   * Adds one instance's families, or returns the reason they were refused (nothing is added then).
   * `distinct`: the host adds a label that differs per instance, so series cannot repeat across them.
   */
  add(owner: string, instance: string, families: readonly CollectedFamily[], distinct: boolean): string | undefined {
    const additions: { readonly claim: Claim | undefined; readonly collected: CollectedFamily; readonly keys: readonly string[] }[] = [];
    for (const collected of families) {
      const claim = this.#claims.get(collected.family.name);
      if (claim === undefined) {
        const collision = this.#describeCollision(collected.family);
        if (collision !== undefined) return collision;
        additions.push({ claim, collected, keys: [] });
        continue;
      }
      if (claim.owner !== owner) return `metric family ${collected.family.name} is already emitted by ${claim.owner}`;
      if (!isSameFamily(claim.family, collected.family)) return `metric family ${collected.family.name} is declared differently by another instance of ${owner}`;
      if (distinct || (claim.keys === undefined && this.#separated(claim, collected))) {
        additions.push({ claim, collected, keys: [] });
        continue;
      }
      claim.keys ??= keysOf(claim);
      const keys: string[] = [];
      for (const series of collected.series) {
        const key = seriesKey(collected.family.labelNames, series.labels);
        const other = claim.keys.get(key);
        if (other !== undefined) return `series ${collected.family.name}${JSON.stringify(series.labels)} is also emitted by instance ${other} of ${owner}`;
        keys.push(key);
      }
      additions.push({ claim, collected, keys });
    }
    for (const { claim, collected, keys } of additions) {
      if (claim === undefined) {
        this.#claims.set(collected.family.name, { family: collected.family, owner, contributions: [{ instance, families: collected }], keys: undefined, separator: undefined });
        continue;
      }
      claim.contributions.push({ instance, families: collected });
      for (const key of keys) claim.keys?.set(key, instance);
    }
    return undefined;
  }

  /**
   * True when a label tells `collected` apart from every contribution already in `claim`: constant
   * in each, with a value none of the others has. Checking costs a comparison per series and label
   * until a label varies, instead of a key string per series. Records the separating label (and the
   * new value) for the next contribution; the caller adds the contribution itself.
   */
  #separated(claim: Claim, collected: CollectedFamily): boolean {
    if (claim.separator === undefined) {
      const [first, ...others] = claim.contributions;
      if (first === undefined || others.length > 0) return false;
      for (const label of collected.family.labelNames) {
        const theirs = constantValue(first.families, label);
        const ours = constantValue(collected, label);
        if (theirs !== undefined && ours !== undefined && theirs !== ours) {
          claim.separator = { label, values: new Set([theirs, ours]) };
          return true;
        }
      }
      return false;
    }
    const value = constantValue(collected, claim.separator.label);
    if (value === undefined || claim.separator.values.has(value)) return false;
    claim.separator.values.add(value);
    return true;
  }

  /**
   * Why a new family cannot sit beside the ones already merged although its name is free: Go's text
   * parser (promtool, the Pushgateway, federation) reads `x_count` after a histogram or summary `x`
   * as part of `x`, so the pair makes the whole exposition unreadable to it.
   */
  #describeCollision(family: MetricFamily): string | undefined {
    for (const suffix of sampleNameSuffixes('histogram')) { // a histogram's suffixes include every other type's
      if (family.name.endsWith(suffix)) {
        const base = this.#claims.get(family.name.slice(0, -suffix.length));
        if (base !== undefined && sampleNameSuffixes(base.family.type).includes(suffix)) {
          return `metric family ${family.name} collides with the samples of ${base.family.type} ${base.family.name}, emitted by ${base.owner}`;
        }
      }
      if (sampleNameSuffixes(family.type).includes(suffix)) {
        const sibling = this.#claims.get(`${family.name}${suffix}`);
        if (sibling !== undefined) return `metric family ${family.name} (a ${family.type}) collides with ${sibling.family.name}, emitted by ${sibling.owner}`;
      }
    }
    return undefined;
  }
}

/** The value `label` has in every series of `family`, or `undefined` when it varies (or there are none). */
function constantValue(family: CollectedFamily, label: string): string | undefined {
  const value = family.series[0]?.labels[label];
  if (value === undefined) return undefined;
  for (const series of family.series) if (series.labels[label] !== value) return undefined;
  return value;
}

function keysOf(claim: Claim): Map<string, string> {
  const keys = new Map<string, string>();
  for (const { instance, families } of claim.contributions) {
    for (const series of families.series) keys.set(seriesKey(claim.family.labelNames, series.labels), instance);
  }
  return keys;
}
