import { describeFamilyProblem, type MetricFamily } from '@tessera/collector-api';

/**
 * The families of a pass-through source (meminfo, vmstat), built on first sight of a field and
 * reused afterwards, so a collection allocates nothing for fields it has seen before. A field whose
 * name cannot be a metric name maps to `undefined` and is skipped (the kernel's names always can).
 */
export class DynamicFamilies {
  readonly #build: (field: string) => MetricFamily;
  readonly #families = new Map<string, MetricFamily | undefined>();

  constructor(build: (field: string) => MetricFamily) {
    this.#build = build;
  }

  /** The family for `field`, or `undefined` when its name would not be legal. */
  get(field: string): MetricFamily | undefined {
    if (this.#families.has(field)) return this.#families.get(field);
    let family: MetricFamily | undefined;
    try {
      family = this.#build(field);
    } catch {
      family = undefined;
    }
    if (family !== undefined && describeFamilyProblem(family) !== undefined) family = undefined;
    // Bounded by the kernel's field list; a runaway file would only ever add a few hundred names.
    if (this.#families.size < 10_000) this.#families.set(field, family);
    return family;
  }
}
