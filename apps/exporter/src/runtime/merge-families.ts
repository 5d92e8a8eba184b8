import { isSameFamily, sampleNameSuffixes, type MetricFamily, type MetricType } from '@tessera/collector-api';
import { seriesKey, type CollectedFamily, type Series } from '@tessera/exposition';

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

  /** Reserves the families the host emits itself (self-metrics, process metrics). */
  reserve(families: Iterable<{ readonly name: string; readonly type: MetricType }>, owner: string): void {
    for (const { name, type } of families) {
      if (!this.#families.has(name)) {
        this.#families.set(name, { family: { name, type, help: owner, labelNames: [] }, owner, series: [], keys: undefined, firstInstance: '' });
      }
    }
  }

  /** Adds one instance's families, or returns the reason they were refused (nothing is added then). */
  add(owner: string, instance: string, families: readonly CollectedFamily[]): string | undefined {
    const additions: { target: MergedFamily | undefined; collected: CollectedFamily; keys: readonly string[] }[] = [];
    for (const collected of families) {
      const target = this.#families.get(collected.family.name);
      if (target === undefined) {
        const collision = this.#describeCollision(collected.family);
        if (collision !== undefined) return collision;
        additions.push({ target, collected, keys: [] });
        continue;
      }
      if (target.owner !== owner) return `metric family ${collected.family.name} is already emitted by ${target.owner}`;
      if (!isSameFamily(target.family, collected.family)) {
        return `metric family ${collected.family.name} is declared differently by another instance of ${owner}`;
      }
      target.keys ??= new Map(target.series.map((series) => [seriesKey(target.family.labelNames, series.labels), target.firstInstance]));
      const keys: string[] = [];
      for (const series of collected.series) {
        const key = seriesKey(collected.family.labelNames, series.labels);
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

  /**
   * Why a new family cannot sit beside the ones already merged although its name is free: Go's text
   * parser (promtool, the Pushgateway, federation) reads `x_count` after a histogram or summary `x`
   * as part of `x`, so the pair makes the whole exposition unreadable to it.
   */
  #describeCollision(family: MetricFamily): string | undefined {
    for (const suffix of sampleNameSuffixes('histogram')) { // a histogram's suffixes include every other type's
      if (family.name.endsWith(suffix)) {
        const base = this.#families.get(family.name.slice(0, -suffix.length));
        if (base !== undefined && sampleNameSuffixes(base.family.type).includes(suffix)) {
          return `metric family ${family.name} collides with the samples of ${base.family.type} ${base.family.name}, emitted by ${base.owner}`;
        }
      }
      if (sampleNameSuffixes(family.type).includes(suffix)) {
        const sibling = this.#families.get(`${family.name}${suffix}`);
        if (sibling !== undefined) return `metric family ${family.name} (a ${family.type}) collides with ${sibling.family.name}, emitted by ${sibling.owner}`;
      }
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
