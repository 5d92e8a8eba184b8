import type { RecordingRule, RuleGroup } from './rule-types.js';

/*
 * Recording rules for the queries that are expensive to run on every dashboard refresh: the batch
 * job series are selected by a regex on the metric name (each job names its own metrics), and the
 * cluster-wide GPU and host figures aggregate every GPU and CPU of the cluster. Names follow
 * Prometheus' `level:metric:operations` convention.
 *
 * Batch job series are kept to the jobs the Pushgateway holds (`and on (job) push_time_seconds`),
 * so that the exporters' own `*_last_success_timestamp_seconds` (tessera's tasks, Arkouda's polls)
 * never look like a training run.
 */

/** Filesystems that hold data (in-memory, image and namespace ones left out), for alerts and dashboards alike. */
export const DATA_FILESYSTEMS = 'fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs"';

/** One rule's name and expression; the name is what dashboards and alerts refer to. */
function rule(record: string, expr: string): RecordingRule {
  return { record, expr };
}

/** Series of pushed batch jobs whose name ends in `suffix`, one per job and grouping key. */
export function pushedJobSeries(suffix: string, extraMatchers = ''): string {
  return `max without (instance) ({__name__=~".+_${suffix}"${extraMatchers}} and on (job) push_time_seconds)`;
}

export const BATCH = {
  lastSuccess: rule('job:tessera_batch_last_success_timestamp_seconds:max', pushedJobSeries('last_success_timestamp_seconds')),
  lastFailure: rule('job:tessera_batch_last_failure_timestamp_seconds:max', pushedJobSeries('last_failure_timestamp_seconds')),
  exitCode: rule('job:tessera_batch_exit_code:max', pushedJobSeries('exit_code')),
  inProgress: rule('job:tessera_batch_in_progress:max', pushedJobSeries('in_progress')),
  // Summaries and histograms of timed stages end in _duration_seconds too; their quantile and le
  // series are not a run's duration.
  runDuration: rule('job:tessera_batch_run_duration_seconds:max', pushedJobSeries('duration_seconds', ', quantile="", le=""')),
  samplesPerSecond: rule('job:tessera_batch_samples_per_second:max', pushedJobSeries('samples_per_second')),
  accuracy: rule('job:tessera_batch_accuracy_ratio:max', pushedJobSeries('accuracy_ratio')),
} as const;

export const GPU = {
  clusterUtilization: rule('cluster:tessera_gpu_utilization_percent:avg', 'avg by (cluster) (DCGM_FI_DEV_GPU_UTIL)'),
  instanceUtilization: rule('instance:tessera_gpu_utilization_percent:avg', 'avg by (cluster, instance) (DCGM_FI_DEV_GPU_UTIL)'),
  // dcgm-exporter reports framebuffer memory in MiB; these are bytes.
  clusterMemoryUsed: rule('cluster:tessera_gpu_memory_used_bytes:sum', 'sum by (cluster) (DCGM_FI_DEV_FB_USED) * 1048576'),
  clusterMemoryTotal: rule('cluster:tessera_gpu_memory_bytes:sum', 'sum by (cluster) (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE + DCGM_FI_DEV_FB_RESERVED) * 1048576'),
  // A MIG instance repeats its GPU's power draw: one value per physical GPU (UUID) is summed.
  clusterPower: rule('cluster:tessera_gpu_power_watts:sum', 'sum by (cluster) (max by (cluster, instance, UUID) (DCGM_FI_DEV_POWER_USAGE))'),
  // MIG instances report memory, not utilisation, so pods are counted and sized by memory.
  podMemory: rule('namespace_pod:tessera_gpu_memory_used_bytes:sum', 'sum by (cluster, namespace, pod) (DCGM_FI_DEV_FB_USED{pod!=""}) * 1048576'),
  podDevices: rule('namespace_pod:tessera_gpu_devices:count', 'count by (cluster, namespace, pod) (DCGM_FI_DEV_FB_USED{pod!=""})'),
  podUtilization: rule('namespace_pod:tessera_gpu_utilization_percent:avg', 'avg by (cluster, namespace, pod) (DCGM_FI_DEV_GPU_UTIL{pod!=""})'),
} as const;

export const HOST = {
  cpuUtilization: rule(
    'instance:tessera_node_cpu_utilization:ratio_rate5m',
    '1 - avg without (cpu) (sum without (mode) (rate(node_cpu_seconds_total{mode=~"idle|iowait|steal"}[5m])))',
  ),
  memoryUtilization: rule('instance:tessera_node_memory_utilization:ratio', '1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes'),
} as const;

export const FLASHBLADE = {
  bandwidth: rule('array:tessera_flashblade_bandwidth_bytes:sum', 'sum by (cluster, array, dimension) (purefb_array_performance_bandwidth_bytes{protocol="all"})'),
  physicalUsedRatio: rule(
    'array:tessera_flashblade_space_used:ratio',
    'purefb_array_space_bytes{space="total_physical", type="array"} / ignoring (space) purefb_array_space_bytes{space="capacity", type="array"}',
  ),
} as const;

export const ARKOUDA = {
  requests: rule('server:tessera_arkouda_requests:rate5m', 'sum by (cluster, arkouda_server_name) (rate(arkouda_requests_total[5m]))'),
  commandResponseTime: rule(
    'server_command:tessera_arkouda_response_time_seconds:mean5m',
    'sum by (cluster, arkouda_server_name, command) (rate(arkouda_command_response_time_seconds_total[5m])) / sum by (cluster, arkouda_server_name, command) (rate(arkouda_command_requests_total[5m]))',
  ),
  userRequests: rule('server_user:tessera_arkouda_requests:rate5m', 'sum by (cluster, arkouda_server_name, user) (rate(arkouda_user_requests_total[5m]))'),
} as const;

export const TESSERA = {
  collectorSuccess: rule('collector:tessera_scrape_collector_success:ratio', 'avg by (cluster, collector) (tessera_scrape_collector_success)'),
  partSuccess: rule('collector:tessera_collector_part_success:ratio', 'avg by (cluster, collector) (tessera_collector_part_success)'),
} as const;

/** Every recording rule, grouped by what it covers. */
export function recordingRuleGroups(): RuleGroup<RecordingRule>[] {
  return [
    { name: 'tessera-batch-jobs.rules', rules: Object.values(BATCH) },
    { name: 'tessera-gpus.rules', rules: Object.values(GPU) },
    { name: 'tessera-hosts.rules', rules: Object.values(HOST) },
    { name: 'tessera-flashblade.rules', rules: Object.values(FLASHBLADE) },
    { name: 'tessera-arkouda.rules', rules: Object.values(ARKOUDA) },
    { name: 'tessera-exporter.rules', rules: Object.values(TESSERA) },
  ];
}
