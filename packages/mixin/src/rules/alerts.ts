import type { MixinOptions } from '../options.js';
import { BATCH, DATA_FILESYSTEMS } from './recording-rules.js';
import type { AlertingRule, RuleGroup, Severity } from './rule-types.js';

/** What an alert is about, before the runbook link is derived from its name. */
interface AlertSpec {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly severity: Severity;
  readonly summary: string;
  readonly description: string;
}

/**
 * The runbook of an alert is its section in the mixin README: a heading named like the alert, whose
 * anchor is the lower-cased name.
 */
function withRunbook(spec: AlertSpec, options: MixinOptions): AlertingRule {
  return {
    alert: spec.alert,
    expr: spec.expr,
    ...(spec.for === undefined ? {} : { for: spec.for }),
    labels: { severity: spec.severity },
    annotations: { summary: spec.summary, description: spec.description, runbook_url: `${options.runbookBaseUrl}#${spec.alert.toLowerCase()}` },
  };
}

/** The labels that name one GPU (or MIG instance) in an annotation. */
const GPU_NAME = 'GPU {{ $labels.gpu }}{{ with $labels.GPU_I_ID }} (MIG instance {{ . }}){{ end }} on {{ $labels.Hostname }} ({{ $labels.instance }})';

function gpuAlerts(options: MixinOptions): AlertSpec[] {
  return [
    {
      alert: 'GpuUtilizationHigh',
      expr: `avg_over_time(DCGM_FI_DEV_GPU_UTIL[5m]) > ${options.gpuUtilizationPercent}`,
      for: '5m',
      severity: options.gpuUtilizationSeverity,
      summary: `High GPU utilization on ${GPU_NAME}`,
      description: `GPU utilization has averaged {{ $value | printf "%.0f" }}% over 5 minutes, above ${options.gpuUtilizationPercent}%, for 5 minutes in a row. Jobs queued behind it wait; consider scaling out or moving work.`,
    },
    {
      alert: 'GpuTemperatureHigh',
      expr: `DCGM_FI_DEV_GPU_TEMP > ${options.gpuTemperatureCelsius}`,
      for: '5m',
      severity: 'warning',
      summary: `${GPU_NAME} is running hot`,
      description: `The GPU has been at {{ $value }} °C (over ${options.gpuTemperatureCelsius} °C) for 5 minutes; it throttles its clocks soon, if it does not already. Check the node's airflow and fans.`,
    },
    {
      alert: 'GpuXidError',
      // The gauge keeps the last XID, with the XID in its err_code label: a new XID is a new series,
      // alerted on for 15 minutes. XID 79 has an alert of its own.
      expr: '(DCGM_FI_DEV_XID_ERRORS > 0 unless DCGM_FI_DEV_XID_ERRORS == 79) unless DCGM_FI_DEV_XID_ERRORS offset 15m',
      severity: 'warning',
      summary: `XID {{ $value }} on ${GPU_NAME}`,
      description: 'The driver reported XID {{ $value }} ({{ $labels.err_msg }}) in the last 15 minutes. Application XIDs (13, 31, 43) point at the job; memory and hardware XIDs (48, 63, 64, 74, 92, 94, 95) at the GPU.',
    },
    {
      alert: 'GpuEccUncorrectableErrors',
      expr: 'increase(DCGM_FI_DEV_ECC_DBE_VOL_TOTAL[15m]) > 0',
      severity: 'critical',
      summary: `Uncorrectable ECC errors on ${GPU_NAME}`,
      description: 'The GPU counted {{ $value | printf "%.0f" }} double-bit (uncorrectable) ECC errors in the last 15 minutes: the job on it may have computed with corrupt memory. Drain the GPU and check row remapping.',
    },
    {
      alert: 'GpuFellOffTheBus',
      expr: 'DCGM_FI_DEV_XID_ERRORS == 79 or tessera_collector_part_success{collector="dcgm", part=~"gpu/.+"} == 0',
      for: '1m',
      severity: 'critical',
      summary: 'A GPU on {{ $labels.instance }} fell off the bus or stopped answering',
      description:
        'XID 79 or a GPU that NVML can no longer read ({{ $labels.part }}{{ $labels.gpu }}): the GPU is lost to the node until it is reset or the node rebooted. Its pods fail or hang.',
    },
    {
      alert: 'InferenceLatencyHigh',
      expr: `histogram_quantile(0.99, sum by (le, instance) (rate(${options.inferenceLatencyHistogram}_bucket[5m]))) > ${options.inferenceLatencyP99Seconds}`,
      for: '2m',
      severity: 'warning',
      summary: 'High inference latency on {{ $labels.instance }}',
      description: `The 99th percentile of inference latency on {{ $labels.instance }} has been {{ $value | humanizeDuration }} (over ${options.inferenceLatencyP99Seconds} s) for 2 minutes. Model performance may be degraded.`,
    },
  ];
}

function hostAlerts(options: MixinOptions): AlertSpec[] {
  const free = `node_filesystem_avail_bytes{${DATA_FILESYSTEMS}} / node_filesystem_size_bytes * 100`;
  const writable = 'node_filesystem_readonly == 0';
  return [
    {
      alert: 'HostFilesystemFillingUp',
      expr: `((${free} < ${options.filesystemFreePercent}) or (${free} < ${options.filesystemFreePercent * 2} and predict_linear(node_filesystem_avail_bytes[6h], 24 * 3600) < 0)) and on (instance, device, mountpoint) ${writable}`,
      for: '30m',
      severity: 'warning',
      summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} is filling up',
      description: `Only {{ $value | printf "%.1f" }}% of {{ $labels.mountpoint }} ({{ $labels.device }}) is free, and it is either under ${options.filesystemFreePercent}% or will be full within a day at the rate of the last 6 hours.`,
    },
    {
      alert: 'HostMemoryPressure',
      expr: `rate(node_pressure_memory_stalled_seconds_total[5m]) > ${options.memoryPressureStalledRatio}`,
      for: '10m',
      severity: 'warning',
      summary: 'Memory pressure on {{ $labels.instance }}',
      description:
        'Every task on {{ $labels.instance }} waited for memory {{ $value | humanizePercentage }} of the time over 5 minutes (PSI "full"): the host is thrashing or reclaiming hard. Data loaders and page cache compete with the training job.',
    },
    {
      alert: 'InfinibandPortDown',
      // Only ports that were active in the last day: an HCA port that was never cabled stays quiet.
      expr: 'node_infiniband_state_id != 4 and on (instance, device, port) max_over_time(node_infiniband_state_id[1d]) == 4',
      for: '2m',
      severity: 'critical',
      summary: 'InfiniBand port {{ $labels.device }}/{{ $labels.port }} on {{ $labels.instance }} is down',
      description: 'The port was active in the last day and is now in state {{ $value }} (4 is ACTIVE). Collective operations of distributed training over it stall or fall back to slower paths.',
    },
    {
      alert: 'InfinibandPortErrors',
      expr: 'increase(node_infiniband_port_errors_received_total[10m]) > 0 or increase(node_infiniband_link_downed_total[10m]) > 0 or increase(node_infiniband_symbol_error_total[10m]) > 10',
      severity: 'warning',
      summary: 'InfiniBand port {{ $labels.device }}/{{ $labels.port }} on {{ $labels.instance }} is counting errors',
      description: 'Receive errors, link-down events or symbol errors in the last 10 minutes ({{ $value | printf "%.0f" }}): a cable, transceiver or switch port is failing.',
    },
    {
      alert: 'HostClockNotSynchronised',
      expr: 'min_over_time(node_timex_sync_status[5m]) == 0 and node_timex_maxerror_seconds >= 16',
      for: '10m',
      severity: 'warning',
      summary: 'The clock of {{ $labels.instance }} is not synchronised',
      description: 'The kernel says the clock is not synchronised and its maximum error is {{ $value }} s. Timestamps of pushed job results and logs from this host drift; check chronyd or ntpd.',
    },
  ];
}

function flashBladeAlerts(options: MixinOptions): AlertSpec[] {
  return [
    {
      alert: 'FlashBladeCapacityHigh',
      expr: `purefb_array_space_utilization{type="array"} > ${options.flashBladeUtilizationPercent}`,
      for: '30m',
      severity: 'warning',
      summary: 'FlashBlade {{ $labels.array }} is {{ $value | printf "%.0f" }}% full',
      description: `The array has used more than ${options.flashBladeUtilizationPercent}% of its capacity for 30 minutes. Datasets and checkpoints written to it will start failing when it is full; eradicate destroyed file systems and buckets or add blades.`,
    },
    {
      alert: 'FlashBladeCriticalAlertOpen',
      expr: 'purefb_alerts_open{severity="critical"} > 0',
      for: '1m',
      severity: 'critical',
      summary: 'FlashBlade {{ $labels.array }}: {{ $labels.summary }}',
      description: 'The array has an open critical alert (code {{ $labels.code }}, {{ $labels.component_type }} {{ $labels.component_name }}). {{ $labels.action }} See {{ $labels.kburl }}.',
    },
    {
      alert: 'FlashBladeUnreachable',
      expr: 'tessera_scrape_collector_success{collector="flashblade"} == 0',
      for: '5m',
      severity: 'critical',
      summary: 'tessera cannot read FlashBlade {{ $labels.collector_instance }}',
      description: 'Collections of the array have failed for 5 minutes: it is unreachable, refuses the API token, or answers with errors. Its dashboards are empty meanwhile. The status page of {{ $labels.instance }} and its log say which call failed.',
    },
  ];
}

function arkoudaAlerts(): AlertSpec[] {
  return [
    {
      alert: 'ArkoudaServerDown',
      expr: 'arkouda_up == 0',
      for: '2m',
      severity: 'critical',
      summary: 'Arkouda server {{ $labels.arkouda_server_name }} is down or its metrics are stale',
      description: "The server's metrics daemon has not answered for 2 minutes, or its last answer is too old to be served. Users' sessions on it fail; check the server process and its node.",
    },
  ];
}

function batchJobAlerts(options: MixinOptions): AlertSpec[] {
  const success = BATCH.lastSuccess.record;
  const failure = BATCH.lastFailure.record;
  return [
    {
      alert: 'DataPipelineStalled',
      expr: `time() - max_over_time(${success}{job=~"${options.dataPipelineJobs}"}[1h]) > ${options.dataPipelineStalledSeconds}`,
      for: '10m',
      severity: 'critical',
      summary: 'Data pipeline {{ $labels.job }} appears stalled',
      description: `No successful run of {{ $labels.job }} for {{ $value | humanizeDuration }} (more than ${options.dataPipelineStalledSeconds / 3600} h). Data freshness is at risk: training jobs read stale data.`,
    },
    {
      alert: 'BatchJobLastSuccessTooOld',
      expr: `time() - ${success} > ${options.batchJobMaxSuccessAgeSeconds}`,
      for: '10m',
      severity: 'warning',
      summary: 'Batch job {{ $labels.job }} has not succeeded for {{ $value | humanizeDuration }}',
      description: `The last successful run of {{ $labels.job }} is older than ${options.batchJobMaxSuccessAgeSeconds / 3600} h. Its runs fail, or are no longer started.`,
    },
    {
      alert: 'BatchJobFailed',
      expr: `${failure} > ${success} or (${failure} unless ${success}) or ${BATCH.exitCode.record} != 0`,
      severity: 'warning',
      summary: 'The last run of batch job {{ $labels.job }} failed',
      description: 'The last run of {{ $labels.job }} ended in failure and no run has succeeded since. The alert clears with the next successful run.',
    },
    {
      alert: 'BatchJobPushFailing',
      expr: 'push_failure_time_seconds > push_time_seconds',
      for: '5m',
      severity: 'warning',
      summary: 'Pushes of {{ $labels.job }} to the Pushgateway fail',
      description: "The Pushgateway refused the group's last push (a type conflict, an invalid metric): the job's dashboards show its previous run.",
    },
  ];
}

function tesseraAlerts(options: MixinOptions): AlertSpec[] {
  return [
    {
      alert: 'TesseraDown',
      expr: `up{job=~"${options.tesseraJobs}"} == 0`,
      for: '5m',
      severity: 'warning',
      summary: 'Prometheus cannot scrape tessera at {{ $labels.instance }}',
      description: 'The scrape of {{ $labels.instance }} (job {{ $labels.job }}) has failed for 5 minutes: the exporter is down, or the network or its TLS settings refuse Prometheus.',
    },
    {
      alert: 'TesseraCollectorFailing',
      // FlashBlade has its own alert. A node where the GPU collector has never seen a GPU (a CPU
      // node of a DaemonSet) reports failure by design (no GPU) and is not an incident.
      expr:
        'tessera_scrape_collector_success{collector!="flashblade"} == 0 unless on (instance, collector, collector_instance) (tessera_scrape_collector_success{collector="dcgm"} unless on (instance) max_over_time(tessera_collector_part_success{collector="dcgm"}[1d]))',
      for: '10m',
      severity: 'warning',
      summary: 'Collector {{ $labels.collector }}/{{ $labels.collector_instance }} on {{ $labels.instance }} is failing',
      description: "Every collection of this collector instance has failed for 10 minutes: its series are missing. The exporter's status page and log say why.",
    },
    {
      alert: 'TesseraCollectorPartFailing',
      // GPUs and Arkouda polls have alerts of their own.
      expr:
        'tessera_collector_part_success{collector!~"dcgm|arkouda"} == 0 or tessera_collector_part_success{collector="dcgm", part!~"gpu/.+"} == 0 or tessera_collector_part_success{collector="arkouda", part!="poll"} == 0',
      for: '15m',
      severity: 'warning',
      summary: 'Part {{ $labels.part }} of {{ $labels.collector }}/{{ $labels.collector_instance }} is failing',
      description: 'The part has failed for 15 minutes while the rest of the collector works: its series are missing (a sub-collector, an endpoint group of the array).',
    },
    {
      alert: 'TesseraSnapshotStale',
      expr: `time() - tessera_collector_part_sample_timestamp_seconds > ${options.snapshotMaxAgeSeconds}`,
      for: '5m',
      severity: 'warning',
      summary: 'Part {{ $labels.part }} of {{ $labels.collector }}/{{ $labels.collector_instance }} serves old data',
      description: `The values served for this part were sampled {{ $value | humanizeDuration }} ago (more than ${options.snapshotMaxAgeSeconds} s): its background task keeps failing or hangs. See tessera_collector_task_consecutive_failures.`,
    },
  ];
}

/** Every alert, in groups by what they watch. */
export function alertGroups(options: MixinOptions): RuleGroup<AlertingRule>[] {
  const group = (name: string, specs: AlertSpec[]): RuleGroup<AlertingRule> => ({ name, rules: specs.map((spec) => withRunbook(spec, options)) });
  return [
    group('tessera-gpus', gpuAlerts(options)),
    group('tessera-hosts', hostAlerts(options)),
    group('tessera-flashblade', flashBladeAlerts(options)),
    group('tessera-arkouda', arkoudaAlerts()),
    group('tessera-batch-jobs', batchJobAlerts(options)),
    group('tessera-exporter', tesseraAlerts(options)),
  ];
}
