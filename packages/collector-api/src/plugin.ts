import { describeCompatibilityRoutesProblem, type CollectOptions, type CompatibilityRoutes } from './compatibility-routes.js';
import type { CollectorContext } from './context.js';
import { describeFamilyProblem, sampleNameSuffixes, type MetricFamily } from './metric-family.js';
import { COLLECTOR_NAME_PATTERN, HOST_FAMILY_PATTERN, isHostFamilyName, isValidLabelName } from './naming.js';
import type { MetricSink } from './sink.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** The contract version this package describes. The host refuses plugins declaring another one. */
export const SPECIFICATION_VERSION = 'v1';

/**
 * Config keys the host owns in every collector entry. It removes them before the plugin's
 * `configSchema` sees the entry, so a schema must not declare them:
 * - `instance`: the instance name (required when an entry is a list),
 * - `enabled`: `false` keeps the entry but does not run it,
 * - `timeoutSeconds`: upper bound on one collection (the scrape timeout header may shorten it),
 * - `cacheTtlSeconds`: serve a collection this recent instead of collecting again.
 */
export const RESERVED_CONFIG_KEYS = ['instance', 'enabled', 'timeoutSeconds', 'cacheTtlSeconds'] as const;

/**
 * One running collector: what `create()` returns. The host owns its lifecycle.
 *
 * Concurrency: the host never runs two `collect()` calls of one collector at once (concurrent
 * scrapes share one in-flight collection), but `probe()` may run beside a collection.
 */
export interface Collector {
  /**
   * Families known only once the config is known (user-chosen GPU fields). Joined to
   * `plugin.metrics` for validation; read once, right after `create()`.
   */
  readonly metrics?: readonly MetricFamily[];
  /**
   * One collection: read the source and emit every sample through `sink`. Must honour `signal`
   * (abort outstanding I/O and reject soon after it fires); the host stops waiting at the deadline
   * either way. Throw `NoDataError` when the source is absent. Throwing any error fails this
   * collector's part of the scrape only; samples already added are discarded.
   *
   * `options` comes only from a compatibility route (see {@link CollectorPlugin.compatibilityRoutes}):
   * collect just its `subset`. The host never runs two collections of the same subset at once.
   */
  collect(sink: MetricSink, signal: AbortSignal, options?: CollectOptions): Promise<void>;
  /**
   * Optional: whether a compatibility-route request may carry this bearer token (the anchor's
   * `Authorization: Bearer <token>`, which its scrape configs send). Resolves with the reason to
   * refuse it (the host answers 401 with it), or `undefined` to serve the request. Without this
   * method, a request carrying a bearer token is refused. Must not contact anything: compare with
   * what the config says (an operator opting in, the token it names).
   */
  checkBearerToken?(token: string, signal: AbortSignal): Promise<string | undefined>;
  /** Optional: checks that the source is reachable, for `/-/ready` and `tessera check-config --probe`. */
  probe?(signal: AbortSignal): Promise<void>;
  /** Optional: releases connections, sockets and handles. Called once at shutdown; must be idempotent. */
  close?(): Promise<void> | void;
}

/**
 * A collector package's default export, built with {@link defineCollector}.
 *
 * The object is immutable and shared by every instance; `create()` is called once per configured
 * instance (several FlashBlade arrays = several instances) and its result lives until shutdown.
 */
export interface CollectorPlugin<TConfig = unknown> {
  readonly specificationVersion: typeof SPECIFICATION_VERSION;
  /** `/^[a-z][a-z0-9-]*$/`: the config key, the `collector` label value, the `--collector.<name>` flag. */
  readonly name: string;
  /** One sentence, shown by `tessera list` and on the status page. */
  readonly description: string;
  /** Whether the host runs it when the config does not mention it (flags may still override). */
  readonly defaultEnabled: boolean;
  /**
   * Validates one config entry (reserved keys removed), applies defaults and rejects unknown keys.
   * An empty object must validate unless the collector cannot work without settings.
   */
  readonly configSchema: StandardSchemaV1<unknown, TConfig>;
  /** Every family the collector may emit, declared up front (see also `Collector.metrics`). */
  readonly metrics: readonly MetricFamily[];
  /**
   * Default for `cacheTtlSeconds`: for sources where one call per scrape is too many (array-wide
   * usage queries). The host notes caching in the status page; HELP texts should too.
   */
  readonly cacheTtlSeconds?: number;
  /**
   * For collectors whose instances are separate targets (one per array) and whose series do not say
   * which target they came from (the anchor leaves that to Prometheus' `instance` label): the label
   * the host adds to every series of this collector in `/metrics`, valued with the instance name, so
   * that several instances can be served together. `/probe?collector=<name>&target=<instance>`
   * serves one instance without it: the anchor's exact series shape. Must not be one of the
   * collector's own label names. Collectors whose series already differ per instance leave it out.
   */
  readonly instanceLabel?: string;
  /**
   * Optional: the anchor exporter's URL shapes the host also serves for this collector, so that
   * scrape configs written for it keep working (see {@link CompatibilityRoutes}).
   */
  readonly compatibilityRoutes?: CompatibilityRoutes;
  /** Builds a collector for one instance. Throw `ConfigError` for settings that are wrong in fact. */
  create(config: TConfig, context: CollectorContext): Collector | Promise<Collector>;
}

/**
 * Checks a plugin definition and freezes it. Throws `TypeError` on a bad name, a missing schema or
 * an illegal metric family, so a broken plugin fails when it is imported, not at the first scrape.
 */
export function defineCollector<TConfig>(plugin: CollectorPlugin<TConfig>): CollectorPlugin<TConfig> {
  const problem = describePluginProblem(plugin);
  if (problem !== undefined) throw new TypeError(problem);
  return Object.freeze({ ...plugin, metrics: Object.freeze([...plugin.metrics]) });
}

/**
 * Returns why `value` is not a usable plugin of this specification, or `undefined`. The host runs
 * it on every default export it loads, since a third-party package may not use `defineCollector`.
 */
export function describePluginProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'the default export is not a collector plugin object';
  const plugin = value as Partial<CollectorPlugin>;
  if (plugin.specificationVersion !== SPECIFICATION_VERSION) {
    return `specificationVersion ${JSON.stringify(plugin.specificationVersion)} is not supported (this host supports ${JSON.stringify(SPECIFICATION_VERSION)})`;
  }
  if (typeof plugin.name !== 'string' || !COLLECTOR_NAME_PATTERN.test(plugin.name)) {
    return `name ${JSON.stringify(plugin.name)} must match ${String(COLLECTOR_NAME_PATTERN)}`;
  }
  if (typeof plugin.description !== 'string') return `collector ${plugin.name}: description must be a string`;
  if (typeof plugin.defaultEnabled !== 'boolean') return `collector ${plugin.name}: defaultEnabled must be a boolean`;
  if (typeof plugin.configSchema?.['~standard']?.validate !== 'function') {
    return `collector ${plugin.name}: configSchema must be a Standard Schema validator`;
  }
  if (typeof plugin.create !== 'function') return `collector ${plugin.name}: create must be a function`;
  if (plugin.cacheTtlSeconds !== undefined && !(plugin.cacheTtlSeconds >= 0)) {
    return `collector ${plugin.name}: cacheTtlSeconds must be a non-negative number`;
  }
  if (!Array.isArray(plugin.metrics)) return `collector ${plugin.name}: metrics must be an array`;
  const routesProblem = describeCompatibilityRoutesProblem(plugin.compatibilityRoutes);
  if (routesProblem !== undefined) return `collector ${plugin.name}: ${routesProblem}`;
  return describeFamiliesProblem(plugin.metrics) ?? describeInstanceLabelProblem(plugin.instanceLabel, plugin.metrics);
}

/**
 * Returns why `instanceLabel` cannot be added to these families: not a legal label name, or a
 * label one of them already has. The host also checks families declared at `create()` and during
 * a collection against it.
 */
export function describeInstanceLabelProblem(instanceLabel: string | undefined, families: readonly MetricFamily[]): string | undefined {
  if (instanceLabel === undefined) return undefined;
  if (typeof instanceLabel !== 'string' || !isValidLabelName(instanceLabel)) return `instanceLabel ${JSON.stringify(instanceLabel)} is not a legal label name`;
  const owner = families.find((family) => family.labelNames.includes(instanceLabel));
  return owner === undefined ? undefined : `instanceLabel ${instanceLabel} is already a label of ${owner.name}`;
}

/**
 * Returns why a list of families cannot be declared together: an illegal one, a name used twice,
 * or a name that is one of a histogram's or summary's own sample names (`x_bucket`, `x_sum`,
 * `x_count`), which would make the exposition ambiguous to every parser.
 */
export function describeFamiliesProblem(families: readonly MetricFamily[]): string | undefined {
  const names = new Set<string>();
  const sampleNames = new Map<string, string>();
  for (const family of families) {
    const problem = describeFamilyProblem(family);
    if (problem !== undefined) return problem;
    if (names.has(family.name)) return `metric ${family.name} is declared twice`;
    if (isHostFamilyName(family.name)) return `metric ${family.name} is a name the host emits itself (${String(HOST_FAMILY_PATTERN)})`;
    names.add(family.name);
    for (const suffix of sampleNameSuffixes(family.type)) sampleNames.set(`${family.name}${suffix}`, family.name);
  }
  for (const name of names) {
    const owner = sampleNames.get(name);
    if (owner !== undefined) return `metric ${name} clashes with the samples of ${owner}`;
  }
  return undefined;
}
