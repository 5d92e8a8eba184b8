import { FLASHBLADE } from '../rules/recording-rules.js';
import type { DashboardSpec } from './builder.js';
import { select } from './selectors.js';

const V = ['cluster', 'array'];

/** FlashBlade: the array, its file systems, buckets, clients and per-user usage. */
export const flashBladeDashboard: DashboardSpec = {
  uid: 'tessera-flashblade',
  title: 'Tessera / FlashBlade',
  description: 'Pure Storage FlashBlade arrays holding the datasets: capacity and data reduction, throughput and latency per protocol, file systems, buckets, clients, per-user usage and open alerts.',
  variables: [{ name: 'array', label: 'Array', selector: 'purefb_info{cluster=~"$cluster"}' }],
  rows: [
    {
      title: 'Array',
      panels: [
        { kind: 'stat', title: 'Capacity used', description: 'purefb_array_space_utilization: physical space used, in percent of the capacity.', unit: 'percent', width: 6, min: 0, max: 100, queries: [{ expr: select('purefb_array_space_utilization', V, 'type="array"'), legend: '{{array}}' }] },
        { kind: 'stat', title: 'Data reduction', description: 'Data reduction ratio of the whole array.', unit: 'x', width: 6, queries: [{ expr: select('purefb_array_space_data_reduction_ratio', V, 'type="array"'), legend: '{{array}}' }] },
        { kind: 'stat', title: 'Open alerts', description: 'Open alert events of the array, by severity.', unit: 'short', width: 6, queries: [{ expr: `sum by (array, severity) (${select('purefb_alerts_open', V)})`, legend: '{{array}} {{severity}}' }] },
        { kind: 'stat', title: 'Unhealthy components', description: 'Hardware components not reporting healthy (purefb_hardware_health 0).', unit: 'short', width: 6, queries: [{ expr: `count by (array) (${select('purefb_hardware_health', V)} == 0) or count by (array) (${select('purefb_hardware_health', V)}) * 0`, legend: '{{array}}' }] },
        {
          kind: 'timeseries',
          title: 'Space',
          description: 'Physical space used by data, snapshots and destroyed objects, and the capacity.',
          unit: 'bytes',
          queries: [
            { expr: select('purefb_array_space_bytes', V, 'type="array", space=~"unique|snapshots|destroyed|capacity"'), legend: '{{array}} {{space}}' },
          ],
        },
        { kind: 'timeseries', title: 'Physical space used', description: 'Share of capacity used (recording rule).', unit: 'percentunit', min: 0, max: 1, queries: [{ expr: select(FLASHBLADE.physicalUsedRatio.record, V), legend: '{{array}}' }] },
        { kind: 'timeseries', title: 'Throughput', description: 'Bytes read and written per second, all protocols (recording rule).', unit: 'Bps', queries: [{ expr: select(FLASHBLADE.bandwidth.record, V), legend: '{{array}} {{dimension}}' }] },
        {
          kind: 'timeseries',
          title: 'Latency per protocol',
          description: 'Mean read and write latency per protocol (the API reports microseconds).',
          unit: 'µs',
          queries: [{ expr: select('purefb_array_performance_latency_usec', V, 'dimension=~"usec_per_read_op|usec_per_write_op", protocol!="all"'), legend: '{{array}} {{protocol}} {{dimension}}' }],
        },
        { kind: 'timeseries', title: 'Operations per protocol', description: 'Read and write operations per second per protocol.', unit: 'iops', queries: [{ expr: select('purefb_array_performance_throughput_iops', V, 'dimension=~"reads_per_sec|writes_per_sec", protocol!="all"'), legend: '{{array}} {{protocol}} {{dimension}}' }] },
      ],
    },
    {
      title: 'File systems and buckets',
      panels: [
        { kind: 'table', title: 'File systems', description: 'Space per file system: virtual (logical) size and physical space used.', unit: 'bytes', queries: [{ expr: select('purefb_file_systems_space_bytes', V, 'space=~"virtual|total_physical"'), instant: true }] },
        { kind: 'timeseries', title: 'File system throughput', description: 'Bytes read and written per second per file system.', unit: 'Bps', queries: [{ expr: select('purefb_file_systems_performance_bandwidth_bytes', V), legend: '{{array}} {{name}} {{dimension}}' }] },
        { kind: 'table', title: 'Buckets', description: 'Space and object count per bucket.', unit: 'bytes', queries: [{ expr: select('purefb_buckets_space_bytes', V, 'space=~"virtual|total_physical"'), instant: true }, { expr: select('purefb_buckets_object_count', V), instant: true }] },
        { kind: 'timeseries', title: 'Bucket throughput', description: 'Bytes read and written per second per bucket.', unit: 'Bps', queries: [{ expr: select('purefb_buckets_performance_bandwidth_bytes', V), legend: '{{array}} {{name}} {{dimension}}' }] },
      ],
    },
    {
      title: 'Clients and usage',
      panels: [
        { kind: 'timeseries', title: 'Top clients by throughput', description: 'The ten NFS/SMB clients moving the most bytes.', unit: 'Bps', queries: [{ expr: `topk(10, sum by (array, name) (${select('purefb_clients_performance_bandwidth_bytes', V)}))`, legend: '{{array}} {{name}}' }] },
        { kind: 'table', title: 'Usage per user', description: 'Space used per user and file system, with its quota.', unit: 'bytes', queries: [{ expr: select('purefb_file_system_usage_users_bytes', V), instant: true }] },
      ],
    },
  ],
};
