import { defineMetric, type MetricFamily } from '@tessera/collector-api';

/*
 * The metric table: every family the FlashBlade collector emits, the single source of truth for
 * the plugin's `metrics`, the group mappers and the README's metrics table (a test checks the
 * README against it, another checks the pure-fb-openmetrics-exporter families against the
 * exporter's v1.1.4 list). Names, types, HELP texts and label names are that exporter's, so
 * dashboards and alerts written for it keep working; values are the API's, unconverted
 * (latencies in microseconds). Label names are declared in alphabetical order because the Go
 * client that exporter uses prints them so, which keeps the two outputs comparable line by line.
 */

/** `purefb_info`: emitted by every collection, whatever the groups. */
export const infoMetrics = {
  info: defineMetric({ name: 'purefb_info', type: 'gauge', help: 'FlashBlade system information', labelNames: ['array_name', 'os', 'system_id', 'version'] }),
} as const;

/** The families fed by a performance sample's common fields, for one kind of object. */
export interface PerformanceFamilies<TLabel extends string> {
  readonly latency: MetricFamily<TLabel | 'dimension'>;
  readonly throughput: MetricFamily<TLabel | 'dimension'>;
  readonly bandwidth: MetricFamily<TLabel | 'dimension'>;
  readonly averageSize: MetricFamily<TLabel | 'dimension'>;
}

/** The HELP texts of a set of performance families. */
type PerformanceHelp = Readonly<Record<keyof PerformanceFamilies<string>, string>>;

/** The four families of a performance sample: `<prefix>_latency_usec`, `_throughput_iops`, `_bandwidth_bytes`, `_average_bytes`. */
function performanceFamilies<const TLabel extends string>(prefix: string, labelNames: readonly TLabel[], help: PerformanceHelp): PerformanceFamilies<TLabel> {
  const family = (suffix: string, text: string) => defineMetric<TLabel | 'dimension'>({ name: `${prefix}_${suffix}`, type: 'gauge', help: text, labelNames: [...labelNames, 'dimension'].sort() as (TLabel | 'dimension')[] });
  return {
    latency: family('latency_usec', help.latency),
    throughput: family('throughput_iops', help.throughput),
    bandwidth: family('bandwidth_bytes', help.bandwidth),
    averageSize: family('average_bytes', help.averageSize),
  };
}

/** The `array` group: array-wide performance, space, alerts and hardware. */
export const arrayMetrics = {
  alertsOpen: defineMetric({
    name: 'purefb_alerts_open',
    type: 'gauge',
    help: 'FlashBlade open alert events',
    labelNames: ['action', 'code', 'component_name', 'component_type', 'created', 'kburl', 'severity', 'summary'],
  }),
  performance: performanceFamilies('purefb_array_performance', ['protocol'], {
    latency: 'FlashBlade array latency',
    throughput: 'FlashBlade array throughput',
    bandwidth: 'FlashBlade array throughput',
    averageSize: 'FlashBlade array average operations size',
  }),
  s3Latency: defineMetric({ name: 'purefb_array_s3_performance_latency_usec', type: 'gauge', help: 'FlashBlade array latency', labelNames: ['dimension'] }),
  s3Throughput: defineMetric({ name: 'purefb_array_s3_performance_throughput_iops', type: 'gauge', help: 'FlashBlade array throughput', labelNames: ['dimension'] }),
  httpLatency: defineMetric({ name: 'purefb_array_http_specific_performance_latency_usec', type: 'gauge', help: 'FlashBlade array HTTP specific latency', labelNames: ['dimension'] }),
  httpThroughput: defineMetric({ name: 'purefb_array_http_specific_performance_throughput_iops', type: 'gauge', help: 'FlashBlade array HTTP specific throughput', labelNames: ['dimension'] }),
  nfsLatency: defineMetric({ name: 'purefb_array_nfs_specific_performance_latency_usec', type: 'gauge', help: 'FlashBlade array NFS specific latency', labelNames: ['dimension'] }),
  nfsThroughput: defineMetric({ name: 'purefb_array_nfs_specific_performance_throughput_iops', type: 'gauge', help: 'FlashBlade array NFS specific throughput', labelNames: ['dimension'] }),
  replication: defineMetric({ name: 'purefb_array_performance_replication', type: 'gauge', help: 'FlashBlade array replication throughput', labelNames: ['dimension'] }),
  spaceDataReduction: defineMetric({ name: 'purefb_array_space_data_reduction_ratio', type: 'gauge', help: 'FlashBlade space data reduction', labelNames: ['type'] }),
  spaceBytes: defineMetric({ name: 'purefb_array_space_bytes', type: 'gauge', help: 'FlashBlade space in bytes', labelNames: ['space', 'type'] }),
  spaceParity: defineMetric({ name: 'purefb_array_space_parity', type: 'gauge', help: 'FlashBlade space parity', labelNames: ['type'] }),
  spaceUtilization: defineMetric({ name: 'purefb_array_space_utilization', type: 'gauge', help: 'FlashBlade array space utilization in percent', labelNames: ['type'] }),
  hardwareHealth: defineMetric({ name: 'purefb_hardware_health', type: 'gauge', help: 'FlashBlade hardware component health status', labelNames: ['index', 'name', 'slot', 'type'] }),
  connectorThroughput: defineMetric({
    name: 'purefb_hardware_connectors_performance_throughput_pkts',
    type: 'gauge',
    help: 'FlashBlade hardware connectors performance throughput',
    labelNames: ['dimension', 'name'],
  }),
  connectorBandwidth: defineMetric({
    name: 'purefb_hardware_connectors_performance_bandwidth_bytes',
    type: 'gauge',
    help: 'FlashBlade hardware connectors performance bandwidth',
    labelNames: ['dimension', 'name'],
  }),
  connectorErrors: defineMetric({
    name: 'purefb_hardware_connectors_performance_errors',
    type: 'gauge',
    help: 'FlashBlade hardware connectors performance errors per sec',
    labelNames: ['dimension', 'name'],
  }),
} as const;

/** The `filesystems` group: per file system space and performance. */
export const fileSystemMetrics = {
  spaceDataReduction: defineMetric({
    name: 'purefb_file_systems_space_data_reduction_ratio',
    type: 'gauge',
    help: 'FlashBlade file systems space data reduction',
    labelNames: ['name', 'nfs', 'nfspolicy', 'smb'],
  }),
  spaceBytes: defineMetric({ name: 'purefb_file_systems_space_bytes', type: 'gauge', help: 'FlashBlade file systems space in bytes', labelNames: ['name', 'nfs', 'nfspolicy', 'smb', 'space'] }),
  performance: performanceFamilies('purefb_file_systems_performance', ['name'], {
    latency: 'FlashBlade file systems latency',
    throughput: 'FlashBlade file systems throughput',
    bandwidth: 'FlashBlade file systems bandwidth',
    averageSize: 'FlashBlade file systems average operations size',
  }),
  /** Not in pure-fb-openmetrics-exporter, which reads NFS only (its issue #117): SMB beside NFS, in families of their own. */
  smbPerformance: performanceFamilies('purefb_file_systems_smb_performance', ['name'], {
    latency: 'FlashBlade file systems SMB latency',
    throughput: 'FlashBlade file systems SMB throughput',
    bandwidth: 'FlashBlade file systems SMB bandwidth',
    averageSize: 'FlashBlade file systems SMB average operations size',
  }),
} as const;

/** The `objectstore` group: buckets and object store accounts. */
export const objectStoreMetrics = {
  bucketDataReduction: defineMetric({ name: 'purefb_buckets_space_data_reduction_ratio', type: 'gauge', help: 'FlashBlade buckets space data reduction', labelNames: ['account', 'name'] }),
  bucketSpaceBytes: defineMetric({ name: 'purefb_buckets_space_bytes', type: 'gauge', help: 'FlashBlade buckets space in bytes', labelNames: ['account', 'name', 'space'] }),
  bucketObjectCount: defineMetric({ name: 'purefb_buckets_object_count', type: 'gauge', help: 'FlashBlade buckets object count', labelNames: ['account', 'name'] }),
  bucketQuota: defineMetric({ name: 'purefb_buckets_quota_space_bytes', type: 'gauge', help: 'FlashBlade buckets quota space in bytes', labelNames: ['account', 'hard_limit_enabled', 'name'] }),
  bucketPerformance: performanceFamilies('purefb_buckets_performance', ['name'], {
    latency: 'FlashBlade buckets latency in microseconds',
    throughput: 'FlashBlade buckets throughput in operations per second',
    bandwidth: 'FlashBlade buckets bandwidth in bytes per second',
    averageSize: 'FlashBlade buckets average operations size in bytes',
  }),
  bucketS3Latency: defineMetric({ name: 'purefb_buckets_s3_specific_performance_latency_usec', type: 'gauge', help: 'FlashBlade buckets S3 specific latency', labelNames: ['dimension', 'name'] }),
  bucketS3Throughput: defineMetric({ name: 'purefb_buckets_s3_specific_performance_throughput_iops', type: 'gauge', help: 'FlashBlade buckets S3 specific throughput', labelNames: ['dimension', 'name'] }),
  accountDataReduction: defineMetric({ name: 'purefb_object_store_accounts_data_reduction_ratio', type: 'gauge', help: 'FlashBlade object store accounts data reduction', labelNames: ['id', 'name'] }),
  accountSpaceBytes: defineMetric({ name: 'purefb_object_store_accounts_space_bytes', type: 'gauge', help: 'FlashBlade object store accounts space in bytes', labelNames: ['id', 'name', 'space'] }),
  accountObjectCount: defineMetric({ name: 'purefb_object_store_accounts_object_count', type: 'gauge', help: 'FlashBlade object store accounts object count', labelNames: ['id', 'name'] }),
} as const;

/** The `clients` group: per NFS/SMB client performance. */
export const clientMetrics = {
  performance: performanceFamilies('purefb_clients_performance', ['name'], {
    latency: 'FlashBlade clients latency',
    throughput: 'FlashBlade clients throughput',
    bandwidth: 'FlashBlade clients bandwidth',
    averageSize: 'FlashBlade clients average operations size',
  }),
} as const;

/** The `usage` group: per file system user and group usage and quotas. */
export const usageMetrics = {
  users: defineMetric({ name: 'purefb_file_system_usage_users_bytes', type: 'gauge', help: 'FlashBlade file system users usage', labelNames: ['dimension', 'file_system', 'id', 'user_name'] }),
  groups: defineMetric({ name: 'purefb_file_system_usage_groups_bytes', type: 'gauge', help: 'FlashBlade file system groups usage', labelNames: ['dimension', 'file_system', 'group_name', 'id'] }),
} as const;

/** The `policies` group: NFS export rules, one series per rule and security flavour. */
export const policyMetrics = {
  nfsExportRule: defineMetric({
    name: 'purefb_nfs_export_rule',
    type: 'gauge',
    help: 'FlashBlade NFS export rule',
    labelNames: ['access', 'anon_gid', 'anon_uid', 'atime', 'client', 'fid32', 'index', 'permission', 'policy', 'secure', 'security'],
  }),
} as const;

/** The collector's own view of the REST API: calls, logins, the session. Never an exporter family renamed. */
export const selfMetrics = {
  requests: defineMetric({
    name: 'tessera_flashblade_requests_total',
    type: 'counter',
    help: 'REST calls made to the array, by endpoint (path without version) and outcome (HTTP status, timeout, connection or invalid-response).',
    labelNames: ['endpoint', 'outcome'],
  }),
  logins: defineMetric({ name: 'tessera_flashblade_logins_total', type: 'counter', help: 'Logins to the array with the API token (the first one, and one after each expired session).', labelNames: [] }),
  sessionAge: defineMetric({
    name: 'tessera_flashblade_session_age_seconds',
    type: 'gauge',
    help: 'Seconds since the REST session in use logged in.',
    labelNames: [],
    unit: 'seconds',
  }),
} as const;

/** Every family under its group (`info` and `self` are emitted whatever the groups), for the README table. */
export const FAMILIES_BY_GROUP = {
  info: Object.values(infoMetrics),
  array: flatten(arrayMetrics),
  filesystems: flatten(fileSystemMetrics),
  objectstore: flatten(objectStoreMetrics),
  clients: flatten(clientMetrics),
  usage: flatten(usageMetrics),
  policies: flatten(policyMetrics),
  self: Object.values(selfMetrics),
} as const satisfies Readonly<Record<string, readonly MetricFamily[]>>;

/** Every family the collector declares. */
export const FLASHBLADE_METRICS: readonly MetricFamily[] = Object.values(FAMILIES_BY_GROUP).flat();

/** The families of a table, nested performance sets included, in declaration order. */
function flatten(table: Readonly<Record<string, MetricFamily | PerformanceFamilies<string>>>): MetricFamily[] {
  return Object.values(table).flatMap((entry): MetricFamily[] => ('latency' in entry ? [entry.latency, entry.throughput, entry.bandwidth, entry.averageSize] : [entry]));
}
