/**
 * `@tessera/push`: metrics from batch jobs to a Prometheus Pushgateway (or the node_exporter textfile
 * directory) without ever crashing the job. See the README for the CLI, `tessera-push`.
 */
export type { Clock } from './clock.js';
export { systemClock } from './clock.js';
export { buildGroupingPath } from './grouping-path.js';
export { createJob, Job, type CloseOptions, type HistogramOptions, type JobOptions, type MetricOptions, type SummaryOptions, type TextfileOptions } from './job.js';
export {
  describeLabelNameProblem,
  describeMetricNameProblem,
  DURATION_BUCKETS,
  MetricDefinitionError,
  MetricUpdateError,
  normalizeBuckets,
  type MetricKind,
} from './metric-definition.js';
export { decodeMetricFile, parseMetricFile, MetricFileError, type MetricFile, type MetricFileIssue } from './parse-metric-file.js';
export { DEFAULT_FINAL_PUSH_DEADLINE_MS, PeriodicPush, type PeriodicPushOptions, type StopOptions } from './periodic-push.js';
export { parseGatewayUrl } from './gateway-url.js';
export { PushgatewayClient, type PushgatewayClientOptions, type PushLogger, type SendOptions, type TransportOptions } from './pushgateway-client.js';
export { PushError, type PushFailure, type PushFailureReason, type PushMethod, type PushResult, type PushSuccess, type TextfileResult } from './push-result.js';
