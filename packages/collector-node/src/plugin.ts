import { defineCollector, SPECIFICATION_VERSION, type CollectorPlugin } from '@tessera/collector-api';
import { configSchema, type NodeCollectorConfig } from './config.js';
import { NODE_METRICS } from './metrics.js';
import { NodeCollector } from './node-collector.js';

/**
 * The `node` collector: host statistics compatible with Prometheus' node_exporter (same metric
 * names, types, labels and HELP texts) for node_exporter's default Linux collectors (see
 * `SUB_COLLECTOR_NAMES`). Reads the host's files under the roots the host passes in `context.roots`.
 */
export const nodeCollectorPlugin: CollectorPlugin<NodeCollectorConfig> = defineCollector<NodeCollectorConfig>({
  specificationVersion: SPECIFICATION_VERSION,
  name: 'node',
  description: 'Host statistics, node_exporter-compatible: CPU, memory, disks, filesystems, network, InfiniBand, hardware sensors, PSI, NFS, EDAC, NVMe, clock sync and textfiles.',
  defaultEnabled: true,
  configSchema,
  metrics: NODE_METRICS,
  create: (config, context) => NodeCollector.create(config, context),
});
