import type { LabelsOf, MetricFamily } from '@tessera/collector-api';
import { integerLabel, numberField, objectField, stringField } from '../api-fields.js';
import { arrayMetrics } from '../metrics.js';
import type { CollectionPart } from '../parts.js';
import { emitFields, emitPerformance, S3_LATENCY_DIMENSIONS, S3_THROUGHPUT_DIMENSIONS, SPACE_FIELDS } from './emit.js';

/** The protocols of `arrays/performance`, as the `protocol` label spells them (the API's own values). */
const PROTOCOLS = ['all', 'HTTP', 'SMB', 'NFS', 'S3'] as const;

/** The array-level space reports, one per `type`. */
const SPACE_TYPES = ['array', 'file-system', 'object-store'] as const;

const HTTP_LATENCY_DIMENSIONS = ['usec_per_other_op', 'usec_per_read_dir_op', 'usec_per_read_file_op', 'usec_per_write_dir_op', 'usec_per_write_file_op'];
const HTTP_THROUGHPUT_DIMENSIONS = ['others_per_sec', 'read_dirs_per_sec', 'read_files_per_sec', 'write_dirs_per_sec', 'write_files_per_sec'];

const NFS_OPERATIONS = ['access', 'create', 'fsinfo', 'fsstat', 'getattr', 'link', 'lookup', 'mkdir', 'pathconf', 'read', 'readdir', 'readdirplus', 'readlink', 'remove', 'rename', 'rmdir', 'setattr', 'symlink', 'write'];
const NFS_OPERATIONS_PLURAL = ['accesses', 'creates', 'fsinfos', 'fsstats', 'getattrs', 'links', 'lookups', 'mkdirs', 'pathconfs', 'reads', 'readdirs', 'readdirpluses', 'readlinks', 'removes', 'renames', 'rmdirs', 'setattrs', 'symlinks', 'writes'];
const NFS_AGGREGATES = ['file_metadata_create', 'file_metadata_modify', 'file_metadata_read', 'other', 'share_metadata_read'];
const NFS_AGGREGATES_PLURAL = ['file_metadata_creates', 'file_metadata_modifies', 'file_metadata_reads', 'other', 'share_metadata_reads'];
const NFS_LATENCY_DIMENSIONS = [...NFS_AGGREGATES.map((name) => `aggregate_usec_per_${name}_op`), ...NFS_OPERATIONS.map((name) => `usec_per_${name}_op`)];
const NFS_THROUGHPUT_DIMENSIONS = [...NFS_AGGREGATES_PLURAL.map((name) => `aggregate_${name}_per_sec`), ...NFS_OPERATIONS_PLURAL.map((name) => `${name}_per_sec`)];

const CONNECTOR_PACKET_DIMENSIONS = ['received_packets_per_sec', 'transmitted_packets_per_sec'];
const CONNECTOR_BYTE_DIMENSIONS = ['received_bytes_per_sec', 'transmitted_bytes_per_sec'];
const CONNECTOR_ERROR_DIMENSIONS = [
  'other_errors_per_sec',
  'received_crc_errors_per_sec',
  'received_frame_errors_per_sec',
  'transmitted_carrier_errors_per_sec',
  'transmitted_dropped_errors_per_sec',
  'total_errors_per_sec',
];

/** `purefb_hardware_health` values: 1 healthy, 2 unused, 0 anything else. */
function healthValue(status: string): number {
  if (status === 'healthy') return 1;
  if (status === 'unused') return 2;
  return 0;
}

/** Alert texts as label values: newlines become spaces, as the exporter prints them. */
const oneLine = (text: string): string => text.replaceAll('\n', ' ');

/** A family and the sample fields it reports as `dimension`. */
type FamilyFields = readonly [MetricFamily<'dimension'>, readonly string[]];

/** A protocol-specific sample of the whole array (S3, HTTP, NFS): its latencies and its operation rates. */
function specificPerformance(name: string, path: string, latency: FamilyFields, throughput: FamilyFields): CollectionPart {
  return {
    name,
    async collect(scope, sink, signal) {
      const sample = await scope.client.first(path, {}, signal);
      for (const [family, fields] of [latency, throughput]) emitFields(sink, family, {}, 'dimension', sample, fields);
    },
  };
}

/** The `array` group: the parts of `/metrics/array`, one per endpoint (set), so one failing endpoint costs only its series. */
export const arrayParts: readonly CollectionPart[] = [
  {
    name: 'array-performance',
    async collect(scope, sink, signal) {
      const samples = await Promise.all(PROTOCOLS.map((protocol) => scope.client.first('/arrays/performance', { protocol }, signal)));
      for (const [index, protocol] of PROTOCOLS.entries()) {
        const sample = samples[index];
        if (sample !== undefined) emitPerformance(sink, arrayMetrics.performance, { protocol }, sample);
      }
    },
  },
  specificPerformance('array-s3-performance', '/arrays/s3-specific-performance', [arrayMetrics.s3Latency, S3_LATENCY_DIMENSIONS], [arrayMetrics.s3Throughput, S3_THROUGHPUT_DIMENSIONS]),
  specificPerformance('array-http-performance', '/arrays/http-specific-performance', [arrayMetrics.httpLatency, HTTP_LATENCY_DIMENSIONS], [arrayMetrics.httpThroughput, HTTP_THROUGHPUT_DIMENSIONS]),
  specificPerformance('array-nfs-performance', '/arrays/nfs-specific-performance', [arrayMetrics.nfsLatency, NFS_LATENCY_DIMENSIONS], [arrayMetrics.nfsThroughput, NFS_THROUGHPUT_DIMENSIONS]),
  {
    name: 'array-replication',
    async collect(scope, sink, signal) {
      // Object (bucket) replication, the API's `continuous` record. pure-fb-openmetrics-exporter
      // misspells it and always reports 0 (its issue #129).
      const sample = await scope.client.first('/arrays/performance/replication', {}, signal);
      emitFields(sink, arrayMetrics.replication, {}, 'dimension', objectField(sample, 'continuous'), ['transmitted_bytes_per_sec', 'received_bytes_per_sec']);
    },
  },
  {
    name: 'array-space',
    async collect(scope, sink, signal) {
      const reports = await Promise.all(SPACE_TYPES.map((type) => scope.client.first('/arrays/space', { type }, signal)));
      for (const [index, type] of SPACE_TYPES.entries()) {
        const report = reports[index];
        if (report === undefined) continue;
        const space = objectField(report, 'space');
        const dataReduction = numberField(space, 'data_reduction');
        if (dataReduction !== undefined) sink.add(arrayMetrics.spaceDataReduction, { type }, dataReduction);
        emitFields(sink, arrayMetrics.spaceBytes, { type }, 'space', space, SPACE_FIELDS);
        const parity = numberField(report, 'parity');
        if (parity !== undefined) sink.add(arrayMetrics.spaceParity, { type }, parity);
        const capacity = numberField(report, 'capacity');
        if (capacity === undefined) continue;
        sink.add(arrayMetrics.spaceBytes, { space: 'capacity', type }, capacity);
        // Derived for the whole array only, and only from a reported physical usage (a null one
        // made the exporter crash) over a non-zero capacity.
        const used = numberField(space, 'total_physical');
        if (type !== 'array' || used === undefined || capacity <= 0) continue;
        sink.add(arrayMetrics.spaceBytes, { space: 'empty', type }, capacity - used);
        sink.add(arrayMetrics.spaceUtilization, { type }, (used / capacity) * 100);
      }
    },
  },
  {
    name: 'alerts',
    async collect(scope, sink, signal) {
      const alerts = await scope.client.list('/alerts', { filter: "state='open'" }, signal);
      // One series per distinct label set, counting the open alerts that share it.
      const counts = new Map<string, { labels: LabelsOf<typeof arrayMetrics.alertsOpen>; count: number }>();
      for (const alert of alerts) {
        if (alert.state !== undefined && alert.state !== 'open') continue;
        const labels: LabelsOf<typeof arrayMetrics.alertsOpen> = {
          action: oneLine(stringField(alert, 'action')),
          code: integerLabel(alert, 'code'),
          component_name: stringField(alert, 'component_name'),
          component_type: stringField(alert, 'component_type'),
          created: integerLabel(alert, 'created'),
          kburl: stringField(alert, 'knowledge_base_url'),
          severity: stringField(alert, 'severity'),
          summary: oneLine(stringField(alert, 'summary')),
        };
        const key = JSON.stringify(labels);
        const entry = counts.get(key);
        if (entry === undefined) counts.set(key, { labels, count: 1 });
        else entry.count++;
      }
      for (const { labels, count } of counts.values()) sink.add(arrayMetrics.alertsOpen, labels, count);
    },
  },
  {
    name: 'hardware',
    async collect(scope, sink, signal) {
      for (const component of await scope.client.list('/hardware', {}, signal)) {
        const status = stringField(component, 'status');
        if (status === 'not_installed') continue;
        sink.add(
          arrayMetrics.hardwareHealth,
          { index: integerLabel(component, 'index'), name: stringField(component, 'name'), slot: integerLabel(component, 'slot'), type: stringField(component, 'type') },
          healthValue(status),
        );
      }
    },
  },
  {
    name: 'hardware-connectors',
    async collect(scope, sink, signal) {
      for (const connector of await scope.client.list('/hardware-connectors/performance', {}, signal, { paging: 'offset' })) {
        const labels = { name: stringField(connector, 'name') };
        emitFields(sink, arrayMetrics.connectorThroughput, labels, 'dimension', connector, CONNECTOR_PACKET_DIMENSIONS);
        emitFields(sink, arrayMetrics.connectorBandwidth, labels, 'dimension', connector, CONNECTOR_BYTE_DIMENSIONS);
        emitFields(sink, arrayMetrics.connectorErrors, labels, 'dimension', connector, CONNECTOR_ERROR_DIMENSIONS);
      }
    },
  },
];
