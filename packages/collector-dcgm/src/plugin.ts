import { defineCollector, SPECIFICATION_VERSION, type CollectorPlugin } from '@tessera/collector-api';
import { configSchema, type DcgmCollectorConfig } from './config.js';
import { DcgmCollector } from './dcgm-collector.js';

/**
 * The `dcgm` collector: NVIDIA GPU metrics with dcgm-exporter's names, types, HELP texts and labels
 * (≤ 4.8), read through NVML (koffi) or nvidia-smi, with MIG instances and Kubernetes pod labels.
 * Its families depend on the configured counters file and host label, so they are declared per
 * instance (`collector.metrics`), not here.
 */
export const dcgmCollectorPlugin: CollectorPlugin<DcgmCollectorConfig> = defineCollector<DcgmCollectorConfig>({
  specificationVersion: SPECIFICATION_VERSION,
  name: 'dcgm',
  description: 'NVIDIA GPUs, dcgm-exporter-compatible: NVML or nvidia-smi, MIG instances, Kubernetes pod attribution.',
  defaultEnabled: false,
  configSchema,
  metrics: [],
  create: (config, context) => DcgmCollector.create(config, context),
});
