import { booleanLabel, numberField, objectField, stringField } from '../api-fields.js';
import type { ApiItem } from '../client/flashblade-client.js';
import { objectStoreMetrics } from '../metrics.js';
import { Pacer } from '../pacer.js';
import type { CollectionPart } from '../parts.js';
import { emitByDimension, emitPerformanceByDimension, inNameOrder, nameOf, S3_LATENCY_DIMENSIONS, S3_THROUGHPUT_DIMENSIONS, sortedBy, SPACE_FIELDS, spaceFieldsWith, spaceValue } from './emit.js';

/** A bucket's `space` values, with its own `object_count` (the exporter has it there too, marked for removal), in label order. */
const BUCKET_SPACE_FIELDS = spaceFieldsWith('object_count');
const accountOf = (bucket: ApiItem): string => stringField(objectField(bucket, 'account'), 'name');
const hardLimitOf = (bucket: ApiItem): string => booleanLabel(bucket, 'hard_limit_enabled');

/** The `objectstore` group: space, performance and S3 performance of every live bucket, and the object store accounts. */
export const objectStoreParts: readonly CollectionPart[] = [
  {
    name: 'buckets-space',
    async collect(scope, sink, signal) {
      const pacer = new Pacer(signal);
      const buckets = await scope.liveBuckets(signal);
      for (const bucket of sortedBy(buckets, accountOf, nameOf)) {
        const account = accountOf(bucket);
        const name = nameOf(bucket);
        const value = spaceValue(bucket, 'object_count');
        const dataReduction = value('data_reduction');
        if (dataReduction !== undefined) sink.add(objectStoreMetrics.bucketDataReduction, { account, name }, dataReduction);
        for (const space of BUCKET_SPACE_FIELDS) {
          const bytes = value(space);
          if (bytes !== undefined) sink.add(objectStoreMetrics.bucketSpaceBytes, { account, name, space }, bytes);
        }
        const objects = value('object_count');
        if (objects !== undefined) sink.add(objectStoreMetrics.bucketObjectCount, { account, name }, objects);
        if (pacer.due()) await pacer.pause();
      }
      // Its own pass: this family's label order puts hard_limit_enabled before the name.
      for (const bucket of sortedBy(buckets, accountOf, hardLimitOf, nameOf)) {
        const quota = numberField(bucket, 'quota_limit');
        if (quota !== undefined) sink.add(objectStoreMetrics.bucketQuota, { account: accountOf(bucket), hard_limit_enabled: hardLimitOf(bucket), name: nameOf(bucket) }, quota);
        if (pacer.due()) await pacer.pause();
      }
    },
  },
  {
    name: 'buckets-performance',
    async collect(scope, sink, signal) {
      const names = (await scope.liveBuckets(signal)).map(nameOf);
      const samples = await scope.client.listNamed('/buckets/performance', {}, 'names', names, signal);
      await emitPerformanceByDimension(sink, objectStoreMetrics.bucketPerformance, samples, new Pacer(signal));
    },
  },
  {
    name: 'buckets-s3-performance',
    async collect(scope, sink, signal) {
      const names = (await scope.liveBuckets(signal)).map(nameOf);
      const samples = inNameOrder(await scope.client.listNamed('/buckets/s3-specific-performance', {}, 'names', names, signal));
      const pacer = new Pacer(signal);
      await emitByDimension(sink, objectStoreMetrics.bucketS3Latency, samples, S3_LATENCY_DIMENSIONS, pacer);
      await emitByDimension(sink, objectStoreMetrics.bucketS3Throughput, samples, S3_THROUGHPUT_DIMENSIONS, pacer);
    },
  },
  {
    name: 'object-store-accounts',
    async collect(scope, sink, signal) {
      const pacer = new Pacer(signal);
      const accounts = await scope.client.list('/object-store-accounts', {}, signal);
      for (const account of sortedBy(accounts, (item) => stringField(item, 'id'), nameOf)) {
        const id = stringField(account, 'id');
        const name = nameOf(account);
        const space = objectField(account, 'space');
        const dataReduction = numberField(space, 'data_reduction');
        if (dataReduction !== undefined) sink.add(objectStoreMetrics.accountDataReduction, { id, name }, dataReduction);
        for (const field of SPACE_FIELDS) {
          const bytes = numberField(space, field);
          if (bytes !== undefined) sink.add(objectStoreMetrics.accountSpaceBytes, { id, name, space: field }, bytes);
        }
        const objects = numberField(account, 'object_count');
        if (objects !== undefined) sink.add(objectStoreMetrics.accountObjectCount, { id, name }, objects);
        if (pacer.due()) await pacer.pause();
      }
    },
  },
];
