// The tessera side of `pnpm bench render`, run as a child process: an exporter serving one
// FlashBlade-shaped collector (10k file systems × 10 series, 10k buckets × 10, ~200 array series).
// Forked with event-loop-monitor.mjs loaded, which answers `reset` / `stats`. Talks to the bench
// over IPC: `cacheTtlSeconds` in argv, its URL as first message, `stop` to close.
import { defineCollector, defineMetric } from '@tessera/collector-api';
import { createExporter } from '@tessera/exporter';
import { z } from 'zod';

const cacheTtlSeconds = Number(process.argv[2] ?? 0);
const FILESYSTEMS = 10_000;
const BUCKETS = 10_000;

const family = (name, labelNames) => defineMetric({ name, type: 'gauge', help: `Synthetic ${name.replaceAll('_', ' ')}.`, labelNames });
const fsFamilies = [
  family('purefb_file_systems_performance_latency_usec', ['name', 'protocol', 'dimension']),
  ...['bandwidth_bytes', 'throughput_iops', 'average_bytes'].map((suffix) => family(`purefb_file_systems_performance_${suffix}`, ['name', 'protocol', 'dimension'])),
  ...['space_bytes', 'space_data_reduction_ratio', 'quota_bytes', 'snapshots_bytes', 'info'].map((suffix) => family(`purefb_file_systems_${suffix}`, ['name', 'space'])),
];
const bucketFamilies = [
  family('purefb_buckets_performance_latency_usec', ['name', 'dimension']),
  ...['bandwidth_bytes', 'throughput_iops', 'average_bytes', 's3_specific_latency_usec'].map((suffix) => family(`purefb_buckets_performance_${suffix}`, ['name', 'dimension'])),
  ...['space_bytes', 'space_data_reduction_ratio', 'object_count', 'quota_bytes'].map((suffix) => family(`purefb_buckets_${suffix}`, ['name', 'space'])),
];
const arrayFamily = family('purefb_array_performance_latency_usec', ['protocol', 'dimension']);

// Label objects built once: the benchmark measures the sink, the render and the send, not string building.
const fsNames = Array.from({ length: FILESYSTEMS }, (_, index) => `fs-${String(index).padStart(5, '0')}`);
const bucketNames = Array.from({ length: BUCKETS }, (_, index) => `bucket-${String(index).padStart(5, '0')}`);
const fsLabels = fsFamilies.map((fam, f) =>
  fsNames.flatMap((name) =>
    fam.labelNames.includes('protocol')
      ? f === 0
        ? [{ name, protocol: 'NFS', dimension: 'read_usec_per_op' }, { name, protocol: 'NFS', dimension: 'write_usec_per_op' }]
        : [{ name, protocol: 'NFS', dimension: 'per_sec' }]
      : [{ name, space: 'total_physical' }],
  ),
);
const bucketLabels = bucketFamilies.map((fam, f) =>
  bucketNames.flatMap((name) =>
    fam.labelNames.includes('dimension') ? (f === 0 ? [{ name, dimension: 'read_usec_per_op' }, { name, dimension: 'write_usec_per_op' }] : [{ name, dimension: 'per_sec' }]) : [{ name, space: 'total_physical' }],
  ),
);
const arrayLabels = ['nfs', 'smb', 'http', 's3', 'all'].flatMap((protocol) => Array.from({ length: 40 }, (_, index) => ({ protocol, dimension: `dimension_${index}` })));

// A REST collector gets its items a page (1000 items) per response, awaiting each: so does this one.
const PAGE = 1000;
const nextPage = () => new Promise((resolve) => setImmediate(resolve));
async function addPaged(sink, families, labelsByFamily, value) {
  for (let f = 0; f < families.length; f++) {
    const all = labelsByFamily[f];
    for (let start = 0; start < all.length; start += PAGE) {
      for (let index = start; index < Math.min(start + PAGE, all.length); index++) sink.add(families[f], all[index], value(index));
      await nextPage();
    }
  }
}

let collections = 0;
const plugin = defineCollector({
  specificationVersion: 'v1',
  name: 'flashblade',
  description: 'A FlashBlade-shaped synthetic source (benchmark).',
  defaultEnabled: false,
  configSchema: z.strictObject({}),
  metrics: [...fsFamilies, ...bucketFamilies, arrayFamily],
  create: () => ({
    async collect(sink) {
      collections++;
      await sink.part('filesystems', (part) => addPaged(part, fsFamilies, fsLabels, (index) => index * 1.5 + collections));
      await sink.part('objectstore', (part) => addPaged(part, bucketFamilies, bucketLabels, (index) => index + collections));
      await sink.part('array', (part) => arrayLabels.forEach((labels, index) => part.add(arrayFamily, labels, index * 0.25 + collections)));
    },
  }),
});

const exporter = await createExporter({
  config: { log: { level: 'warn' }, web: { disableExporterMetrics: true }, collectors: { flashblade: { cacheTtlSeconds, timeoutSeconds: 60 } } },
  plugins: { flashblade: plugin },
  onlySuppliedPlugins: true,
});
const url = await exporter.listen('127.0.0.1:0');
process.on('message', (message) => {
  if (message === 'stop') void exporter.close().then(() => process.exit(0));
});
process.send({ url });
