import { describeFamilyProblem, type MetricFamily, type MetricSink } from '@tessera/collector-api';

/**
 * The families of a pass-through source (meminfo, vmstat), whose names are the kernel's field
 * names. A family is built on first sight of a field and reused afterwards, so a collection
 * allocates nothing for fields it has seen before. A field whose name cannot be a metric name maps
 * to `undefined` and is skipped (the kernel's names always can).
 *
 * The fields present when the collector is created are declared to the host up front (the
 * collector's `metrics`); only a field that appears later is declared during a collection. The
 * kernel's field list does not change while it runs, so in practice a scrape declares nothing.
 */
export class DynamicFamilies {
  readonly #build: (field: string) => MetricFamily;
  readonly #families = new Map<string, MetricFamily | undefined>();
  readonly #declaredUpFront = new Set<MetricFamily>();

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

  /** Builds the families of `fields` and returns them, to be declared up front. */
  declareUpFront(fields: Iterable<string>): MetricFamily[] {
    const families: MetricFamily[] = [];
    for (const field of fields) {
      const family = this.get(field);
      if (family === undefined || this.#declaredUpFront.has(family)) continue;
      this.#declaredUpFront.add(family);
      families.push(family);
    }
    return families;
  }

  /** Adds one label-less sample of `family`, declaring it on `output` unless it was declared up front. */
  emit(output: MetricSink, family: MetricFamily, labels: Readonly<Record<never, string>>, value: number): void {
    if (!this.#declaredUpFront.has(family)) output.declare(family);
    output.add(family, labels, value);
  }
}

/** Gives the family for `key`, built by `build` the first time the key is seen. */
export type FoundFamilyLookup<TFamily extends MetricFamily> = (key: string, build: () => TFamily) => TFamily;

/**
 * Families named after what a collection finds (hwmon attributes, RAPL zones, ZFS kstats), each
 * built the first time its key is seen and reused by later collections. Nothing is declared up
 * front: each collection declares a family on its sink the first time it uses it.
 */
export class FoundFamilies<TFamily extends MetricFamily> {
  readonly #families = new Map<string, TFamily>();

  /** The family lookup of one collection into `output`: `build` runs only for a key not seen before. */
  declaringOn(output: MetricSink): FoundFamilyLookup<TFamily> {
    const declared = new Set<TFamily>();
    return (key, build) => {
      let family = this.#families.get(key);
      if (family === undefined) this.#families.set(key, (family = build()));
      if (!declared.has(family)) {
        declared.add(family);
        output.declare(family);
      }
      return family;
    };
  }
}
