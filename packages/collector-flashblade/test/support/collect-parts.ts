import { SampleCollection, type CollectedFamily } from '@tessera/exposition';
import type { FlashBladeClient } from '../../src/client/flashblade-client.js';
import { ALWAYS_PARTS, PARTS_BY_GROUP } from '../../src/groups/index.js';
import { FLASHBLADE_METRICS } from '../../src/metrics.js';
import { CollectionScope, GROUP_NAMES, type CollectionPart } from '../../src/parts.js';
import { NEVER } from './simulators.js';

/** One series as a test reads it. */
export interface SeriesSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The series of a collection, by family name. */
export class Collected {
  readonly families: ReadonlyMap<string, readonly SeriesSample[]>;

  constructor(families: readonly CollectedFamily[]) {
    this.families = new Map(families.map((family) => [family.family.name, family.series.map((series) => ({ labels: series.labels, value: series.value as number }))]));
  }

  /** The series of `name` (none when the family got no sample). */
  series(name: string): readonly SeriesSample[] {
    return this.families.get(name) ?? [];
  }

  /** The value of the one series of `name` whose labels include `labels`; throws unless exactly one matches. */
  value(name: string, labels: Readonly<Record<string, string>>): number {
    const matches = this.series(name).filter((series) => Object.entries(labels).every(([label, value]) => series.labels[label] === value));
    if (matches.length !== 1) throw new Error(`${matches.length} series of ${name} match ${JSON.stringify(labels)}`);
    return (matches[0] as SeriesSample).value;
  }

  /** Whether any series of `name` has all of `labels`. */
  has(name: string, labels: Readonly<Record<string, string>>): boolean {
    return this.series(name).some((series) => Object.entries(labels).every(([label, value]) => series.labels[label] === value));
  }

  /** The values `label` takes across the series of `name`. */
  labelValues(name: string, label: string): Set<string> {
    return new Set(this.series(name).map((series) => series.labels[label] ?? ''));
  }
}

/** Every part there is: `purefb_info` and each group's. */
export const ALL_PARTS: readonly CollectionPart[] = [...ALWAYS_PARTS, ...GROUP_NAMES.flatMap((group) => PARTS_BY_GROUP[group])];

/**
 * Runs parts one after the other into the host's validating sink (declared families, exact label
 * sets, no duplicate series: a breach throws), sharing one scope as a collection does.
 */
export async function collectParts(client: FlashBladeClient, parts: readonly CollectionPart[] = ALL_PARTS): Promise<Collected> {
  const sink = new SampleCollection(FLASHBLADE_METRICS, 'collector flashblade (test)');
  const scope = new CollectionScope(client);
  for (const part of parts) await part.collect(scope, sink, NEVER);
  return new Collected(sink.seal());
}
