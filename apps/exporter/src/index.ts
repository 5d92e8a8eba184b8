/**
 * @tessera/exporter — the Tessera host. Composes installed collector packages into one Prometheus
 * exporter selected by `tessera.yaml`; the `tessera` bin runs it. See README.md.
 */
export { main, ExitCode, type MainStreams } from './cli/main.js';
export { parseCommandLine, UsageError, type CommandLine } from './cli/parse-command-line.js';
export { ConfigFileError } from './config/config-error.js';
export {
  LOG_FORMATS,
  LOG_LEVELS,
  type CollectorEntryConfig,
  type LogFormat,
  type LogLevel,
  type TesseraConfig,
} from './config/config-schema.js';
export { DEFAULT_CONFIG_FILE, loadConfigFile, readConfigDocument } from './config/load-config-file.js';
export { parseConfigDocument } from './config/parse-config-document.js';
export { createExporter, type CollectResult, type Exporter, type ExporterOptions, type ExporterOverrides } from './exporter.js';
export { createLogger } from './logging/create-logger.js';
export type { CollectorListing, SuppliedPlugin } from './plugins/load-collectors.js';
export { BUILTIN_COLLECTORS, referenceForKey } from './plugins/package-names.js';
export type { CollectorSelection } from './plugins/plan-collectors.js';
export { INSTANCE_LABEL, SELF_METRIC_FAMILIES } from './runtime/self-metrics.js';
export { VERSION } from './version.js';
