/**
 * Compatibility routes: the URL shapes of the exporter a collector replaces, served by the host
 * beside its own routes, so that scrape configs written for that exporter keep working with the
 * address and a path prefix changed. pure-fb-openmetrics-exporter's
 * `/metrics/array?endpoint=fb01.example.com` becomes `/metrics/flashblade/array?endpoint=fb01.example.com`.
 *
 * The host answers `GET /metrics/<collector>/<route>?<instanceParameter>=<value>` with the one
 * configured instance whose config entry has `<instanceConfigKey>: <value>`, collecting only the
 * route's subset, in the anchor's series shape (no `instanceLabel`), with the instance's
 * self-metrics. A value no instance is configured with is refused: nothing unconfigured is ever
 * contacted, whatever a request names.
 */
export interface CompatibilityRoutes {
  /**
   * Route name (the path segment after `/metrics/<collector>/`, matching
   * {@link COMPATIBILITY_ROUTE_PATTERN}) → the subset of a collection it serves, handed to
   * `collect()` as {@link CollectOptions.subset}. What the names in a subset mean is the collector's
   * business (metric groups, parts).
   */
  readonly routes: Readonly<Record<string, readonly string[]>>;
  /** The query parameter that names the instance (`endpoint`). A request without it is refused (400). */
  readonly instanceParameter: string;
  /**
   * The key of the instance's config entry (as validated by the plugin's schema) whose string value
   * the parameter must equal exactly (`endpoint`).
   */
  readonly instanceConfigKey: string;
}

/** What one collection is asked for beyond the instance's config; the third argument of `collect()`. */
export interface CollectOptions {
  /**
   * Collect only this subset (a compatibility route's, see {@link CompatibilityRoutes.routes});
   * `undefined`: everything the config enables. A collector may add what it emits with every
   * subset (the anchor's info family on every path).
   */
  readonly subset?: readonly string[];
}

/** Route names of {@link CompatibilityRoutes.routes}: one lower-case path segment. */
export const COMPATIBILITY_ROUTE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

/** Returns why a plugin's `compatibilityRoutes` are unusable, or `undefined` when they are fine (or absent). */
export function describeCompatibilityRoutesProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return 'compatibilityRoutes must be an object { routes, instanceParameter, instanceConfigKey }';
  const { routes, instanceParameter, instanceConfigKey } = value as Partial<CompatibilityRoutes>;
  if (typeof instanceParameter !== 'string' || instanceParameter === '') return 'compatibilityRoutes.instanceParameter must be a query parameter name';
  if (typeof instanceConfigKey !== 'string' || instanceConfigKey === '') return 'compatibilityRoutes.instanceConfigKey must be a config key';
  if (typeof routes !== 'object' || routes === null || Object.keys(routes).length === 0) return 'compatibilityRoutes.routes must map at least one route name to its subset';
  for (const [route, subset] of Object.entries(routes)) {
    if (!COMPATIBILITY_ROUTE_PATTERN.test(route)) return `compatibilityRoutes: route name ${JSON.stringify(route)} must match ${String(COMPATIBILITY_ROUTE_PATTERN)}`;
    if (!Array.isArray(subset) || !subset.every((item) => typeof item === 'string')) return `compatibilityRoutes: the subset of route ${route} must be a list of strings`;
  }
  return undefined;
}
