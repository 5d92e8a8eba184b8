import {
  describeFamiliesProblem,
  isHostFamilyName,
  MetricContractError,
  validateWithSchema,
  type CollectOptions,
  type Collector,
  type CollectorPlugin,
  type MetricFamily,
} from '@tessera/collector-api';
import { renderText, SampleCollection, sortCollectedFamilies, type CollectedFamily, type PartRecord } from '@tessera/exposition';
import { createTestContext, type TestContext } from './test-context.js';

/** Options of {@link collectOnce}. */
export interface CollectOnceOptions {
  /** The context to create the collector with; default `createTestContext({ collector: plugin.name })`. */
  readonly context?: TestContext;
  /** The signal handed to `collect()`; default one that never fires. */
  readonly signal?: AbortSignal;
  /** Collect with this instance instead of creating one (config is then not validated or used). */
  readonly collector?: Collector;
  /**
   * Run the context's recorded scheduler tasks once before collecting (default true), as the host
   * would have by the first scrape: collectors that sample in the background then have data.
   */
  readonly runScheduled?: boolean;
  /** The third argument of `collect()`: what a compatibility route asks for (`{ subset: ['array'] }`); default none. */
  readonly collectOptions?: CollectOptions;
}

/** The outcome of {@link collectOnce}. */
export interface CollectOnceResult {
  /** The families that received samples, sorted the way the renderer of the host sorts them. */
  readonly families: CollectedFamily[];
  /** The families rendered as text format 0.0.4. */
  readonly text: string;
  /**
   * The families the collector declared through `sink.declare()` during this collection (pass-through
   * sources: textfiles, user-chosen fields), once each, in declaration order, leaving out those it had
   * declared up front in `plugin.metrics` or `collector.metrics`. Declared is not emitted: a family
   * without samples is listed here but absent from `families`. Lint them with `checkMetricHygiene`.
   */
  readonly declaredDuringCollection: MetricFamily[];
  /** The parts the collection ran (`sink.part()`), in the order they started, with their outcome. */
  readonly parts: readonly PartRecord[];
  /** The collector that collected (closed already when `collectOnce` created it). */
  readonly collector: Collector;
}

/**
 * Runs one collection the way the host does: validates `config` with the plugin's schema (throws
 * `ConfigError` with the path on failure), calls `create()`, collects into a {@link SampleCollection}
 * of the declared families (plugin and instance level, so an undeclared family or a wrong label set
 * throws `MetricContractError`), and renders the sorted result.
 *
 * A collector created here is closed before returning, whether the collection worked or not; one
 * passed in `options.collector` is left open for the caller to collect again.
 */
export async function collectOnce(plugin: CollectorPlugin, config: unknown, options: CollectOnceOptions = {}): Promise<CollectOnceResult> {
  const context = options.context ?? createTestContext({ collector: plugin.name });
  let collector = options.collector;
  const created = collector === undefined;
  if (collector === undefined) {
    const validated = await validateWithSchema(plugin.configSchema, config);
    collector = await plugin.create(validated, context);
  }
  try {
    const declared = [...plugin.metrics, ...(collector.metrics ?? [])];
    const problem = describeFamiliesProblem(declared);
    if (problem !== undefined) throw new MetricContractError(`collector ${plugin.name}: ${problem}`);
    if (options.runScheduled ?? true) await context.scheduler.runScheduled();
    const known = new Set(declared.map((family) => family.name));
    const declaredDuringCollection: MetricFamily[] = [];
    const sink = new SampleCollection(declared, `collector ${plugin.name} (instance ${context.instance})`, {
      ownerOf: (name) => (isHostFamilyName(name) ? 'the tessera host' : undefined),
      onDeclare: (family) => {
        if (known.has(family.name)) return;
        known.add(family.name);
        declaredDuringCollection.push(family);
      },
      monotonic: () => context.clock.monotonic(),
    });
    let unsorted: CollectedFamily[];
    try {
      const signal = options.signal ?? new AbortController().signal;
      await (options.collectOptions === undefined ? collector.collect(sink, signal) : collector.collect(sink, signal, options.collectOptions));
    } finally {
      // Sealing even on failure makes a late `sink.add()` from a stray promise throw instead of vanishing.
      unsorted = sink.seal();
    }
    const families = sortCollectedFamilies(unsorted);
    return { families, text: renderText(families), declaredDuringCollection, parts: sink.parts, collector };
  } finally {
    if (created) await collector.close?.();
  }
}

