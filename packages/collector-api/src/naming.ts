/** Metric names, per the Prometheus data model (colons are legal but reserved for recording rules). */
export const METRIC_NAME_PATTERN = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Label names, per the Prometheus data model. Names starting with `__` are reserved for Prometheus. */
export const LABEL_NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Collector names: the config key, the `collector` label value and the package suffix. */
export const COLLECTOR_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/** True for a label name a collector may use: legal, not reserved (`__*`), not `le`/`quantile`. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_PATTERN.test(name) && !name.startsWith('__');
}

/**
 * Family names the host emits itself, which no collector may declare: its self-metrics
 * (`tessera_scrape_*`, `tessera_collector_*`, `tessera_build_info`) and the process and Node.js
 * metrics of the exporter (`process_*`, `nodejs_*`). Other `tessera_<collector>_*` names are free
 * for a collector's own metrics about its source.
 */
export const HOST_FAMILY_PATTERN = /^(?:tessera_scrape_|tessera_collector_|tessera_build_info$|process_|nodejs_)/;

/** True for a family name the host owns (see {@link HOST_FAMILY_PATTERN}). */
export function isHostFamilyName(name: string): boolean {
  return HOST_FAMILY_PATTERN.test(name);
}
