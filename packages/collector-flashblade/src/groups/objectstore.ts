import { numberField, objectField, stringField } from '../api-fields.js';
import { objectStoreMetrics } from '../metrics.js';
import type { CollectionPart } from '../parts.js';
import { forEachCooperatively } from '../cooperative.js';
import { emitFields, emitPerformance, emitSpace, S3_LATENCY_DIMENSIONS, S3_THROUGHPUT_DIMENSIONS } from './emit.js';

/** The `objectstore` group: space, performance and S3 performance of every live bucket, and the object store accounts. */
export const objectStoreParts: readonly CollectionPart[] = [
  {
    name: 'buckets-space',
    async collect(scope, sink, signal) {
      await forEachCooperatively(await scope.liveBuckets(signal), signal, (bucket) => {
        const labels = { account: stringField(objectField(bucket, 'account'), 'name'), name: stringField(bucket, 'name') };
        emitSpace(sink, { space: objectStoreMetrics.bucketSpaceBytes, dataReduction: objectStoreMetrics.bucketDataReduction }, labels, bucket);
        const objects = numberField(bucket, 'object_count');
        if (objects !== undefined) {
          // Also a `space` value, as the exporter has it (it marks that one for removal).
          sink.add(objectStoreMetrics.bucketSpaceBytes, { ...labels, space: 'object_count' }, objects);
          sink.add(objectStoreMetrics.bucketObjectCount, labels, objects);
        }
        const quota = numberField(bucket, 'quota_limit');
        if (quota !== undefined) sink.add(objectStoreMetrics.bucketQuota, { ...labels, hard_limit_enabled: bucket.hard_limit_enabled === true ? 'true' : 'false' }, quota);
      });
    },
  },
  {
    name: 'buckets-performance',
    async collect(scope, sink, signal) {
      const names = (await scope.liveBuckets(signal)).map((bucket) => stringField(bucket, 'name'));
      const samples = await scope.client.listNamed('/buckets/performance', {}, 'names', names, signal);
      await forEachCooperatively(samples, signal, (sample) => emitPerformance(sink, objectStoreMetrics.bucketPerformance, { name: stringField(sample, 'name') }, sample));
    },
  },
  {
    name: 'buckets-s3-performance',
    async collect(scope, sink, signal) {
      const names = (await scope.liveBuckets(signal)).map((bucket) => stringField(bucket, 'name'));
      const samples = await scope.client.listNamed('/buckets/s3-specific-performance', {}, 'names', names, signal);
      await forEachCooperatively(samples, signal, (sample) => {
        const labels = { name: stringField(sample, 'name') };
        emitFields(sink, objectStoreMetrics.bucketS3Latency, labels, 'dimension', sample, S3_LATENCY_DIMENSIONS);
        emitFields(sink, objectStoreMetrics.bucketS3Throughput, labels, 'dimension', sample, S3_THROUGHPUT_DIMENSIONS);
      });
    },
  },
  {
    name: 'object-store-accounts',
    async collect(scope, sink, signal) {
      for (const account of await scope.client.list('/object-store-accounts', {}, signal)) {
        const labels = { id: stringField(account, 'id'), name: stringField(account, 'name') };
        emitSpace(sink, { space: objectStoreMetrics.accountSpaceBytes, dataReduction: objectStoreMetrics.accountDataReduction }, labels, account);
        const objects = numberField(account, 'object_count');
        if (objects !== undefined) sink.add(objectStoreMetrics.accountObjectCount, labels, objects);
      }
    },
  },
];
