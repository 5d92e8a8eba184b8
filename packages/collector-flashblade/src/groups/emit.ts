import type { LabelsOf, MetricFamily, MetricSink } from '@tessera/collector-api';
import { numberField, objectField, stringField } from '../api-fields.js';
import type { ApiItem } from '../client/flashblade-client.js';
import type { PerformanceFamilies } from '../metrics.js';
import type { Pacer } from '../pacer.js';

/*
 * Series are emitted in the order the host renders them (by label values, in label-name order,
 * plain string comparison, as Prometheus' Go client orders them), so that it finds each family in
 * order and serves it without sorting hundreds of thousands of series again: objects are sorted by
 * the labels they give a family, and field names (`dimension`, `space` values) are listed sorted.
 */

/** Plain string order, as the host compares label values. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `items` ordered by the keys, the first deciding (a new array; the input itself when already in order). */
export function sortedBy<T>(items: readonly T[], ...keys: readonly ((item: T) => string)[]): readonly T[] {
  const compare = (a: T, b: T): number => {
    for (const key of keys) {
      const order = compareText(key(a), key(b));
      if (order !== 0) return order;
    }
    return 0;
  };
  for (let index = 1; index < items.length; index++) {
    if (compare(items[index - 1] as T, items[index] as T) > 0) return [...items].sort(compare);
  }
  return items;
}

/** The `name` of an API object (a file system, a bucket, a client), '' without one. */
export const nameOf = (item: ApiItem): string => stringField(item, 'name');

/** The fields of a performance sample each family reports, as its `dimension` label (the API's own field names). */
const PERFORMANCE_DIMENSIONS: { readonly [TKind in keyof PerformanceFamilies<string>]: readonly string[] } = {
  latency: ['usec_per_other_op', 'usec_per_read_op', 'usec_per_write_op'],
  throughput: ['others_per_sec', 'reads_per_sec', 'writes_per_sec'],
  bandwidth: ['read_bytes_per_sec', 'write_bytes_per_sec'],
  averageSize: ['bytes_per_op', 'bytes_per_read', 'bytes_per_write'],
};

/** The S3-specific latency fields (`purefb_*_s3_*_latency_usec`). */
export const S3_LATENCY_DIMENSIONS = ['usec_per_other_op', 'usec_per_read_bucket_op', 'usec_per_read_object_op', 'usec_per_write_bucket_op', 'usec_per_write_object_op'];

/** The S3-specific operation-rate fields (`purefb_*_s3_*_throughput_iops`). */
export const S3_THROUGHPUT_DIMENSIONS = ['others_per_sec', 'read_buckets_per_sec', 'read_objects_per_sec', 'write_buckets_per_sec', 'write_objects_per_sec'];

/** The fields of a Space object reported as a `space` label value, sorted. */
export const SPACE_FIELDS = ['available_provisioned', 'available_ratio', 'destroyed', 'destroyed_virtual', 'shared', 'snapshots', 'total_physical', 'total_provisioned', 'unique', 'virtual'];

/** `SPACE_FIELDS` with one more field of the object itself (`provisioned`, `object_count`), in order. */
export function spaceFieldsWith(extra: string): readonly string[] {
  return [...SPACE_FIELDS, extra].sort(compareText);
}

/**
 * Adds one series per field of `item` listed in `fields` that holds a number, with the field's
 * name as the value of `label` (`dimension`, `space`). Null and absent fields add nothing. For
 * the few series of one object (the array's own samples).
 */
export function emitFields<TFamily extends MetricFamily>(sink: MetricSink, family: TFamily, labels: Readonly<Record<string, string>>, label: string, item: ApiItem | undefined, fields: readonly string[]): void {
  for (const field of fields) {
    const value = numberField(item, field);
    if (value !== undefined) sink.add(family, { ...labels, [label]: field } as LabelsOf<TFamily>, value);
  }
}

/** The four families of one performance sample's common fields (the array's, per protocol). */
export function emitPerformance<TLabel extends string>(sink: MetricSink, families: PerformanceFamilies<TLabel>, labels: Readonly<Record<TLabel, string>>, item: ApiItem): void {
  for (const kind of Object.keys(PERFORMANCE_DIMENSIONS) as (keyof PerformanceFamilies<TLabel>)[]) {
    emitFields(sink, families[kind], labels, 'dimension', item, PERFORMANCE_DIMENSIONS[kind]);
  }
}

/** Samples in name order, with their names: sorted once for every family they feed. */
export interface NamedSamples {
  readonly items: readonly ApiItem[];
  readonly names: readonly string[];
}

/** `samples` in name order, with their names. */
export function inNameOrder(samples: readonly ApiItem[]): NamedSamples {
  const items = sortedBy(samples, nameOf);
  return { items, names: items.map(nameOf) };
}

/**
 * The series of a family labelled `{dimension, name}` (every object's performance): dimension by
 * dimension, each object in name order. Null and absent fields add nothing.
 */
export async function emitByDimension(sink: MetricSink, family: MetricFamily<'dimension' | 'name'>, samples: NamedSamples, dimensions: readonly string[], pacer: Pacer): Promise<void> {
  const { items, names } = samples;
  for (const dimension of [...dimensions].sort(compareText)) {
    for (let index = 0; index < items.length; index++) {
      const value = numberField(items[index], dimension);
      if (value !== undefined) sink.add(family, { dimension, name: names[index] as string }, value);
      if (pacer.due()) await pacer.pause();
    }
  }
}

/** The four performance families of every sample, for objects labelled by name (file systems, buckets, clients). */
export async function emitPerformanceByDimension(sink: MetricSink, families: PerformanceFamilies<'name'>, samples: readonly ApiItem[], pacer: Pacer): Promise<void> {
  const named = inNameOrder(samples);
  for (const kind of Object.keys(PERFORMANCE_DIMENSIONS) as (keyof PerformanceFamilies<'name'>)[]) {
    await emitByDimension(sink, families[kind], named, PERFORMANCE_DIMENSIONS[kind], pacer);
  }
}

/** The Space object of `item` (or `undefined`), and `item` itself for the fields it holds beside (`provisioned`). */
export function spaceValue(item: ApiItem, extra: string): (field: string) => number | undefined {
  const space = objectField(item, 'space');
  return (field) => (field === extra ? numberField(item, field) : numberField(space, field));
}
