import { defineCollector, SPECIFICATION_VERSION, type CollectorPlugin } from '@tessera/collector-api';
import { configSchema, type NodeCollectorConfig } from './config.js';
import { NODE_METRICS } from './metrics.js';
import { NodeCollector } from './node-collector.js';

/**
 * The `node` collector: host statistics compatible with Prometheus' node_exporter (same metric
 * names, types, labels and HELP texts) for the cpu, meminfo, loadavg, diskstats, netdev,
 * filesystem, uname, time, stat, vmstat and textfile collectors. Reads the host's files under the
 * roots the host passes in `context.roots`.
 */
export const nodeCollectorPlugin: CollectorPlugin<NodeCollectorConfig> = defineCollector<NodeCollectorConfig>({
  specificationVersion: SPECIFICATION_VERSION,
  name: 'node',
  description: 'Host statistics, node_exporter-compatible: cpu, meminfo, loadavg, diskstats, netdev, filesystem, uname, time, stat, vmstat and textfile.',
  defaultEnabled: true,
  configSchema,
  metrics: NODE_METRICS,
  create: (config, context) => NodeCollector.create(config, context),
});
