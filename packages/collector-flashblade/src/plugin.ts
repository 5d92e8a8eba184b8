import { defineCollector, SPECIFICATION_VERSION, type CollectorPlugin } from '@tessera/collector-api';
import { configSchema, type FlashBladeCollectorConfig } from './config.js';
import { FlashBladeCollector } from './flashblade-collector.js';
import { FLASHBLADE_METRICS } from './metrics.js';
import { GROUP_NAMES } from './parts.js';

/**
 * The `flashblade` collector: Pure Storage FlashBlade arrays over REST 2.x, one instance per
 * array, with pure-fb-openmetrics-exporter's families (names, types, HELP texts, labels).
 */
export const flashBladeCollectorPlugin: CollectorPlugin<FlashBladeCollectorConfig> = defineCollector<FlashBladeCollectorConfig>({
  specificationVersion: SPECIFICATION_VERSION,
  name: 'flashblade',
  description: 'Pure Storage FlashBlade arrays over REST 2.x, pure-fb-openmetrics-exporter-compatible: array, file systems, object store, clients, usage and NFS policies.',
  defaultEnabled: false,
  configSchema,
  metrics: FLASHBLADE_METRICS,
  // The exporter's series do not say which array they are from (Prometheus' `instance` did that):
  // in /metrics the host adds this label, valued with the instance name. No exporter family has it.
  instanceLabel: 'array',
  // pure-fb-openmetrics-exporter's paths, one per group, for configured arrays only:
  // /metrics/flashblade/array?endpoint=fb01.example.com.
  compatibilityRoutes: {
    routes: Object.fromEntries(GROUP_NAMES.map((group) => [group, [group]])),
    instanceParameter: 'endpoint',
    instanceConfigKey: 'endpoint',
  },
  create: (config, context) => FlashBladeCollector.create(config, context),
});
