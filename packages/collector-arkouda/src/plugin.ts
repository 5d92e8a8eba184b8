import { defineCollector, SPECIFICATION_VERSION, type CollectorPlugin } from '@tessera/collector-api';
import { ArkoudaCollector } from './arkouda-collector.js';
import { configSchema, type ArkoudaCollectorConfig } from './config.js';
import { ARKOUDA_METRICS } from './metrics.js';

/**
 * The `arkouda` collector: every metric of an Arkouda server's metrics daemon, read over ZeroMQ
 * in the background and served from the latest snapshot, with the names, labels and HELP texts
 * of Arkouda's Prometheus exporter. One instance per server.
 */
export const arkoudaCollectorPlugin: CollectorPlugin<ArkoudaCollectorConfig> = defineCollector<ArkoudaCollectorConfig>({
  specificationVersion: SPECIFICATION_VERSION,
  name: 'arkouda',
  description: "Arkouda servers: every metric of each server's metrics daemon over ZeroMQ, compatible with Arkouda's Prometheus exporter.",
  defaultEnabled: false,
  configSchema,
  metrics: ARKOUDA_METRICS,
  create: (config, context) => ArkoudaCollector.create(config, context),
});
