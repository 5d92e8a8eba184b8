import type { MetricFamily } from '@tessera/collector-api';
import type { CollectedFamily, Series } from '@tessera/exposition';

interface MergedFamily {
  readonly family: MetricFamily;
  /** Who emitted this family first in this scrape (a collector name, or the host). */
  readonly owner: string;
  readonly series: Series[];
  /**
   * Series key → the instance that emitted it. Built only when a second instance contributes to
   * the family: one collection never repeats a series (its sink refuses that), so the common case
   * of one instance per collector pays nothing for the check.
   */
  keys: Map<string, string> | undefined;
  /** The instance that contributed the series while `keys` was not built yet. */
  readonly firstInstance: string;
}

/**
 * Joins the families of several collections into one exposition without ever producing a broken
 * one. A contribution is all-or-nothing: when any of its families clashes (a name owned by another
 * collector or by the host, a different declaration, a series already emitted), `add` refuses the
 * whole contribution and returns why, and the caller fails that instance.
 */
export class FamilyMerger {
  readonly #families = new Map<string, MergedFamily>();

  /** Reserves names the host emits itself (self-metrics, process metrics). */
  reserve(names: Iterable<string>, owner: string): void {
    for (const name of names) {
      if (!this.#families.has(name)) {
        this.#families.set(name, { family: { name, type: 'untyped', help: owner, labelNames: [] }, owner, series: [], keys: undefined, firstInstance: '' });
      }
    }
  }

  /** Adds one instance's families, or returns the reason they were refused (nothing is added then). */
  add(owner: string, instance: string, families: readonly CollectedFamily[]): string | undefined {
    const additions: { target: MergedFamily | undefined; collected: CollectedFamily; keys: readonly string[] }[] = [];
    for (const collected of families) {
      const target = this.#families.get(collected.family.name);
      if (target === undefined) {
        additions.push({ target, collected, keys: [] });
        continue;
      }
      if (target.owner !== owner) return `metric family ${collected.family.name} is already emitted by ${target.owner}`;
      if (!sameDeclaration(target.family, collected.family)) {
        return `metric family ${collected.family.name} is declared differently by another instance of ${owner}`;
      }
      target.keys ??= new Map(target.series.map((series) => [seriesKey(target.family, series), target.firstInstance]));
      const keys: string[] = [];
      for (const series of collected.series) {
        const key = seriesKey(collected.family, series);
        const other = target.keys.get(key);
        if (other !== undefined) return `series ${collected.family.name}${JSON.stringify(series.labels)} is also emitted by instance ${other} of ${owner}`;
        keys.push(key);
      }
      additions.push({ target, collected, keys });
    }
    for (const { target, collected, keys } of additions) {
      if (target === undefined) {
        this.#families.set(collected.family.name, { family: collected.family, owner, series: [...collected.series], keys: undefined, firstInstance: instance });
        continue;
      }
      target.series.push(...collected.series);
      for (const key of keys) target.keys?.set(key, instance);
    }
    return undefined;
  }

  /** The merged families that have series (reserved names without series are left out). */
  families(): CollectedFamily[] {
    const result: CollectedFamily[] = [];
    for (const { family, series } of this.#families.values()) if (series.length > 0) result.push({ family, series });
    return result;
  }
}

function sameDeclaration(a: MetricFamily, b: MetricFamily): boolean {
  return a.type === b.type && a.help === b.help && a.labelNames.length === b.labelNames.length && a.labelNames.every((label, index) => b.labelNames[index] === label);
}

function seriesKey(family: MetricFamily, series: Series): string {
  return family.labelNames.map((label) => series.labels[label] ?? '').join('\u0000');
}
