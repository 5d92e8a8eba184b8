import { defineMetric, type MetricFamily } from '@tessera/collector-api';

/*
 * The metric table: every family the node collector emits, the single source of truth for the
 * plugin's `metrics`, the sub-collectors and the README's metrics table (a test checks the README
 * against it). Names, types, label names and HELP texts are node_exporter's, so that dashboards,
 * alerts and recording rules written for it keep working. Label names are declared in
 * alphabetical order because node_exporter's Go client prints them that way, which keeps our
 * output line-for-line comparable with its.
 *
 * meminfo and vmstat are pass-through sources: their family names are the kernel's field names,
 * which differ between kernels. They are built by `memoryFamily` and `vmstatFamily` below; the
 * fields the kernel lists when the collector is created are declared then (the collector's
 * instance-level `metrics`), and a field that appears later through `sink.declare()` when it
 * appears (see README, "Metrics").
 */

/** The self-metrics node_exporter has per sub-collector. */
export const scrapeMetrics = {
  duration: defineMetric({
    name: 'node_scrape_collector_duration_seconds',
    type: 'gauge',
    help: 'node_exporter: Duration of a collector scrape.',
    labelNames: ['collector'],
    unit: 'seconds',
  }),
  success: defineMetric({
    name: 'node_scrape_collector_success',
    type: 'gauge',
    help: 'node_exporter: Whether a collector succeeded.',
    labelNames: ['collector'],
  }),
} as const;

/** cpu: `/proc/stat` per-CPU times, thermal throttle counters and isolated CPUs from sysfs. */
export const cpuMetrics = {
  seconds: defineMetric({
    name: 'node_cpu_seconds_total',
    type: 'counter',
    help: 'Seconds the CPUs spent in each mode.',
    labelNames: ['cpu', 'mode'],
    unit: 'seconds',
  }),
  guestSeconds: defineMetric({
    name: 'node_cpu_guest_seconds_total',
    type: 'counter',
    help: 'Seconds the CPUs spent in guests (VMs) for each mode.',
    labelNames: ['cpu', 'mode'],
    unit: 'seconds',
  }),
  coreThrottles: defineMetric({
    name: 'node_cpu_core_throttles_total',
    type: 'counter',
    help: 'Number of times this CPU core has been throttled.',
    labelNames: ['core', 'package'],
  }),
  packageThrottles: defineMetric({
    name: 'node_cpu_package_throttles_total',
    type: 'counter',
    help: 'Number of times this CPU package has been throttled.',
    labelNames: ['package'],
  }),
  online: defineMetric({ name: 'node_cpu_online', type: 'gauge', help: 'CPUs that are online and being scheduled.', labelNames: ['cpu'] }),
  isolated: defineMetric({
    name: 'node_cpu_isolated',
    type: 'gauge',
    help: 'Whether each core is isolated, information from /sys/devices/system/cpu/isolated.',
    labelNames: ['cpu'],
  }),
} as const;

/** stat: the system-wide lines of `/proc/stat`. */
export const statMetrics = {
  interrupts: defineMetric({ name: 'node_intr_total', type: 'counter', help: 'Total number of interrupts serviced.', labelNames: [] }),
  contextSwitches: defineMetric({ name: 'node_context_switches_total', type: 'counter', help: 'Total number of context switches.', labelNames: [] }),
  forks: defineMetric({ name: 'node_forks_total', type: 'counter', help: 'Total number of forks.', labelNames: [] }),
  bootTime: defineMetric({ name: 'node_boot_time_seconds', type: 'gauge', help: 'Node boot time, in unixtime.', labelNames: [], unit: 'seconds' }),
  procsRunning: defineMetric({ name: 'node_procs_running', type: 'gauge', help: 'Number of processes in runnable state.', labelNames: [] }),
  procsBlocked: defineMetric({
    name: 'node_procs_blocked',
    type: 'gauge',
    help: 'Number of processes blocked waiting for I/O to complete.',
    labelNames: [],
  }),
  softirqs: defineMetric({ name: 'node_softirqs_total', type: 'counter', help: 'Number of softirq calls.', labelNames: ['vector'] }),
} as const;

/** loadavg: `/proc/loadavg`. */
export const loadMetrics = {
  load1: defineMetric({ name: 'node_load1', type: 'gauge', help: '1m load average.', labelNames: [] }),
  load5: defineMetric({ name: 'node_load5', type: 'gauge', help: '5m load average.', labelNames: [] }),
  load15: defineMetric({ name: 'node_load15', type: 'gauge', help: '15m load average.', labelNames: [] }),
} as const;

const diskCounter = (name: string, help: string, unit?: string): MetricFamily<'device'> =>
  defineMetric({ name: `node_disk_${name}`, type: 'counter', help, labelNames: ['device'], ...(unit === undefined ? {} : { unit }) });

/**
 * diskstats: the `/proc/diskstats` columns after major, minor and name, in the kernel's order
 * (Documentation/admin-guide/iostats.rst). A kernel prints 11, 15 or 17 of them; a family is
 * emitted only for the columns a line has. `scale` converts sectors (always 512 bytes here) and
 * milliseconds to base units.
 */
export const diskColumns: readonly { readonly family: MetricFamily<'device'>; readonly scale: number }[] = [
  { family: diskCounter('reads_completed_total', 'The total number of reads completed successfully.'), scale: 1 },
  { family: diskCounter('reads_merged_total', 'The total number of reads merged.'), scale: 1 },
  { family: diskCounter('read_bytes_total', 'The total number of bytes read successfully.', 'bytes'), scale: 512 },
  { family: diskCounter('read_time_seconds_total', 'The total number of seconds spent by all reads.', 'seconds'), scale: 0.001 },
  { family: diskCounter('writes_completed_total', 'The total number of writes completed successfully.'), scale: 1 },
  { family: diskCounter('writes_merged_total', 'The number of writes merged.'), scale: 1 },
  { family: diskCounter('written_bytes_total', 'The total number of bytes written successfully.', 'bytes'), scale: 512 },
  { family: diskCounter('write_time_seconds_total', 'This is the total number of seconds spent by all writes.', 'seconds'), scale: 0.001 },
  { family: defineMetric({ name: 'node_disk_io_now', type: 'gauge', help: 'The number of I/Os currently in progress.', labelNames: ['device'] }), scale: 1 },
  { family: diskCounter('io_time_seconds_total', 'Total seconds spent doing I/Os.', 'seconds'), scale: 0.001 },
  { family: diskCounter('io_time_weighted_seconds_total', 'The weighted # of seconds spent doing I/Os.', 'seconds'), scale: 0.001 },
  { family: diskCounter('discards_completed_total', 'The total number of discards completed successfully.'), scale: 1 },
  { family: diskCounter('discards_merged_total', 'The total number of discards merged.'), scale: 1 },
  // node_exporter reports discarded sectors as a count of sectors, not bytes; kept for compatibility.
  { family: diskCounter('discarded_sectors_total', 'The total number of sectors discarded successfully.'), scale: 1 },
  { family: diskCounter('discard_time_seconds_total', 'This is the total number of seconds spent by all discards.', 'seconds'), scale: 0.001 },
  { family: diskCounter('flush_requests_total', 'The total number of flush requests completed successfully'), scale: 1 },
  { family: diskCounter('flush_requests_time_seconds_total', 'This is the total number of seconds spent by all flush requests.', 'seconds'), scale: 0.001 },
];

/** diskstats: device identity from sysfs and the udev database. */
export const diskInfoMetrics = {
  info: defineMetric({
    name: 'node_disk_info',
    type: 'gauge',
    help: 'Info of /sys/block/<block_device>.',
    labelNames: ['device', 'major', 'minor', 'model', 'path', 'revision', 'rotational', 'serial', 'wwn'],
  }),
  filesystemInfo: defineMetric({
    name: 'node_disk_filesystem_info',
    type: 'gauge',
    help: 'Info about disk filesystem.',
    labelNames: ['device', 'type', 'usage', 'uuid', 'version'],
  }),
  deviceMapperInfo: defineMetric({
    name: 'node_disk_device_mapper_info',
    type: 'gauge',
    help: 'Info about disk device mapper.',
    labelNames: ['device', 'lv_layer', 'lv_name', 'name', 'uuid', 'vg_name'],
  }),
  ataWriteCache: defineMetric({ name: 'node_disk_ata_write_cache', type: 'gauge', help: 'ATA disk has a write cache.', labelNames: ['device'] }),
  ataWriteCacheEnabled: defineMetric({
    name: 'node_disk_ata_write_cache_enabled',
    type: 'gauge',
    help: 'ATA disk has its write cache enabled.',
    labelNames: ['device'],
  }),
  ataRotationRate: defineMetric({
    name: 'node_disk_ata_rotation_rate_rpm',
    type: 'gauge',
    help: 'ATA disk rotation rate in RPMs (0 for SSDs).',
    labelNames: ['device'],
  }),
} as const;

/** The netdev statistics node_exporter emits by default, in `/proc/net/dev` column order, then `receive_nohandler`. */
export const NET_DEVICE_STATISTICS = [
  'receive_bytes',
  'receive_packets',
  'receive_errs',
  'receive_drop',
  'receive_fifo',
  'receive_frame',
  'receive_compressed',
  'receive_multicast',
  'transmit_bytes',
  'transmit_packets',
  'transmit_errs',
  'transmit_drop',
  'transmit_fifo',
  'transmit_colls',
  'transmit_carrier',
  'transmit_compressed',
  'receive_nohandler',
] as const;

/** netdev: one counter family per statistic, in {@link NET_DEVICE_STATISTICS} order. */
export const netDeviceMetrics: readonly MetricFamily<'device'>[] = NET_DEVICE_STATISTICS.map((statistic) =>
  defineMetric({
    name: `node_network_${statistic}_total`,
    type: 'counter',
    help: `Network device statistic ${statistic}.`,
    labelNames: ['device'],
    ...(statistic.endsWith('_bytes') ? { unit: 'bytes' } : {}),
  }),
);

const filesystemLabels = ['device', 'device_error', 'fstype', 'mountpoint'] as const;

/** filesystem: `statfs(2)` of every mount point that passes the filters. */
export const filesystemMetrics = {
  sizeBytes: defineMetric({ name: 'node_filesystem_size_bytes', type: 'gauge', help: 'Filesystem size in bytes.', labelNames: filesystemLabels, unit: 'bytes' }),
  freeBytes: defineMetric({ name: 'node_filesystem_free_bytes', type: 'gauge', help: 'Filesystem free space in bytes.', labelNames: filesystemLabels, unit: 'bytes' }),
  availBytes: defineMetric({
    name: 'node_filesystem_avail_bytes',
    type: 'gauge',
    help: 'Filesystem space available to non-root users in bytes.',
    labelNames: filesystemLabels,
    unit: 'bytes',
  }),
  files: defineMetric({ name: 'node_filesystem_files', type: 'gauge', help: 'Filesystem total file nodes.', labelNames: filesystemLabels }),
  filesFree: defineMetric({ name: 'node_filesystem_files_free', type: 'gauge', help: 'Filesystem total free file nodes.', labelNames: filesystemLabels }),
  readonly: defineMetric({ name: 'node_filesystem_readonly', type: 'gauge', help: 'Filesystem read-only status.', labelNames: filesystemLabels }),
  deviceError: defineMetric({
    name: 'node_filesystem_device_error',
    type: 'gauge',
    help: 'Whether an error occurred while getting statistics for the given device.',
    labelNames: filesystemLabels,
  }),
  mountInfo: defineMetric({
    name: 'node_filesystem_mount_info',
    type: 'gauge',
    help: 'Filesystem mount information.',
    labelNames: ['device', 'major', 'minor', 'mountpoint'],
  }),
} as const;

/** uname: the kernel's identity. */
export const unameMetrics = {
  info: defineMetric({
    name: 'node_uname_info',
    type: 'gauge',
    help: 'Labeled system information as provided by the uname system call.',
    labelNames: ['domainname', 'machine', 'nodename', 'release', 'sysname', 'version'],
  }),
} as const;

/** time: the clock, the time zone and the kernel's clock sources. */
export const timeMetrics = {
  seconds: defineMetric({ name: 'node_time_seconds', type: 'gauge', help: 'System time in seconds since epoch (1970).', labelNames: [], unit: 'seconds' }),
  zoneOffset: defineMetric({
    name: 'node_time_zone_offset_seconds',
    type: 'gauge',
    help: 'System time zone offset in seconds.',
    labelNames: ['time_zone'],
    unit: 'seconds',
  }),
  clocksourceAvailable: defineMetric({
    name: 'node_time_clocksource_available_info',
    type: 'gauge',
    help: "Available clocksources read from '/sys/devices/system/clocksource'.",
    labelNames: ['clocksource', 'device'],
  }),
  clocksourceCurrent: defineMetric({
    name: 'node_time_clocksource_current_info',
    type: 'gauge',
    help: "Current clocksource read from '/sys/devices/system/clocksource'.",
    labelNames: ['clocksource', 'device'],
  }),
} as const;

/** textfile: the collector's own families (the files' families are declared per collection). */
export const textfileMetrics = {
  mtime: defineMetric({
    name: 'node_textfile_mtime_seconds',
    type: 'gauge',
    help: 'Unixtime mtime of textfiles successfully read.',
    labelNames: ['file'],
    unit: 'seconds',
  }),
  scrapeError: defineMetric({
    name: 'node_textfile_scrape_error',
    type: 'gauge',
    help: '1 if there was an error opening or reading a file, 0 otherwise',
    labelNames: [],
  }),
} as const;

/** The prefix of every meminfo family: `node_memory_<Field>[_bytes]`. */
export const MEMORY_FAMILY_PREFIX = 'node_memory_';

/**
 * The family of one `/proc/meminfo` field, named as node_exporter names it (`MemTotal_bytes`,
 * `HugePages_Total`). A field ending in `_total` would be a counter; none does today.
 */
export function memoryFamily(field: string): MetricFamily {
  return defineMetric({
    name: `${MEMORY_FAMILY_PREFIX}${field}`,
    type: field.endsWith('_total') ? 'counter' : 'gauge',
    help: `Memory information field ${field}.`,
    labelNames: [],
    ...(field.endsWith('_bytes') ? { unit: 'bytes' } : {}),
  });
}

/** The prefix of every vmstat family: `node_vmstat_<field>`. */
export const VMSTAT_FAMILY_PREFIX = 'node_vmstat_';

/** The family of one `/proc/vmstat` field; untyped, as node_exporter has it (some fields are counters, some gauges). */
export function vmstatFamily(field: string): MetricFamily {
  return defineMetric({ name: `${VMSTAT_FAMILY_PREFIX}${field}`, type: 'untyped', help: `/proc/vmstat information field ${field}.`, labelNames: [] });
}

/** One counter or gauge file of an InfiniBand port and the family it feeds. */
export interface InfinibandPortFile {
  /** The directory under `ports/<port>/` that holds it. */
  readonly directory: 'counters' | 'counters_ext' | 'hw_counters';
  /** The file name, as the kernel and drivers spell it. */
  readonly file: string;
  readonly family: MetricFamily<'device' | 'port'>;
  /**
   * What the raw value is multiplied by: the `*_data*` counters count 32-bit words per lane (the
   * InfiniBand specification's PortXmitData), so 4 gives bytes, as node_exporter reports them.
   */
  readonly scale: number;
}

const infinibandFamily = (name: string, help: string, type: 'counter' | 'gauge' = 'counter'): MetricFamily<'device' | 'port'> =>
  defineMetric({
    name: `node_infiniband_${name}`,
    type,
    help,
    labelNames: ['device', 'port'],
    ...(name.includes('_bytes') ? { unit: 'bytes' } : name.endsWith('_seconds') ? { unit: 'seconds' } : {}),
  });

/** infiniband: `/sys/class/infiniband/<device>/`, identity and per-port state. */
export const infinibandMetrics = {
  info: defineMetric({
    name: 'node_infiniband_info',
    type: 'gauge',
    help: 'Non-numeric data from /sys/class/infiniband/<device>, value is always 1.',
    labelNames: ['board_id', 'device', 'firmware_version', 'hca_type'],
  }),
  stateId: infinibandFamily('state_id', 'State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)', 'gauge'),
  physicalStateId: infinibandFamily(
    'physical_state_id',
    'Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)',
    'gauge',
  ),
  rate: defineMetric({ name: 'node_infiniband_rate_bytes_per_second', type: 'gauge', help: 'Maximum signal transfer rate', labelNames: ['device', 'port'] }),
  lifespan: infinibandFamily(
    'lifespan_seconds',
    'The maximum period in ms which defines the aging of the counter reads. Two consecutive reads within this period might return the same values.',
    'gauge',
  ),
} as const;

/**
 * infiniband: the port counters node_exporter reports, by the file they come from. `counters/` is
 * the InfiniBand PortCounters set every HCA has, `counters_ext/` the 64-bit ones kernels before
 * 4.5 kept apart, `hw_counters/` the driver's own (mlx5: RoCE congestion control, retransmits).
 * HELP texts are node_exporter's.
 */
export const INFINIBAND_PORT_FILES: readonly InfinibandPortFile[] = (
  [
    ['counters_ext', 'port_multicast_rcv_packets', 'legacy_multicast_packets_received_total', 'Number of multicast packets received'],
    ['counters_ext', 'port_multicast_xmit_packets', 'legacy_multicast_packets_transmitted_total', 'Number of multicast packets transmitted'],
    ['counters_ext', 'port_rcv_data_64', 'legacy_data_received_bytes_total', 'Number of data octets received on all links', 4],
    ['counters_ext', 'port_rcv_packets_64', 'legacy_packets_received_total', 'Number of data packets received on all links'],
    ['counters_ext', 'port_unicast_rcv_packets', 'legacy_unicast_packets_received_total', 'Number of unicast packets received'],
    ['counters_ext', 'port_unicast_xmit_packets', 'legacy_unicast_packets_transmitted_total', 'Number of unicast packets transmitted'],
    ['counters_ext', 'port_xmit_data_64', 'legacy_data_transmitted_bytes_total', 'Number of data octets transmitted on all links', 4],
    ['counters_ext', 'port_xmit_packets_64', 'legacy_packets_transmitted_total', 'Number of data packets received on all links'],
    ['counters', 'excessive_buffer_overrun_errors', 'excessive_buffer_overrun_errors_total', 'Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error.'],
    ['counters', 'link_downed', 'link_downed_total', 'Number of times the link failed to recover from an error state and went down'],
    ['counters', 'link_error_recovery', 'link_error_recovery_total', 'Number of times the link successfully recovered from an error state'],
    ['counters', 'local_link_integrity_errors', 'local_link_integrity_errors_total', 'Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors.'],
    ['counters', 'multicast_rcv_packets', 'multicast_packets_received_total', 'Number of multicast packets received (including errors)'],
    ['counters', 'multicast_xmit_packets', 'multicast_packets_transmitted_total', 'Number of multicast packets transmitted (including errors)'],
    ['counters', 'port_rcv_constraint_errors', 'port_constraint_errors_received_total', 'Number of packets received on the switch physical port that are discarded'],
    ['counters', 'port_xmit_constraint_errors', 'port_constraint_errors_transmitted_total', 'Number of packets not transmitted from the switch physical port'],
    ['counters', 'port_rcv_data', 'port_data_received_bytes_total', 'Number of data octets received on all links', 4],
    ['counters', 'port_xmit_data', 'port_data_transmitted_bytes_total', 'Number of data octets transmitted on all links', 4],
    ['counters', 'port_rcv_discards', 'port_discards_received_total', 'Number of inbound packets discarded by the port because the port is down or congested'],
    ['counters', 'port_xmit_discards', 'port_discards_transmitted_total', 'Number of outbound packets discarded by the port because the port is down or congested'],
    ['counters', 'port_rcv_errors', 'port_errors_received_total', 'Number of packets containing an error that were received on this port'],
    ['counters', 'port_rcv_packets', 'port_packets_received_total', 'Number of packets received on all VLs by this port (including errors)'],
    ['counters', 'port_xmit_packets', 'port_packets_transmitted_total', 'Number of packets transmitted on all VLs from this port (including errors)'],
    ['counters', 'port_xmit_wait', 'port_transmit_wait_total', 'Number of ticks during which the port had data to transmit but no data was sent during the entire tick'],
    ['counters', 'unicast_rcv_packets', 'unicast_packets_received_total', 'Number of unicast packets received (including errors)'],
    ['counters', 'unicast_xmit_packets', 'unicast_packets_transmitted_total', 'Number of unicast packets transmitted (including errors)'],
    ['counters', 'port_rcv_remote_physical_errors', 'port_receive_remote_physical_errors_total', 'Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port.'],
    ['counters', 'port_rcv_switch_relay_errors', 'port_receive_switch_relay_errors_total', 'Number of packets that could not be forwarded by the switch.'],
    ['counters', 'symbol_error', 'symbol_error_total', 'Number of minor link errors detected on one or more physical lanes.'],
    ['counters', 'VL15_dropped', 'vl15_dropped_total', 'Number of incoming VL15 packets dropped due to resource limitations.'],
    ['hw_counters', 'duplicate_request', 'duplicate_requests_packets_total', 'The number of received packets. A duplicate request is a request that had been previously executed.'],
    ['hw_counters', 'implied_nak_seq_err', 'implied_nak_seq_errors_total', 'The number of time the requested decided an ACK. with a PSN larger than the expected PSN for an RDMA read or response.'],
    ['hw_counters', 'local_ack_timeout_err', 'local_ack_timeout_errors_total', "The number of times QP's ack timer expired for RC, XRC, DCT QPs at the sender side. The QP retry limit was not exceed, therefore it is still recoverable error."],
    ['hw_counters', 'np_cnp_sent', 'np_cnp_packets_sent_total', 'The number of CNP packets sent by the Notification Point when it noticed congestion experienced in the RoCEv2 IP header (ECN bits). The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'np_ecn_marked_roce_packets', 'np_ecn_marked_roce_packets_received_total', "The number of RoCEv2 packets received by the notification point which were marked for experiencing the congestion (ECN bits where '11' on the ingress RoCE traffic) . The counters was added in MLNX_OFED 4.1"],
    ['hw_counters', 'out_of_buffer', 'out_of_buffer_drops_total', 'The number of drops occurred due to lack of WQE for the associated QPs.'],
    ['hw_counters', 'out_of_sequence', 'out_of_sequence_packets_received_total', 'The number of out of sequence packets received.'],
    ['hw_counters', 'packet_seq_err', 'packet_sequence_errors_total', 'The number of received NAK sequence error packets. The QP retry limit was not exceeded.'],
    ['hw_counters', 'req_cqe_error', 'req_cqes_errors_total', 'The number of times requester detected CQEs completed with errors. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'req_cqe_flush_error', 'req_cqes_flush_errors_total', 'The number of times requester detected CQEs completed with flushed errors. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'req_remote_access_errors', 'req_remote_access_errors_total', 'The number of times requester detected remote access errors. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'req_remote_invalid_request', 'req_remote_invalid_request_errors_total', 'The number of times requester detected remote invalid request errors. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'resp_cqe_error', 'resp_cqes_errors_total', 'The number of times responder detected CQEs completed with errors. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'resp_cqe_flush_error', 'resp_cqes_flush_errors_total', 'The number of times responder detected CQEs completed with flushed errors. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'resp_local_length_error', 'resp_local_length_errors_total', 'The number of times responder detected local length errors. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'resp_remote_access_errors', 'resp_remote_access_errors_total', 'The number of times responder detected remote access errors. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'rnr_nak_retry_err', 'rnr_nak_retry_packets_received_total', 'The number of received RNR NAK packets. The QP retry limit was not exceeded.'],
    ['hw_counters', 'roce_adp_retrans', 'roce_adp_retransmits_total', 'The number of adaptive retransmissions for RoCE traffic. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0'],
    ['hw_counters', 'roce_adp_retrans_to', 'roce_adp_retransmits_timeout_total', 'The number of times RoCE traffic reached timeout due to adaptive retransmission. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0'],
    ['hw_counters', 'roce_slow_restart', 'roce_slow_restart_used_total', 'The number of times RoCE slow restart was used. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0'],
    ['hw_counters', 'roce_slow_restart_cnps', 'roce_slow_restart_cnps_total', 'The number of times RoCE slow restart generated CNP packets. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0'],
    ['hw_counters', 'roce_slow_restart_trans', 'roce_slow_restart_total', 'The number of times RoCE slow restart changed state to slow restart. The counter was added in MLNX_OFED rev 5.0-1.0.0.0 and kernel v5.6.0'],
    ['hw_counters', 'rp_cnp_handled', 'rp_cnp_packets_handled_total', 'The number of CNP packets handled by the Reaction Point HCA to throttle the transmission rate. The counters was added in MLNX_OFED 4.1'],
    ['hw_counters', 'rp_cnp_ignored', 'rp_cnp_ignored_packets_received_total', 'The number of CNP packets received and ignored by the Reaction Point HCA. This counter should not raise if RoCE Congestion Control was enabled in the network. If this counter raise, verify that ECN was enabled on the adapter.'],
    ['hw_counters', 'rx_atomic_requests', 'rx_atomic_requests_total', 'The number of received ATOMIC request for the associated QPs.'],
    ['hw_counters', 'rx_dct_connect', 'rx_dct_connect_requests_total', 'The number of received connection requests for the associated DCTs.'],
    ['hw_counters', 'rx_read_requests', 'rx_read_requests_total', 'The number of received READ requests for the associated QPs.'],
    ['hw_counters', 'rx_write_requests', 'rx_write_requests_total', 'The number of received WRITE requests for the associated QPs.'],
    ['hw_counters', 'rx_icrc_encapsulated', 'rx_icrc_encapsulated_errors_total', 'The number of RoCE packets with ICRC errors. This counter was added in MLNX_OFED 4.4 and kernel 4.19'],
  ] as const satisfies readonly (readonly [InfinibandPortFile['directory'], string, string, string, number?])[]
).map(([directory, file, name, help, scale]) => ({ directory, file, family: infinibandFamily(name, help), scale: scale ?? 1 }));

/** hwmon: the families whose names do not depend on the chip's files (the rest are built by `hwmonFamily`). */
export const hwmonMetrics = {
  chipNames: defineMetric({ name: 'node_hwmon_chip_names', type: 'gauge', help: 'Annotation metric for human-readable chip names', labelNames: ['chip', 'chip_name'] }),
  sensorLabel: defineMetric({ name: 'node_hwmon_sensor_label', type: 'gauge', help: 'Label for given chip and sensor', labelNames: ['chip', 'label', 'sensor'] }),
  beepEnabled: defineMetric({ name: 'node_hwmon_beep_enabled', type: 'gauge', help: 'Hardware beep enabled', labelNames: ['chip', 'sensor'] }),
  voltageRegulatorVersion: defineMetric({ name: 'node_hwmon_voltage_regulator_version', type: 'gauge', help: 'Hardware voltage regulator', labelNames: ['chip', 'sensor'] }),
  updateInterval: defineMetric({
    name: 'node_hwmon_update_interval_seconds',
    type: 'gauge',
    help: 'Hardware monitor update interval',
    labelNames: ['chip', 'sensor'],
    unit: 'seconds',
  }),
} as const;

/**
 * The family of one kind of hwmon reading (`node_hwmon_temp_celsius`, `node_hwmon_fan_min_rpm`,
 * `node_hwmon_pwm_enable` …): its name is built from the attribute files a chip has, as
 * node_exporter builds it, so these are declared when a chip first shows them.
 */
export function hwmonFamily(reading: { readonly name: string; readonly help: string; readonly type: 'gauge' | 'counter'; readonly unit?: string }): MetricFamily<'chip' | 'sensor'> {
  return defineMetric({ name: reading.name, type: reading.type, help: reading.help, labelNames: ['chip', 'sensor'], ...(reading.unit === undefined ? {} : { unit: reading.unit }) });
}

const pressureCounter = (name: string, help: string): MetricFamily =>
  defineMetric({ name: `node_pressure_${name}_seconds_total`, type: 'counter', help, labelNames: [], unit: 'seconds' });

/** pressure: `/proc/pressure/*`, the stall totals. */
export const pressureMetrics = {
  cpuWaiting: pressureCounter('cpu_waiting', 'Total time in seconds that processes have waited for CPU time'),
  ioWaiting: pressureCounter('io_waiting', 'Total time in seconds that processes have waited due to IO congestion'),
  ioStalled: pressureCounter('io_stalled', 'Total time in seconds no process could make progress due to IO congestion'),
  memoryWaiting: pressureCounter('memory_waiting', 'Total time in seconds that processes have waited for memory'),
  memoryStalled: pressureCounter('memory_stalled', 'Total time in seconds no process could make progress due to memory congestion'),
  irqStalled: pressureCounter('irq_stalled', 'Total time in seconds no process could make progress due to IRQ congestion'),
} as const;

/** nfs: `/proc/net/rpc/nfs`, this machine as an NFS client. */
export const nfsMetrics = {
  packets: defineMetric({ name: 'node_nfs_packets_total', type: 'counter', help: 'Total NFSd network packets (sent+received) by protocol type.', labelNames: ['protocol'] }),
  connections: defineMetric({ name: 'node_nfs_connections_total', type: 'counter', help: 'Total number of NFSd TCP connections.', labelNames: [] }),
  rpcs: defineMetric({ name: 'node_nfs_rpcs_total', type: 'counter', help: 'Total number of RPCs performed.', labelNames: [] }),
  retransmissions: defineMetric({ name: 'node_nfs_rpc_retransmissions_total', type: 'counter', help: 'Number of RPC transmissions performed.', labelNames: [] }),
  authenticationRefreshes: defineMetric({
    name: 'node_nfs_rpc_authentication_refreshes_total',
    type: 'counter',
    help: 'Number of RPC authentication refreshes performed.',
    labelNames: [],
  }),
  requests: defineMetric({ name: 'node_nfs_requests_total', type: 'counter', help: 'Number of NFS procedures invoked.', labelNames: ['method', 'proto'] }),
} as const;

const nfsdCounter = (name: string, help: string): MetricFamily => defineMetric({ name: `node_nfsd_${name}`, type: 'counter', help, labelNames: [] });

/** nfsd: `/proc/net/rpc/nfsd`, this machine as an NFS server. */
export const nfsdMetrics = {
  replyCacheHits: nfsdCounter('reply_cache_hits_total', 'Total number of NFSd Reply Cache hits (client lost server response).'),
  replyCacheMisses: nfsdCounter('reply_cache_misses_total', 'Total number of NFSd Reply Cache an operation that requires caching (idempotent).'),
  replyCacheNocache: nfsdCounter('reply_cache_nocache_total', 'Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).'),
  staleFileHandles: nfsdCounter('file_handles_stale_total', 'Total number of NFSd stale file handles'),
  bytesRead: nfsdCounter('disk_bytes_read_total', 'Total NFSd bytes read.'),
  bytesWritten: nfsdCounter('disk_bytes_written_total', 'Total NFSd bytes written.'),
  serverThreads: defineMetric({ name: 'node_nfsd_server_threads', type: 'gauge', help: 'Total number of NFSd kernel threads that are running.', labelNames: [] }),
  readAheadCacheSize: defineMetric({ name: 'node_nfsd_read_ahead_cache_size_blocks', type: 'gauge', help: 'How large the read ahead cache is in blocks.', labelNames: [] }),
  readAheadCacheNotFound: nfsdCounter('read_ahead_cache_not_found_total', 'Total number of NFSd read ahead cache not found.'),
  packets: defineMetric({ name: 'node_nfsd_packets_total', type: 'counter', help: 'Total NFSd network packets (sent+received) by protocol type.', labelNames: ['proto'] }),
  connections: nfsdCounter('connections_total', 'Total number of NFSd TCP connections.'),
  rpcErrors: defineMetric({ name: 'node_nfsd_rpc_errors_total', type: 'counter', help: 'Total number of NFSd RPC errors by error type.', labelNames: ['error'] }),
  serverRpcs: nfsdCounter('server_rpcs_total', 'Total number of NFSd RPCs.'),
  requests: defineMetric({ name: 'node_nfsd_requests_total', type: 'counter', help: 'Total number NFSd Requests by method and protocol.', labelNames: ['method', 'proto'] }),
} as const;

/** edac: `<sysfs>/devices/system/edac/mc/`, memory errors per controller, chip-select row and channel. */
export const edacMetrics = {
  correctable: defineMetric({ name: 'node_edac_correctable_errors_total', type: 'counter', help: 'Total correctable memory errors.', labelNames: ['controller'] }),
  uncorrectable: defineMetric({ name: 'node_edac_uncorrectable_errors_total', type: 'counter', help: 'Total uncorrectable memory errors.', labelNames: ['controller'] }),
  csrowCorrectable: defineMetric({
    name: 'node_edac_csrow_correctable_errors_total',
    type: 'counter',
    help: 'Total correctable memory errors for this csrow.',
    labelNames: ['controller', 'csrow'],
  }),
  csrowUncorrectable: defineMetric({
    name: 'node_edac_csrow_uncorrectable_errors_total',
    type: 'counter',
    help: 'Total uncorrectable memory errors for this csrow.',
    labelNames: ['controller', 'csrow'],
  }),
  channelCorrectable: defineMetric({
    name: 'node_edac_channel_correctable_errors_total',
    type: 'counter',
    help: 'Total correctable memory errors for this channel.',
    labelNames: ['channel', 'controller', 'csrow', 'dimm_label'],
  }),
  channelUncorrectable: defineMetric({
    name: 'node_edac_channel_uncorrectable_errors_total',
    type: 'counter',
    help: 'Total uncorrectable memory errors for this channel.',
    labelNames: ['channel', 'controller', 'csrow', 'dimm_label'],
  }),
} as const;

const nvmeNamespaceGauge = (name: string, help: string): MetricFamily<'device' | 'nsid'> =>
  defineMetric({ name: `node_nvme_namespace_${name}`, type: 'gauge', help, labelNames: ['device', 'nsid'], unit: 'bytes' });

/** nvme: `<sysfs>/class/nvme/<controller>/` and its namespaces. */
export const nvmeMetrics = {
  info: defineMetric({
    name: 'node_nvme_info',
    type: 'gauge',
    help: 'Non-numeric data from /sys/class/nvme/<device>, value is always 1.',
    labelNames: ['cntlid', 'device', 'firmware_revision', 'model', 'serial', 'state'],
  }),
  namespaceInfo: defineMetric({ name: 'node_nvme_namespace_info', type: 'gauge', help: 'Information about NVMe namespaces. Value is always 1', labelNames: ['ana_state', 'device', 'nsid'] }),
  namespaceCapacity: nvmeNamespaceGauge('capacity_bytes', 'Capacity of the NVMe namespace in bytes. Computed as namespace_size * namespace_logical_block_size'),
  namespaceSize: nvmeNamespaceGauge('size_bytes', 'Size of the NVMe namespace in bytes. Available in /sys/class/nvme/<device>/<namespace>/size'),
  namespaceUsed: nvmeNamespaceGauge('used_bytes', 'Used space of the NVMe namespace in bytes. Available in /sys/class/nvme/<device>/<namespace>/nuse'),
  namespaceLogicalBlockSize: nvmeNamespaceGauge(
    'logical_block_size_bytes',
    'Logical block size of the NVMe namespace in bytes. Usually 4Kb. Available in /sys/class/nvme/<device>/<namespace>/queue/logical_block_size',
  ),
} as const;

const netclassProperty = (name: string, type: 'gauge' | 'counter' = 'gauge'): MetricFamily<'device'> =>
  defineMetric({ name: `node_network_${name}`, type, help: `Network device property: ${name}`, labelNames: ['device'] });

/** netclass: `<sysfs>/class/net/<iface>/`, link state and properties. */
export const netclassMetrics = {
  up: defineMetric({ name: 'node_network_up', type: 'gauge', help: "Value is 1 if operstate is 'up', 0 otherwise.", labelNames: ['device'] }),
  info: defineMetric({
    name: 'node_network_info',
    type: 'gauge',
    help: 'Non-numeric data from /sys/class/net/<iface>, value is always 1.',
    labelNames: ['address', 'adminstate', 'broadcast', 'device', 'duplex', 'ifalias', 'operstate'],
  }),
  speed: netclassProperty('speed_bytes'),
} as const;

/** netclass: the numeric attributes reported as they are, by file, in node_exporter's order. */
export const NET_CLASS_ATTRIBUTES: readonly { readonly file: string; readonly family: MetricFamily<'device'> }[] = (
  [
    ['addr_assign_type', 'address_assign_type'],
    ['carrier', 'carrier'],
    ['carrier_changes', 'carrier_changes_total', 'counter'],
    ['carrier_up_count', 'carrier_up_changes_total', 'counter'],
    ['carrier_down_count', 'carrier_down_changes_total', 'counter'],
    ['dev_id', 'device_id'],
    ['dormant', 'dormant'],
    ['flags', 'flags'],
    ['ifindex', 'iface_id'],
    ['iflink', 'iface_link'],
    ['link_mode', 'iface_link_mode'],
    ['mtu', 'mtu_bytes'],
    ['name_assign_type', 'name_assign_type'],
    ['netdev_group', 'net_dev_group'],
    ['tx_queue_len', 'transmit_queue_length'],
    ['type', 'protocol_type'],
  ] as const satisfies readonly (readonly [string, string, ('gauge' | 'counter')?])[]
).map(([file, name, type]) => ({ file, family: netclassProperty(name, type) }));

/** The prefix of every netstat family: `node_netstat_<Protocol>_<Name>`. */
export const NETSTAT_FAMILY_PREFIX = 'node_netstat_';

/**
 * The family of one protocol statistic, `TcpExt_ListenOverflows` (protocol, `_`, the kernel's
 * name); untyped, as node_exporter has it (counters and gauges such as `Tcp_CurrEstab` mix).
 */
export function netstatFamily(key: string): MetricFamily {
  const separator = key.indexOf('_');
  return defineMetric({
    name: `${NETSTAT_FAMILY_PREFIX}${key}`,
    type: 'untyped',
    help: `Statistic ${key.slice(0, separator)}${key.slice(separator + 1)}.`,
    labelNames: [],
  });
}

/** sockstat: the one family whose name does not come from the file (the rest are built by `sockstatFamily`). */
export const sockstatMetrics = {
  socketsUsed: defineMetric({ name: 'node_sockstat_sockets_used', type: 'gauge', help: 'Number of IPv4 sockets in use.', labelNames: [] }),
} as const;

/** The family of one sockstat count, `TCP_inuse` (protocol, `_`, count), as node_exporter names it. */
export function sockstatFamily(key: string): MetricFamily {
  const separator = key.indexOf('_');
  return defineMetric({
    name: `node_sockstat_${key}`,
    type: 'gauge',
    help: `Number of ${key.slice(0, separator)} sockets in state ${key.slice(separator + 1)}.`,
    labelNames: [],
    ...(key.endsWith('_bytes') ? { unit: 'bytes' } : {}),
  });
}

const conntrackGauge = (name: string, help: string): MetricFamily => defineMetric({ name: `node_nf_conntrack_${name}`, type: 'gauge', help, labelNames: [] });

/** conntrack: the netfilter connection tracking table and its statistics. */
export const conntrackMetrics = {
  entries: conntrackGauge('entries', 'Number of currently allocated flow entries for connection tracking.'),
  limit: conntrackGauge('entries_limit', 'Maximum size of connection tracking table.'),
  found: conntrackGauge('stat_found', 'Number of searched entries which were successful.'),
  invalid: conntrackGauge('stat_invalid', 'Number of packets seen which can not be tracked.'),
  ignore: conntrackGauge('stat_ignore', 'Number of packets seen which are already connected to a conntrack entry.'),
  insert: conntrackGauge('stat_insert', 'Number of entries inserted into the list.'),
  insertFailed: conntrackGauge('stat_insert_failed', 'Number of entries for which list insertion was attempted but failed.'),
  drop: conntrackGauge('stat_drop', 'Number of packets dropped due to conntrack failure.'),
  earlyDrop: conntrackGauge('stat_early_drop', 'Number of dropped conntrack entries to make room for new ones, if maximum table size was reached.'),
  searchRestart: conntrackGauge('stat_search_restart', 'Number of conntrack table lookups which had to be restarted due to hashtable resizes.'),
} as const;

const timexFamily = (name: string, help: string, type: 'gauge' | 'counter' = 'gauge', unit?: string): MetricFamily =>
  defineMetric({ name: `node_timex_${name}`, type, help, labelNames: [], ...(unit === undefined ? {} : { unit }) });

/** timex: the kernel's clock discipline, from adjtimex(2). */
export const timexMetrics = {
  syncStatus: timexFamily('sync_status', 'Is clock synchronized to a reliable server (1 = yes, 0 = no).'),
  offset: timexFamily('offset_seconds', 'Time offset in between local system and reference clock.', 'gauge', 'seconds'),
  freq: timexFamily('frequency_adjustment_ratio', 'Local clock frequency adjustment.', 'gauge', 'ratio'),
  maxerror: timexFamily('maxerror_seconds', 'Maximum error in seconds.', 'gauge', 'seconds'),
  esterror: timexFamily('estimated_error_seconds', 'Estimated error in seconds.', 'gauge', 'seconds'),
  status: timexFamily('status', 'Value of the status array bits.'),
  constant: timexFamily('loop_time_constant', 'Phase-locked loop time constant.'),
  tick: timexFamily('tick_seconds', 'Seconds between clock ticks.', 'gauge', 'seconds'),
  ppsfreq: timexFamily('pps_frequency_hertz', 'Pulse per second frequency.', 'gauge', 'hertz'),
  jitter: timexFamily('pps_jitter_seconds', 'Pulse per second jitter.', 'gauge', 'seconds'),
  shift: timexFamily('pps_shift_seconds', 'Pulse per second interval duration.', 'gauge', 'seconds'),
  stabil: timexFamily('pps_stability_hertz', 'Pulse per second stability, average of recent frequency changes.', 'gauge', 'hertz'),
  jitcnt: timexFamily('pps_jitter_total', 'Pulse per second count of jitter limit exceeded events.', 'counter'),
  calcnt: timexFamily('pps_calibration_total', 'Pulse per second count of calibration intervals.', 'counter'),
  errcnt: timexFamily('pps_error_total', 'Pulse per second count of calibration errors.', 'counter'),
  stbcnt: timexFamily('pps_stability_exceeded_total', 'Pulse per second count of stability limit exceeded events.', 'counter'),
  tai: timexFamily('tai_offset_seconds', 'International Atomic Time (TAI) offset.', 'gauge', 'seconds'),
} as const;

/** rapl: the family of `enableZoneLabel` (otherwise one family per zone, built by `raplZoneFamily`). */
export const raplMetrics = {
  joules: defineMetric({ name: 'node_rapl_joules_total', type: 'counter', help: 'Current RAPL value in joules', labelNames: ['index', 'path', 'rapl_zone'], unit: 'joules' }),
} as const;

/** The family of one kind of RAPL zone (`package`, `dram`), named after it as node_exporter does. */
export function raplZoneFamily(zone: string): MetricFamily<'index' | 'path'> {
  return defineMetric({
    name: `node_rapl_${zone.replace(/[^a-zA-Z0-9_]/g, '_')}_joules_total`,
    type: 'counter',
    help: `Current RAPL ${zone} value in joules`,
    labelNames: ['index', 'path'],
    unit: 'joules',
  });
}

/** thermal_zone: `<sysfs>/class/thermal/`, zones and cooling devices. */
export const thermalMetrics = {
  zoneTemp: defineMetric({ name: 'node_thermal_zone_temp', type: 'gauge', help: 'Zone temperature in Celsius', labelNames: ['type', 'zone'] }),
  coolingCurState: defineMetric({ name: 'node_cooling_device_cur_state', type: 'gauge', help: 'Current throttle state of the cooling device', labelNames: ['name', 'type'] }),
  coolingMaxState: defineMetric({ name: 'node_cooling_device_max_state', type: 'gauge', help: 'Maximum throttle state of the cooling device', labelNames: ['name', 'type'] }),
} as const;

const cpufreqGauge = (name: string, help: string): MetricFamily<'cpu'> =>
  defineMetric({ name: `node_cpu_${name}_hertz`, type: 'gauge', help, labelNames: ['cpu'], unit: 'hertz' });

/** cpufreq: `<sysfs>/devices/system/cpu/cpu<n>/cpufreq/`. */
export const cpufreqMetrics = {
  frequency: cpufreqGauge('frequency', 'Current CPU thread frequency in hertz.'),
  frequencyAverage: cpufreqGauge('frequency_avg', 'Average CPU thread frequency in hertz.'),
  frequencyMin: cpufreqGauge('frequency_min', 'Minimum CPU thread frequency in hertz.'),
  frequencyMax: cpufreqGauge('frequency_max', 'Maximum CPU thread frequency in hertz.'),
  scalingFrequency: cpufreqGauge('scaling_frequency', 'Current scaled CPU thread frequency in hertz.'),
  scalingFrequencyMin: cpufreqGauge('scaling_frequency_min', 'Minimum scaled CPU thread frequency in hertz.'),
  scalingFrequencyMax: cpufreqGauge('scaling_frequency_max', 'Maximum scaled CPU thread frequency in hertz.'),
  scalingGovernor: defineMetric({ name: 'node_cpu_scaling_governor', type: 'gauge', help: 'Current enabled CPU frequency governor.', labelNames: ['cpu', 'governor'] }),
} as const;

const plainGauge = (name: string, help: string, labelNames: readonly string[] = []): MetricFamily => defineMetric({ name, type: 'gauge', help, labelNames });

/** arp: `/proc/net/arp`. */
export const arpMetrics = {
  entries: defineMetric({ name: 'node_arp_entries', type: 'gauge', help: 'ARP entries by device', labelNames: ['device'] }),
} as const;

/** entropy: `/proc/sys/kernel/random/`. */
export const entropyMetrics = {
  available: plainGauge('node_entropy_available_bits', 'Bits of available entropy.'),
  poolSize: plainGauge('node_entropy_pool_size_bits', 'Bits of entropy pool.'),
} as const;

/** filefd: `/proc/sys/fs/file-nr`. */
export const filefdMetrics = {
  allocated: plainGauge('node_filefd_allocated', 'File descriptor statistics: allocated.'),
  maximum: plainGauge('node_filefd_maximum', 'File descriptor statistics: maximum.'),
} as const;

const softnetCounter = (name: string, help: string): MetricFamily<'cpu'> => defineMetric({ name: `node_softnet_${name}`, type: 'counter', help, labelNames: ['cpu'] });

/** softnet: `/proc/net/softnet_stat`. */
export const softnetMetrics = {
  processed: softnetCounter('processed_total', 'Number of processed packets'),
  dropped: softnetCounter('dropped_total', 'Number of dropped packets'),
  timesSqueezed: softnetCounter('times_squeezed_total', 'Number of times processing packets ran out of quota'),
  cpuCollision: softnetCounter('cpu_collision_total', 'Number of collision occur while obtaining device lock while transmitting'),
  receivedRps: softnetCounter('received_rps_total', 'Number of times cpu woken up received_rps'),
  flowLimitCount: softnetCounter('flow_limit_count_total', 'Number of times flow limit has been reached'),
  backlogLength: defineMetric({ name: 'node_softnet_backlog_len', type: 'gauge', help: 'Softnet backlog status', labelNames: ['cpu'] }),
} as const;

/** udp_queues: `/proc/net/udp` and `udp6`. */
export const udpQueuesMetrics = {
  queues: defineMetric({
    name: 'node_udp_queues',
    type: 'gauge',
    help: 'Number of allocated memory in the kernel for UDP datagrams in bytes.',
    labelNames: ['ip', 'queue'],
  }),
} as const;

/** os: `<rootfs>/etc/os-release`. */
export const osMetrics = {
  info: defineMetric({
    name: 'node_os_info',
    type: 'gauge',
    help: "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
    labelNames: ['build_id', 'id', 'id_like', 'image_id', 'image_version', 'name', 'pretty_name', 'variant', 'variant_id', 'version', 'version_codename', 'version_id'],
  }),
  version: defineMetric({ name: 'node_os_version', type: 'gauge', help: 'Metric containing the major.minor part of the OS version.', labelNames: ['id', 'id_like', 'name'] }),
  supportEnd: defineMetric({
    name: 'node_os_support_end_timestamp_seconds',
    type: 'gauge',
    help: 'Metric containing the end-of-life date timestamp of the OS.',
    labelNames: [],
    unit: 'seconds',
  }),
} as const;

/** selinux: selinuxfs and `/etc/selinux/config`. */
export const selinuxMetrics = {
  enabled: plainGauge('node_selinux_enabled', 'SELinux is enabled, 1 is true, 0 is false'),
  configMode: plainGauge('node_selinux_config_mode', 'Configured SELinux enforcement mode'),
  currentMode: plainGauge('node_selinux_current_mode', 'Current SELinux enforcement mode'),
} as const;

/** bonding: `<sysfs>/class/net/bonding_masters` and each master's slaves. */
export const bondingMetrics = {
  slaves: defineMetric({ name: 'node_bonding_slaves', type: 'gauge', help: 'Number of configured slaves per bonding interface.', labelNames: ['master'] }),
  active: defineMetric({ name: 'node_bonding_active', type: 'gauge', help: 'Number of active slaves per bonding interface.', labelNames: ['master'] }),
} as const;

/** zfs: the one family whose name does not come from a kstat (the rest are built by `zfsFamily`). */
export const zfsMetrics = {
  poolState: defineMetric({ name: 'node_zfs_zpool_state', type: 'gauge', help: 'kstat.zfs.misc.state', labelNames: ['state', 'zpool'] }),
} as const;

/** The family of one ZFS kstat, untyped with the kstat's path as HELP, as node_exporter has it. */
export function zfsFamily(name: string, help: string, labelNames: readonly string[]): MetricFamily {
  return defineMetric({ name, type: 'untyped', help, labelNames });
}

const schedstatCounter = (name: string, help: string, unit?: string): MetricFamily<'cpu'> =>
  defineMetric({ name: `node_schedstat_${name}`, type: 'counter', help, labelNames: ['cpu'], ...(unit === undefined ? {} : { unit }) });

/** schedstat: `/proc/schedstat`. */
export const schedstatMetrics = {
  running: schedstatCounter('running_seconds_total', 'Number of seconds CPU spent running a process.', 'seconds'),
  waiting: schedstatCounter('waiting_seconds_total', 'Number of seconds spent by processing waiting for this CPU.', 'seconds'),
  timeslices: schedstatCounter('timeslices_total', 'Number of timeslices executed by CPU.'),
} as const;

/**
 * The family of `node_dmi_info`: its labels are the DMI fields the machine has and the user may
 * read, so it is built when they are read (once, at creation).
 */
export function dmiInfoFamily(labelNames: readonly string[]): MetricFamily {
  return defineMetric({
    name: 'node_dmi_info',
    type: 'gauge',
    help: "A metric with a constant '1' value labeled by bios_date, bios_release, bios_vendor, bios_version, board_asset_tag, board_name, board_serial, board_vendor, board_version, chassis_asset_tag, chassis_serial, chassis_vendor, chassis_version, product_family, product_name, product_serial, product_sku, product_uuid, product_version, system_vendor if provided by DMI.",
    labelNames,
  });
}

/** A gauge or counter of node_exporter's with the given labels, unit when it has one. */
function family<const TLabel extends string>(
  name: string,
  help: string,
  labelNames: readonly TLabel[],
  type: 'gauge' | 'counter' = 'gauge',
  unit?: string,
): MetricFamily<TLabel> {
  return defineMetric({ name, type, help, labelNames, ...(unit === undefined ? {} : { unit }) });
}

/** bcache: `<sysfs>/fs/bcache/<uuid>/`, per cache set, its backing devices (`bdev<n>`) and cache devices (`cache<n>`). */
export const bcacheMetrics = {
  averageKeySize: family('node_bcache_average_key_size_sectors', 'Average data per key in the btree (sectors).', ['uuid']),
  btreeCacheSize: family('node_bcache_btree_cache_size_bytes', 'Amount of memory currently used by the btree cache.', ['uuid'], 'gauge', 'bytes'),
  cacheAvailablePercent: family(
    'node_bcache_cache_available_percent',
    'Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).',
    ['uuid'],
  ),
  congested: family('node_bcache_congested', 'Congestion.', ['uuid']),
  rootUsagePercent: family('node_bcache_root_usage_percent', 'Percentage of the root btree node in use (tree depth increases if too high).', ['uuid']),
  treeDepth: family('node_bcache_tree_depth', 'Depth of the btree.', ['uuid']),
  activeJournalEntries: family('node_bcache_active_journal_entries', 'Number of journal entries that are newer than the index.', ['uuid']),
  btreeNodes: family('node_bcache_btree_nodes', 'Total nodes in the btree.', ['uuid']),
  btreeReadAverageDuration: family('node_bcache_btree_read_average_duration_seconds', 'Average btree read duration.', ['uuid'], 'gauge', 'seconds'),
  cacheReadRaces: family(
    'node_bcache_cache_read_races_total',
    'Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed.',
    ['uuid'],
    'counter',
  ),
  dirtyData: family('node_bcache_dirty_data_bytes', 'Amount of dirty data for this backing device in the cache.', ['backing_device', 'uuid'], 'gauge', 'bytes'),
  dirtyTarget: family('node_bcache_dirty_target_bytes', 'Current dirty data target threshold for this backing device in bytes.', ['backing_device', 'uuid'], 'gauge', 'bytes'),
  writebackRate: family('node_bcache_writeback_rate', 'Current writeback rate for this backing device in bytes.', ['backing_device', 'uuid']),
  writebackRateProportional: family('node_bcache_writeback_rate_proportional_term', 'Current result of proportional controller, part of writeback rate', ['backing_device', 'uuid']),
  writebackRateIntegral: family('node_bcache_writeback_rate_integral_term', 'Current result of integral controller, part of writeback rate', ['backing_device', 'uuid']),
  writebackChange: family('node_bcache_writeback_change', 'Last writeback rate change step for this backing device.', ['backing_device', 'uuid']),
  bypassed: family('node_bcache_bypassed_bytes_total', 'Amount of IO (both reads and writes) that has bypassed the cache.', ['backing_device', 'uuid'], 'counter', 'bytes'),
  cacheHits: family('node_bcache_cache_hits_total', 'Hits counted per individual IO as bcache sees them.', ['backing_device', 'uuid'], 'counter'),
  cacheMisses: family('node_bcache_cache_misses_total', 'Misses counted per individual IO as bcache sees them.', ['backing_device', 'uuid'], 'counter'),
  cacheBypassHits: family('node_bcache_cache_bypass_hits_total', 'Hits for IO intended to skip the cache.', ['backing_device', 'uuid'], 'counter'),
  cacheBypassMisses: family('node_bcache_cache_bypass_misses_total', 'Misses for IO intended to skip the cache.', ['backing_device', 'uuid'], 'counter'),
  cacheMissCollisions: family(
    'node_bcache_cache_miss_collisions_total',
    'Instances where data insertion from cache miss raced with write (data already present).',
    ['backing_device', 'uuid'],
    'counter',
  ),
  cacheReadaheads: family('node_bcache_cache_readaheads_total', 'Count of times readahead occurred.', ['backing_device', 'uuid'], 'counter'),
  ioErrors: family('node_bcache_io_errors', 'Number of errors that have occurred, decayed by io_error_halflife.', ['cache_device', 'uuid']),
  metadataWritten: family(
    'node_bcache_metadata_written_bytes_total',
    'Sum of all non data writes (btree writes and all other metadata).',
    ['cache_device', 'uuid'],
    'counter',
    'bytes',
  ),
  written: family('node_bcache_written_bytes_total', 'Sum of all data that has been written to the cache.', ['cache_device', 'uuid'], 'counter', 'bytes'),
  priorityUnusedPercent: family('node_bcache_priority_stats_unused_percent', "The percentage of the cache that doesn't contain any data.", ['cache_device', 'uuid']),
  priorityMetadataPercent: family('node_bcache_priority_stats_metadata_percent', "Bcache's metadata overhead.", ['cache_device', 'uuid']),
} as const;

const btrfsLayoutLabels = ['block_group_type', 'mode', 'uuid'] as const;

/** btrfs: `<sysfs>/fs/btrfs/<uuid>/`, per mounted filesystem. */
export const btrfsMetrics = {
  info: family('node_btrfs_info', 'Filesystem information', ['label', 'uuid']),
  globalReserve: family('node_btrfs_global_rsv_size_bytes', 'Size of global reserve.', ['uuid'], 'gauge', 'bytes'),
  commits: family('node_btrfs_commits_total', 'The total number of commits that have occurred.', ['uuid'], 'counter'),
  lastCommit: family('node_btrfs_last_commit_seconds', 'Duration of the most recent commit, in seconds.', ['uuid'], 'gauge', 'seconds'),
  maxCommit: family('node_btrfs_max_commit_seconds', 'Duration of the slowest commit, in seconds.', ['uuid'], 'gauge', 'seconds'),
  commitSeconds: family('node_btrfs_commit_seconds_total', 'Sum of the duration of all commits, in seconds.', ['uuid'], 'counter', 'seconds'),
  reserved: family('node_btrfs_reserved_bytes', 'Amount of space reserved for a data type', ['block_group_type', 'uuid'], 'gauge', 'bytes'),
  used: family('node_btrfs_used_bytes', 'Amount of used space by a layout/data type', btrfsLayoutLabels, 'gauge', 'bytes'),
  size: family('node_btrfs_size_bytes', 'Amount of space allocated for a layout/data type', btrfsLayoutLabels, 'gauge', 'bytes'),
  allocationRatio: family('node_btrfs_allocation_ratio', 'Data allocation ratio for a layout/data type', btrfsLayoutLabels, 'gauge', 'ratio'),
  deviceSize: family('node_btrfs_device_size_bytes', 'Size of a device that is part of the filesystem.', ['device', 'uuid'], 'gauge', 'bytes'),
} as const;

/** fibrechannel: `node_fibrechannel_info`, one per host adapter port under `<sysfs>/class/fc_host/`. */
export const fibrechannelMetrics = {
  info: family('node_fibrechannel_info', 'Non-numeric data from /sys/class/fc_host/<host>, value is always 1.', [
    'dev_loss_tmo',
    'fabric_name',
    'fc_host',
    'port_id',
    'port_name',
    'port_state',
    'port_type',
    'speed',
    'supported_classes',
    'supported_speeds',
    'symbolic_name',
  ]),
} as const;

/** fibrechannel: the counters of `<sysfs>/class/fc_host/<host>/statistics/`, by file. */
export const FIBRECHANNEL_COUNTERS: readonly { readonly file: string; readonly family: MetricFamily<'fc_host'> }[] = (
  [
    ['dumped_frames', 'dumped_frames_total', 'Number of dumped frames'],
    ['error_frames', 'error_frames_total', 'Number of errors in frames'],
    ['invalid_crc_count', 'invalid_crc_total', 'Invalid Cyclic Redundancy Check count'],
    ['rx_frames', 'rx_frames_total', 'Number of frames received'],
    ['rx_words', 'rx_words_total', 'Number of words received by host port'],
    ['tx_frames', 'tx_frames_total', 'Number of frames transmitted by host port'],
    ['tx_words', 'tx_words_total', 'Number of words transmitted by host port'],
    ['seconds_since_last_reset', 'seconds_since_last_reset_total', 'Number of seconds since last host port reset'],
    ['invalid_tx_word_count', 'invalid_tx_words_total', 'Number of invalid words transmitted by host port'],
    ['link_failure_count', 'link_failure_total', 'Number of times the host port link has failed'],
    ['loss_of_sync_count', 'loss_of_sync_total', 'Number of failures on either bit or transmission word boundaries'],
    ['loss_of_signal_count', 'loss_of_signal_total', 'Number of times signal has been lost'],
    ['nos_count', 'nos_total', 'Number Not_Operational Primitive Sequence received by host port'],
    ['fcp_packet_aborts', 'fcp_packet_aborts_total', 'Number of aborted packets'],
  ] as const
).map(([file, name, help]) => ({ file, family: family(`node_fibrechannel_${name}`, help, ['fc_host'], 'counter') }));

/** ipvs: `<procfs>/net/ip_vs_stats`, the totals of the IP Virtual Server. */
export const ipvsMetrics = {
  connections: family('node_ipvs_connections_total', 'The total number of connections made.', [], 'counter'),
  incomingPackets: family('node_ipvs_incoming_packets_total', 'The total number of incoming packets.', [], 'counter'),
  outgoingPackets: family('node_ipvs_outgoing_packets_total', 'The total number of outgoing packets.', [], 'counter'),
  incomingBytes: family('node_ipvs_incoming_bytes_total', 'The total amount of incoming data.', [], 'counter', 'bytes'),
  outgoingBytes: family('node_ipvs_outgoing_bytes_total', 'The total amount of outgoing data.', [], 'counter', 'bytes'),
} as const;

/** The per-backend families of ipvs (`<procfs>/net/ip_vs`), whose labels the config chooses. */
export interface IpvsBackendFamilies {
  readonly active: MetricFamily;
  readonly inactive: MetricFamily;
  readonly weight: MetricFamily;
}

/** Builds the per-backend families of ipvs with `labelNames` (any of `IPVS_BACKEND_LABELS`), in the alphabetical order node_exporter prints them. */
export function ipvsBackendFamilies(labelNames: readonly string[]): IpvsBackendFamilies {
  const labels = [...labelNames].sort();
  return {
    active: family('node_ipvs_backend_connections_active', 'The current active connections by local and remote address.', labels),
    inactive: family('node_ipvs_backend_connections_inactive', 'The current inactive connections by local and remote address.', labels),
    weight: family('node_ipvs_backend_weight', 'The current backend weight by local and remote address.', labels),
  };
}

/** mdadm: `<procfs>/mdstat` and `<sysfs>/block/md<n>/md/`, per software RAID array. */
export const mdadmMetrics = {
  state: family('node_md_state', 'Indicates the state of md-device.', ['device', 'state']),
  disks: family('node_md_disks', 'Number of active/failed/spare disks of device.', ['device', 'state']),
  disksRequired: family('node_md_disks_required', 'Total number of disks of device.', ['device']),
  blocks: family('node_md_blocks', 'Total number of blocks on device.', ['device']),
  blocksSynced: family('node_md_blocks_synced', 'Number of blocks synced on device.', ['device']),
  raidDisks: family('node_md_raid_disks', 'Number of raid disks on device.', ['device']),
  degraded: family('node_md_degraded', 'Number of degraded disks on device.', ['device']),
} as const;

/** One numeric attribute of `<sysfs>/class/power_supply/<power_supply>/`, its family and the divisor to its unit. */
export interface PowerSupplyAttribute {
  readonly file: string;
  readonly family: MetricFamily<'power_supply'>;
  readonly divisor: number;
}

/**
 * powersupplyclass: the numeric attributes node_exporter reports, by file. The kernel gives
 * currents, voltages, charges, energies and power in micro-units (µA, µV, µAh, µWh, µW) and
 * temperatures in tenths of a degree (Documentation/ABI/testing/sysfs-class-power).
 */
export const POWER_SUPPLY_ATTRIBUTES: readonly PowerSupplyAttribute[] = (
  [
    ['authentic', 'authentic', 1],
    ['calibrate', 'calibrate', 1],
    ['capacity', 'capacity', 1],
    ['capacity_alert_max', 'capacity_alert_max', 1],
    ['capacity_alert_min', 'capacity_alert_min', 1],
    ['cycle_count', 'cyclecount', 1],
    ['online', 'online', 1],
    ['present', 'present', 1],
    ['time_to_empty_now', 'time_to_empty_seconds', 1],
    ['time_to_full_now', 'time_to_full_seconds', 1],
    ['current_boot', 'current_boot', 1e6],
    ['current_max', 'current_max', 1e6],
    ['current_now', 'current_ampere', 1e6],
    ['energy_empty', 'energy_empty', 1e6],
    ['energy_empty_design', 'energy_empty_design', 1e6],
    ['energy_full', 'energy_full', 1e6],
    ['energy_full_design', 'energy_full_design', 1e6],
    ['energy_now', 'energy_watthour', 1e6],
    ['voltage_boot', 'voltage_boot', 1e6],
    ['voltage_max', 'voltage_max', 1e6],
    ['voltage_max_design', 'voltage_max_design', 1e6],
    ['voltage_min', 'voltage_min', 1e6],
    ['voltage_min_design', 'voltage_min_design', 1e6],
    ['voltage_now', 'voltage_volt', 1e6],
    ['voltage_ocv', 'voltage_ocv', 1e6],
    ['charge_control_limit', 'charge_control_limit', 1e6],
    ['charge_control_limit_max', 'charge_control_limit_max', 1e6],
    ['charge_counter', 'charge_counter', 1e6],
    ['charge_empty', 'charge_empty', 1e6],
    ['charge_empty_design', 'charge_empty_design', 1e6],
    ['charge_full', 'charge_full', 1e6],
    ['charge_full_design', 'charge_full_design', 1e6],
    ['charge_now', 'charge_ampere', 1e6],
    ['charge_term_current', 'charge_term_current', 1e6],
    ['constant_charge_current', 'constant_charge_current', 1e6],
    ['constant_charge_current_max', 'constant_charge_current_max', 1e6],
    ['constant_charge_voltage', 'constant_charge_voltage', 1e6],
    ['constant_charge_voltage_max', 'constant_charge_voltage_max', 1e6],
    ['precharge_current', 'precharge_current', 1e6],
    ['input_current_limit', 'input_current_limit', 1e6],
    ['power_now', 'power_watt', 1e6],
    ['temp', 'temp_celsius', 10],
    ['temp_alert_max', 'temp_alert_max_celsius', 10],
    ['temp_alert_min', 'temp_alert_min_celsius', 10],
    ['temp_ambient', 'temp_ambient_celsius', 10],
    ['temp_ambient_max', 'temp_ambient_max_celsius', 10],
    ['temp_ambient_min', 'temp_ambient_min_celsius', 10],
    ['temp_max', 'temp_max_celsius', 10],
    ['temp_min', 'temp_min_celsius', 10],
  ] as const
).map(([file, name, divisor]) => ({
  file,
  family: family(`node_power_supply_${name}`, `${name} value of /sys/class/power_supply/<power_supply>.`, ['power_supply']),
  divisor,
}));

/** powersupplyclass: the text attributes that label `node_power_supply_info`, by file (the label is the file's name). */
export const POWER_SUPPLY_INFO_FILES = [
  'capacity_level',
  'charge_type',
  'health',
  'manufacturer',
  'model_name',
  'scope',
  'serial_number',
  'status',
  'technology',
  'type',
  'usb_type',
] as const;

/** powersupplyclass: `node_power_supply_info`; like node_exporter, a text attribute the supply does not have is left out of its series. */
export const powerSupplyMetrics = {
  info: defineMetric({
    name: 'node_power_supply_info',
    type: 'gauge',
    help: 'info of /sys/class/power_supply/<power_supply>.',
    labelNames: ['power_supply', ...POWER_SUPPLY_INFO_FILES].sort(),
    optionalLabels: [...POWER_SUPPLY_INFO_FILES],
  }),
} as const;

/** tapestats: `<sysfs>/class/scsi_tape/st<n>/stats/`, per SCSI tape drive (Documentation/scsi/st.rst). */
export const tapeMetrics = {
  ioNow: family('node_tape_io_now', 'The number of I/Os currently outstanding to this device.', ['device']),
  ioTime: family(
    'node_tape_io_time_seconds_total',
    'The amount of time spent waiting for all I/O to complete (including read and write). This includes tape movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on close tape devices are used.',
    ['device'],
    'counter',
    'seconds',
  ),
  ioOthers: family(
    'node_tape_io_others_total',
    'The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete these commands uses the following calculation io_time_seconds_total-read_time_seconds_total-write_time_seconds_total',
    ['device'],
    'counter',
  ),
  readBytes: family('node_tape_read_bytes_total', 'The number of bytes read from the tape drive.', ['device'], 'counter', 'bytes'),
  readsCompleted: family('node_tape_reads_completed_total', 'The number of read requests issued to the tape drive.', ['device'], 'counter'),
  readTime: family('node_tape_read_time_seconds_total', 'The amount of time spent waiting for read requests to complete.', ['device'], 'counter', 'seconds'),
  residual: family(
    'node_tape_residual_total',
    'The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape.',
    ['device'],
    'counter',
  ),
  writtenBytes: family('node_tape_written_bytes_total', 'The number of bytes written to the tape drive.', ['device'], 'counter', 'bytes'),
  writesCompleted: family('node_tape_writes_completed_total', 'The number of write requests issued to the tape drive.', ['device'], 'counter'),
  writeTime: family('node_tape_write_time_seconds_total', 'The amount of time spent waiting for write requests to complete.', ['device'], 'counter', 'seconds'),
} as const;

/** One counter of an XFS statistics line (`<sysfs>/fs/xfs/<device>/stats/stats`): the line's name, the value's position on it, and its family. */
export interface XfsCounter {
  readonly line: string;
  readonly index: number;
  readonly family: MetricFamily<'device'>;
}

/**
 * xfs: the counters node_exporter reports, by line and position (the lines and their fields are
 * those of the kernel's fs/xfs/xfs_stats.h; node_exporter's names follow the XFS wiki's Runtime_Stats).
 */
export const XFS_COUNTERS: readonly XfsCounter[] = (
  [
    ['extent_alloc', 0, 'extent_allocation_extents_allocated_total', 'Number of extents allocated for a filesystem.'],
    ['extent_alloc', 1, 'extent_allocation_blocks_allocated_total', 'Number of blocks allocated for a filesystem.'],
    ['extent_alloc', 2, 'extent_allocation_extents_freed_total', 'Number of extents freed for a filesystem.'],
    ['extent_alloc', 3, 'extent_allocation_blocks_freed_total', 'Number of blocks freed for a filesystem.'],
    ['abt', 0, 'allocation_btree_lookups_total', 'Number of allocation B-tree lookups for a filesystem.'],
    ['abt', 1, 'allocation_btree_compares_total', 'Number of allocation B-tree compares for a filesystem.'],
    ['abt', 2, 'allocation_btree_records_inserted_total', 'Number of allocation B-tree records inserted for a filesystem.'],
    ['abt', 3, 'allocation_btree_records_deleted_total', 'Number of allocation B-tree records deleted for a filesystem.'],
    ['blk_map', 0, 'block_mapping_reads_total', 'Number of block map for read operations for a filesystem.'],
    ['blk_map', 1, 'block_mapping_writes_total', 'Number of block map for write operations for a filesystem.'],
    ['blk_map', 2, 'block_mapping_unmaps_total', 'Number of block unmaps (deletes) for a filesystem.'],
    ['blk_map', 3, 'block_mapping_extent_list_insertions_total', 'Number of extent list insertions for a filesystem.'],
    ['blk_map', 4, 'block_mapping_extent_list_deletions_total', 'Number of extent list deletions for a filesystem.'],
    ['blk_map', 5, 'block_mapping_extent_list_lookups_total', 'Number of extent list lookups for a filesystem.'],
    ['blk_map', 6, 'block_mapping_extent_list_compares_total', 'Number of extent list compares for a filesystem.'],
    ['bmbt', 0, 'block_map_btree_lookups_total', 'Number of block map B-tree lookups for a filesystem.'],
    ['bmbt', 1, 'block_map_btree_compares_total', 'Number of block map B-tree compares for a filesystem.'],
    ['bmbt', 2, 'block_map_btree_records_inserted_total', 'Number of block map B-tree records inserted for a filesystem.'],
    ['bmbt', 3, 'block_map_btree_records_deleted_total', 'Number of block map B-tree records deleted for a filesystem.'],
    ['dir', 0, 'directory_operation_lookup_total', 'Number of file name directory lookups which miss the operating systems directory name lookup cache.'],
    ['dir', 1, 'directory_operation_create_total', 'Number of times a new directory entry was created for a filesystem.'],
    ['dir', 2, 'directory_operation_remove_total', 'Number of times an existing directory entry was created for a filesystem.'],
    ['dir', 3, 'directory_operation_getdents_total', 'Number of times the directory getdents operation was performed for a filesystem.'],
    ['ig', 0, 'inode_operation_attempts_total', 'Number of times the OS looked for an XFS inode in the inode cache.'],
    ['ig', 1, 'inode_operation_found_total', 'Number of times the OS looked for and found an XFS inode in the inode cache.'],
    ['ig', 2, 'inode_operation_recycled_total', 'Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled.'],
    ['ig', 3, 'inode_operation_missed_total', 'Number of times the OS looked for an XFS inode in the cache, but did not find it.'],
    [
      'ig',
      4,
      'inode_operation_duplicates_total',
      'Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process.',
    ],
    ['ig', 5, 'inode_operation_reclaims_total', 'Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose.'],
    ['ig', 6, 'inode_operation_attribute_changes_total', 'Number of times the OS explicitly changed the attributes of an XFS inode.'],
    ['rw', 1, 'read_calls_total', 'Number of read(2) system calls made to files in a filesystem.'],
    ['rw', 0, 'write_calls_total', 'Number of write(2) system calls made to files in a filesystem.'],
    ['vnodes', 0, 'vnode_active_total', 'Number of vnodes not on free lists for a filesystem.'],
    ['vnodes', 1, 'vnode_allocate_total', 'Number of times vn_alloc called for a filesystem.'],
    ['vnodes', 2, 'vnode_get_total', 'Number of times vn_get called for a filesystem.'],
    ['vnodes', 3, 'vnode_hold_total', 'Number of times vn_hold called for a filesystem.'],
    ['vnodes', 4, 'vnode_release_total', 'Number of times vn_rele called for a filesystem.'],
    ['vnodes', 5, 'vnode_reclaim_total', 'Number of times vn_reclaim called for a filesystem.'],
    ['vnodes', 6, 'vnode_remove_total', 'Number of times vn_remove called for a filesystem.'],
  ] as const
).map(([line, index, name, help]) => ({ line, index, family: family(`node_xfs_${name}`, help, ['device'], 'counter') }));

/** Every family declared up front, grouped by sub-collector (the self-metrics under `scrape`). */
export const FAMILIES_BY_SUB_COLLECTOR = {
  scrape: Object.values(scrapeMetrics),
  cpu: Object.values(cpuMetrics),
  meminfo: [],
  loadavg: Object.values(loadMetrics),
  diskstats: [...diskColumns.map((column) => column.family), ...Object.values(diskInfoMetrics)],
  netdev: netDeviceMetrics,
  filesystem: Object.values(filesystemMetrics),
  uname: Object.values(unameMetrics),
  time: Object.values(timeMetrics),
  stat: Object.values(statMetrics),
  vmstat: [],
  textfile: Object.values(textfileMetrics),
  infiniband: [...Object.values(infinibandMetrics), ...INFINIBAND_PORT_FILES.map((entry) => entry.family)],
  hwmon: Object.values(hwmonMetrics),
  pressure: Object.values(pressureMetrics),
  nfs: Object.values(nfsMetrics),
  nfsd: Object.values(nfsdMetrics),
  edac: Object.values(edacMetrics),
  nvme: Object.values(nvmeMetrics),
  netclass: [...Object.values(netclassMetrics), ...NET_CLASS_ATTRIBUTES.map((attribute) => attribute.family)],
  netstat: [],
  sockstat: Object.values(sockstatMetrics),
  conntrack: Object.values(conntrackMetrics),
  timex: Object.values(timexMetrics),
  rapl: Object.values(raplMetrics),
  thermal_zone: Object.values(thermalMetrics),
  cpufreq: Object.values(cpufreqMetrics),
  arp: Object.values(arpMetrics),
  entropy: Object.values(entropyMetrics),
  filefd: Object.values(filefdMetrics),
  os: Object.values(osMetrics),
  selinux: Object.values(selinuxMetrics),
  softnet: Object.values(softnetMetrics),
  udp_queues: Object.values(udpQueuesMetrics),
  bonding: Object.values(bondingMetrics),
  zfs: Object.values(zfsMetrics),
  schedstat: Object.values(schedstatMetrics),
  dmi: [],
  bcache: Object.values(bcacheMetrics),
  btrfs: Object.values(btrfsMetrics),
  fibrechannel: [...Object.values(fibrechannelMetrics), ...FIBRECHANNEL_COUNTERS.map((counter) => counter.family)],
  ipvs: Object.values(ipvsMetrics),
  mdadm: Object.values(mdadmMetrics),
  powersupplyclass: [...POWER_SUPPLY_ATTRIBUTES.map((attribute) => attribute.family), ...Object.values(powerSupplyMetrics)],
  tapestats: Object.values(tapeMetrics),
  xfs: XFS_COUNTERS.map((counter) => counter.family),
} as const satisfies Record<string, readonly MetricFamily[]>;

/** The plugin's `metrics`: every family declared up front. */
export const NODE_METRICS: readonly MetricFamily[] = Object.values(FAMILIES_BY_SUB_COLLECTOR).flat();
