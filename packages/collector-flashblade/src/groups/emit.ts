import type { LabelsOf, MetricFamily, MetricSink } from '@tessera/collector-api';
import { numberField, objectField } from '../api-fields.js';
import type { ApiItem } from '../client/flashblade-client.js';
import type { PerformanceFamilies } from '../metrics.js';

/** The fields of a performance sample each family reports, as its `dimension` label (the API's own field names). */
export const PERFORMANCE_DIMENSIONS: { readonly [TKind in keyof PerformanceFamilies<string>]: readonly string[] } = {
  latency: ['usec_per_other_op', 'usec_per_read_op', 'usec_per_write_op'],
  throughput: ['others_per_sec', 'reads_per_sec', 'writes_per_sec'],
  bandwidth: ['read_bytes_per_sec', 'write_bytes_per_sec'],
  averageSize: ['bytes_per_op', 'bytes_per_read', 'bytes_per_write'],
};

/** The S3-specific latency fields (`purefb_*_s3_*_latency_usec`). */
export const S3_LATENCY_DIMENSIONS = ['usec_per_other_op', 'usec_per_read_bucket_op', 'usec_per_read_object_op', 'usec_per_write_bucket_op', 'usec_per_write_object_op'];

/** The S3-specific operation-rate fields (`purefb_*_s3_*_throughput_iops`). */
export const S3_THROUGHPUT_DIMENSIONS = ['others_per_sec', 'read_buckets_per_sec', 'read_objects_per_sec', 'write_buckets_per_sec', 'write_objects_per_sec'];

/** The fields of a Space object reported as a `space` label value, in the exporter's order. */
export const SPACE_FIELDS = ['snapshots', 'total_physical', 'unique', 'virtual', 'total_provisioned', 'available_provisioned', 'available_ratio', 'destroyed', 'destroyed_virtual', 'shared'];

/**
 * Adds one series per field of `item` listed in `fields` that holds a number, with the field's
 * name as the value of `label` (`dimension`, `space`). Null and absent fields add nothing.
 */
export function emitFields<TFamily extends MetricFamily>(sink: MetricSink, family: TFamily, labels: Readonly<Record<string, string>>, label: string, item: ApiItem | undefined, fields: readonly string[]): void {
  for (const field of fields) {
    const value = numberField(item, field);
    if (value !== undefined) sink.add(family, { ...labels, [label]: field } as LabelsOf<TFamily>, value);
  }
}

/** The four families of a performance sample's common fields. */
export function emitPerformance<TLabel extends string>(sink: MetricSink, families: PerformanceFamilies<TLabel>, labels: Readonly<Record<TLabel, string>>, item: ApiItem): void {
  for (const kind of Object.keys(PERFORMANCE_DIMENSIONS) as (keyof PerformanceFamilies<TLabel>)[]) {
    emitFields(sink, families[kind], labels, 'dimension', item, PERFORMANCE_DIMENSIONS[kind]);
  }
}

/** The Space object of `item` as `space`-labelled series, plus its `data_reduction` into its own family. */
export function emitSpace<TSpace extends MetricFamily, TReduction extends MetricFamily>(
  sink: MetricSink,
  families: { readonly space: TSpace; readonly dataReduction: TReduction },
  labels: Readonly<Record<string, string>>,
  item: ApiItem,
): void {
  const space = objectField(item, 'space');
  const dataReduction = numberField(space, 'data_reduction');
  if (dataReduction !== undefined) sink.add(families.dataReduction, labels as LabelsOf<TReduction>, dataReduction);
  emitFields(sink, families.space, labels, 'space', space, SPACE_FIELDS);
}
