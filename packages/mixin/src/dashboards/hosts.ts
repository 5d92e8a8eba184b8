import { DATA_FILESYSTEMS, HOST } from '../rules/recording-rules.js';
import type { DashboardSpec } from './builder.js';
import { select } from './selectors.js';

const V = ['cluster', 'instance'];

/** Hosts: CPU, memory, pressure, disks, filesystems, network, InfiniBand and clock, per node. */
export const hostsDashboard: DashboardSpec = {
  uid: 'tessera-hosts',
  title: 'Tessera / Hosts',
  description: 'Every node tessera runs on: CPU, memory and pressure stalls, disks and filesystems, network and InfiniBand, clock synchronisation.',
  variables: [{ name: 'instance', label: 'Host', selector: 'node_uname_info{cluster=~"$cluster"}' }],
  rows: [
    {
      title: 'CPU and memory',
      panels: [
        { kind: 'timeseries', title: 'CPU utilization', description: 'Share of CPU time not idle, waiting for I/O or stolen, per host (recording rule, 5 minute rate).', unit: 'percentunit', min: 0, max: 1, queries: [{ expr: select(HOST.cpuUtilization.record, V), legend: '{{instance}}' }] },
        { kind: 'timeseries', title: 'Memory utilization', description: '1 - MemAvailable / MemTotal per host.', unit: 'percentunit', min: 0, max: 1, queries: [{ expr: select(HOST.memoryUtilization.record, V), legend: '{{instance}}' }] },
        { kind: 'timeseries', title: 'Load average (1 m)', description: 'node_load1 per host, beside its number of CPUs.', unit: 'short', queries: [{ expr: select('node_load1', V), legend: '{{instance}}' }, { expr: `count by (instance) (${select('node_cpu_seconds_total', V, 'mode="idle"')})`, legend: '{{instance}} CPUs' }] },
        {
          kind: 'timeseries',
          title: 'Pressure stall (PSI)',
          description: 'Share of time in which some task waited for CPU, memory or I/O (the kernel pressure stall information).',
          unit: 'percentunit',
          min: 0,
          queries: [
            { expr: `rate(${select('node_pressure_cpu_waiting_seconds_total', V)}[$__rate_interval])`, legend: '{{instance}} cpu' },
            { expr: `rate(${select('node_pressure_memory_waiting_seconds_total', V)}[$__rate_interval])`, legend: '{{instance}} memory' },
            { expr: `rate(${select('node_pressure_io_waiting_seconds_total', V)}[$__rate_interval])`, legend: '{{instance}} io' },
          ],
        },
      ],
    },
    {
      title: 'Disks and filesystems',
      panels: [
        {
          kind: 'table',
          title: 'Filesystem space',
          description: 'Free space per mounted filesystem (tmpfs, overlay and the like left out).',
          unit: 'percent',
          queries: [{ expr: `100 * ${select('node_filesystem_avail_bytes', V, DATA_FILESYSTEMS)} / ${select('node_filesystem_size_bytes', V, DATA_FILESYSTEMS)}`, instant: true }],
        },
        {
          kind: 'timeseries',
          title: 'Disk throughput',
          description: 'Bytes read and written per second, per device.',
          unit: 'Bps',
          queries: [
            { expr: `rate(${select('node_disk_read_bytes_total', V)}[$__rate_interval])`, legend: '{{instance}} {{device}} read' },
            { expr: `rate(${select('node_disk_written_bytes_total', V)}[$__rate_interval])`, legend: '{{instance}} {{device}} written' },
          ],
        },
      ],
    },
    {
      title: 'Network and InfiniBand',
      panels: [
        {
          kind: 'timeseries',
          title: 'Network throughput',
          description: 'Bytes received and transmitted per second, per interface (loopback left out).',
          unit: 'Bps',
          queries: [
            { expr: `rate(${select('node_network_receive_bytes_total', V, 'device!="lo"')}[$__rate_interval])`, legend: '{{instance}} {{device}} in' },
            { expr: `rate(${select('node_network_transmit_bytes_total', V, 'device!="lo"')}[$__rate_interval])`, legend: '{{instance}} {{device}} out' },
          ],
        },
        {
          kind: 'timeseries',
          title: 'InfiniBand throughput',
          description: 'Data received and transmitted per second, per HCA port.',
          unit: 'Bps',
          queries: [
            { expr: `rate(${select('node_infiniband_port_data_received_bytes_total', V)}[$__rate_interval])`, legend: '{{instance}} {{device}}/{{port}} in' },
            { expr: `rate(${select('node_infiniband_port_data_transmitted_bytes_total', V)}[$__rate_interval])`, legend: '{{instance}} {{device}}/{{port}} out' },
          ],
        },
        {
          kind: 'table',
          title: 'InfiniBand port state',
          description: 'Logical state per port: 4 is ACTIVE, 1 DOWN.',
          unit: 'none',
          queries: [{ expr: select('node_infiniband_state_id', V), instant: true }],
        },
        {
          kind: 'timeseries',
          title: 'InfiniBand errors',
          description: 'Receive errors and symbol errors per second, per port.',
          unit: 'cps',
          queries: [
            { expr: `rate(${select('node_infiniband_port_errors_received_total', V)}[$__rate_interval])`, legend: '{{instance}} {{device}}/{{port}} receive errors' },
            { expr: `rate(${select('node_infiniband_symbol_error_total', V)}[$__rate_interval])`, legend: '{{instance}} {{device}}/{{port}} symbol errors' },
          ],
        },
      ],
    },
    {
      title: 'Clock',
      panels: [
        { kind: 'stat', title: 'Clock synchronised', description: 'node_timex_sync_status: 1 when the kernel says the clock is synchronised.', unit: 'bool_yes_no', width: 8, queries: [{ expr: select('node_timex_sync_status', V), legend: '{{instance}}' }] },
        { kind: 'timeseries', title: 'Clock offset', description: 'Offset from the reference clock per host.', unit: 's', width: 16, queries: [{ expr: select('node_timex_offset_seconds', V), legend: '{{instance}}' }] },
      ],
    },
  ],
};
