/**
 * What an operator may tune without editing PromQL: thresholds, the jobs that are data pipelines,
 * the name of the inference latency histogram their serving code exports, and where the runbooks
 * live. Every field has a default; `buildMixin({ gpuTemperatureCelsius: 80 })` changes one.
 */
export interface MixinOptions {
  /** Page (`critical`) or only warn when GPUs are busy for a long time. A busy GPU is usually the point of the cluster. */
  readonly gpuUtilizationSeverity: 'warning' | 'critical';
  /** Mean `DCGM_FI_DEV_GPU_UTIL` over 5 minutes above this (percent), for 5 minutes. */
  readonly gpuUtilizationPercent: number;
  /** `DCGM_FI_DEV_GPU_TEMP` above this (°C) for 5 minutes. Data-centre GPUs throttle from about 85 °C. */
  readonly gpuTemperatureCelsius: number;
  /** The histogram (without `_bucket`) an inference server exports its request latency in. */
  readonly inferenceLatencyHistogram: string;
  /** p99 of that histogram above this (seconds) for 2 minutes. */
  readonly inferenceLatencyP99Seconds: number;
  /** Regex on the pushed `job` label that selects data pipelines (ingest, ETL, preprocessing). */
  readonly dataPipelineJobs: string;
  /** A data pipeline without a successful run for this long (seconds) is stalled. */
  readonly dataPipelineStalledSeconds: number;
  /** Any pushed batch job without a successful run for this long (seconds); a daily job gets two hours of slack. */
  readonly batchJobMaxSuccessAgeSeconds: number;
  /** Host filesystems with less free space than this (percent) alert at once; below twice this when full within a day. */
  readonly filesystemFreePercent: number;
  /** Share of time (0–1) in which every task of a host waited for memory (PSI "full"). */
  readonly memoryPressureStalledRatio: number;
  /** FlashBlade `purefb_array_space_utilization` above this (percent) for 30 minutes. */
  readonly flashBladeUtilizationPercent: number;
  /** A part served from a background snapshot older than this (seconds) is stale. */
  readonly snapshotMaxAgeSeconds: number;
  /** Regex on the `job` label of the scrape jobs that scrape tessera (for the exporter-down alert). */
  readonly tesseraJobs: string;
  /** Base of every alert's `runbook_url`; the alert name, lower-cased, is appended as the anchor. */
  readonly runbookBaseUrl: string;
}

/** The defaults the shipped `rules/*.yaml` and `dashboards/*.json` are generated with. */
export const DEFAULT_OPTIONS: MixinOptions = Object.freeze({
  gpuUtilizationSeverity: 'warning',
  gpuUtilizationPercent: 90,
  gpuTemperatureCelsius: 85,
  inferenceLatencyHistogram: 'ml_inference_latency_seconds',
  inferenceLatencyP99Seconds: 0.5,
  dataPipelineJobs: '.*(pipeline|etl|ingest|preprocess).*',
  dataPipelineStalledSeconds: 3600,
  batchJobMaxSuccessAgeSeconds: 26 * 3600,
  filesystemFreePercent: 5,
  memoryPressureStalledRatio: 0.1,
  flashBladeUtilizationPercent: 85,
  snapshotMaxAgeSeconds: 600,
  tesseraJobs: 'tessera.*',
  runbookBaseUrl: 'https://example.invalid/tessera/blob/main/packages/mixin/README.md',
});

/** The defaults with `overrides` applied. */
export function resolveOptions(overrides: Partial<MixinOptions> = {}): MixinOptions {
  return { ...DEFAULT_OPTIONS, ...overrides };
}
