/**
 * @tessera/collector-dcgm — NVIDIA GPU metrics for Tessera, compatible with dcgm-exporter. The
 * default export is the collector plugin; the host loads it for `collectors: { dcgm: … }`.
 */
import { dcgmCollectorPlugin } from './plugin.js';

export default dcgmCollectorPlugin;
export type { DcgmCollectorConfig, DcgmCollectorConfigInput } from './config.js';
export { DCGM_FIELDS, DEFAULT_FIELDS, type DcgmField, type DcgmLabelField, type DcgmMetricField } from './dcgm-fields.js';
export { parseCountersCsv, type CountersFile, type CountersRow } from './counters-csv.js';
export type { DeviceValues, GpuFailure, GpuReader, GpuReading, GpuSnapshot, MigInstanceReading } from './gpu-sample.js';
export { buildFamilies, snapshotParts, type GpuPart, type LabelLayout, type RenderContext } from './render.js';
export { NvmlLibrary } from './nvml/nvml-library.js';
export { NvmlReader } from './nvml/nvml-reader.js';
export { NvidiaSmiReader } from './nvidia-smi/nvidia-smi-reader.js';
export { PodResourcesClient } from './pod-resources/pod-resources-client.js';
export { mapDeviceOwners, type DeviceOwner, type PodResources } from './pod-resources/device-owners.js';
