/**
 * @tessera/collector-api — the contract between Tessera collectors and the host.
 *
 * A collector package default-exports a plugin built with `defineCollector`; the host validates its
 * config, calls `create()` once per instance with an injected `CollectorContext`, and calls
 * `collect(sink, signal)` on scrapes. See DESIGN.md §3 and the package README.
 */
export {
  COMPATIBILITY_ROUTE_PATTERN,
  describeCompatibilityRoutesProblem,
  type CollectOptions,
  type CompatibilityRoutes,
} from './compatibility-routes.js';
export type {
  Clock,
  CollectorContext,
  ConfigFiles,
  DispatcherOptions,
  FilesystemRoots,
  LogFn,
  Logger,
  ScheduledTask,
  Scheduler,
  TaskOptions,
  TaskState,
} from './context.js';
export { agentOptionsFor, type AgentOptions } from './dispatcher-settings.js';
export {
  CollectorTimeoutError,
  ConfigError,
  ErrorCode,
  formatConfigPath,
  isCollectorTimeoutError,
  isConfigError,
  isNoDataError,
  isStaleDataError,
  MetricContractError,
  NoDataError,
  StaleDataError,
  type ConfigPath,
} from './errors.js';
export { defineMetric, describeFamilyProblem, freezeFamily, isSameFamily, sampleNameSuffixes, type LabelsOf, type MetricFamily, type MetricType, type ValueFormat } from './metric-family.js';
export { COLLECTOR_NAME_PATTERN, HOST_FAMILY_PATTERN, isHostFamilyName, isValidLabelName, LABEL_NAME_PATTERN, METRIC_NAME_PATTERN } from './naming.js';
export {
  defineCollector,
  describeFamiliesProblem,
  describeInstanceLabelProblem,
  describePluginProblem,
  RESERVED_CONFIG_KEYS,
  SPECIFICATION_VERSION,
  type Collector,
  type CollectorPlugin,
} from './plugin.js';
export type { HistogramValue, MetricSink, PartOptions, PartOutcome, SummaryValue } from './sink.js';
export { validateWithSchema, type StandardSchemaV1 } from './standard-schema.js';
