import type { DeviceValue, DeviceValues } from './gpu-sample.js';

/**
 * How a field behaves on a MIG-enabled GPU, where dcgm-exporter reports one entity per GPU
 * instance: `device` values are the parent GPU's, repeated on every instance; `instance` values are
 * measured per instance; `unavailable` fields have no series at all (DCGM reports them blank, see
 * NVIDIA/dcgm-exporter#105 and #430).
 */
export type MigScope = 'device' | 'instance' | 'unavailable';

/** A DCGM field tessera can emit as a metric family. */
export interface DcgmMetricField {
  readonly kind: 'metric';
  /** The DCGM field name, which is the family name (`DCGM_FI_DEV_GPU_UTIL`). */
  readonly name: string;
  /** DCGM's numeric field id. */
  readonly id: number;
  /** The type dcgm-exporter's counters file gives it (also when DCGM's semantics differ). */
  readonly type: 'gauge' | 'counter';
  /** dcgm-exporter's HELP text, verbatim. */
  readonly help: string;
  /** The unit DCGM reports it in (informative). */
  readonly unit: string;
  /** Where the value comes from in a sample. */
  readonly source: DeviceValue;
  /** Converts the sample's unit into DCGM's. */
  readonly convert?: (value: number) => number;
  /** DCGM's value type: int64 fields are whole numbers, double fields keep their fraction. */
  readonly valueType: 'int64' | 'double';
  readonly mig: MigScope;
  /** In dcgm-exporter's default counters file. */
  readonly default: boolean;
}

/** What a label field reads from the snapshot. */
export type LabelSource = 'driverVersion' | 'nvmlVersion' | 'serial' | 'vbiosVersion';

/** A DCGM field that dcgm-exporter turns into a label on every series (`label` rows of the counters file). */
export interface DcgmLabelField {
  readonly kind: 'label';
  readonly name: string;
  readonly id: number;
  readonly help: string;
  readonly source: LabelSource;
  readonly default: boolean;
}

/** Any field tessera knows. */
export type DcgmField = DcgmMetricField | DcgmLabelField;

const MIB = 1024 * 1024;
const bytesToMib = (bytes: number): number => Math.floor(bytes / MIB);

function metric(
  name: string,
  id: number,
  type: 'gauge' | 'counter',
  help: string,
  options: { unit: string; source: DeviceValue; valueType?: 'int64' | 'double'; mig?: MigScope; default?: boolean; convert?: (value: number) => number },
): DcgmMetricField {
  return {
    kind: 'metric',
    name,
    id,
    type,
    help,
    unit: options.unit,
    source: options.source,
    valueType: options.valueType ?? 'int64',
    mig: options.mig ?? 'device',
    default: options.default ?? false,
    ...(options.convert === undefined ? {} : { convert: options.convert }),
  };
}

const ratio = { unit: 'ratio', valueType: 'double', mig: 'instance' } as const;

/**
 * Every DCGM field tessera can read, with dcgm-exporter's names, types and HELP texts (≤ 4.8, the
 * names dashboards and alert rules use). `default: true` marks dcgm-exporter's default counters file.
 */
export const DCGM_FIELDS: readonly DcgmField[] = [
  metric('DCGM_FI_DEV_SM_CLOCK', 100, 'gauge', 'SM clock frequency (in MHz).', { unit: 'MHz', source: 'smClockMhz', default: true }),
  metric('DCGM_FI_DEV_MEM_CLOCK', 101, 'gauge', 'Memory clock frequency (in MHz).', { unit: 'MHz', source: 'memoryClockMhz', default: true }),
  metric('DCGM_FI_DEV_MEMORY_TEMP', 140, 'gauge', 'Memory temperature (in C).', { unit: 'C', source: 'memoryTemperatureCelsius', default: true }),
  metric('DCGM_FI_DEV_GPU_TEMP', 150, 'gauge', 'GPU temperature (in C).', { unit: 'C', source: 'gpuTemperatureCelsius', default: true }),
  metric('DCGM_FI_DEV_POWER_USAGE', 155, 'gauge', 'Power draw (in W).', { unit: 'W', source: 'powerUsageWatts', valueType: 'double', default: true }),
  metric('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', 156, 'counter', 'Total energy consumption since boot (in mJ).', { unit: 'mJ', source: 'totalEnergyMillijoules', default: true }),
  metric('DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 202, 'counter', 'Total number of PCIe retries.', { unit: 'count', source: 'pcieReplays', default: true }),
  metric('DCGM_FI_DEV_GPU_UTIL', 203, 'gauge', 'GPU utilization (in %).', { unit: '%', source: 'gpuUtilizationPercent', mig: 'unavailable', default: true }),
  metric('DCGM_FI_DEV_MEM_COPY_UTIL', 204, 'gauge', 'Memory utilization (in %).', { unit: '%', source: 'memoryCopyUtilizationPercent', mig: 'unavailable', default: true }),
  metric('DCGM_FI_DEV_ENC_UTIL', 206, 'gauge', 'Encoder utilization (in %).', { unit: '%', source: 'encoderUtilizationPercent', mig: 'unavailable', default: true }),
  metric('DCGM_FI_DEV_DEC_UTIL', 207, 'gauge', 'Decoder utilization (in %).', { unit: '%', source: 'decoderUtilizationPercent', mig: 'unavailable', default: true }),
  metric('DCGM_FI_DEV_XID_ERRORS', 230, 'gauge', 'Value of the last XID error encountered.', { unit: 'XID', source: 'lastXid', default: true }),
  metric('DCGM_FI_DEV_FB_FREE', 251, 'gauge', 'Framebuffer memory free (in MiB).', { unit: 'MiB', source: 'framebufferFreeBytes', mig: 'instance', default: true, convert: bytesToMib }),
  metric('DCGM_FI_DEV_FB_USED', 252, 'gauge', 'Framebuffer memory used (in MiB).', { unit: 'MiB', source: 'framebufferUsedBytes', mig: 'instance', default: true, convert: bytesToMib }),
  metric('DCGM_FI_DEV_FB_RESERVED', 253, 'gauge', 'Framebuffer memory reserved (in MiB).', { unit: 'MiB', source: 'framebufferReservedBytes', mig: 'instance', default: true, convert: bytesToMib }),
  metric('DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 449, 'counter', 'Total number of NVLink bandwidth counters for all lanes.', { unit: 'MB/s', source: 'nvlinkBandwidthMegabytesPerSecond', default: true }),
  metric('DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 393, 'counter', 'Number of remapped rows for uncorrectable errors', { unit: 'rows', source: 'remappedRowsUncorrectable', default: true }),
  metric('DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 394, 'counter', 'Number of remapped rows for correctable errors', { unit: 'rows', source: 'remappedRowsCorrectable', default: true }),
  metric('DCGM_FI_DEV_ROW_REMAP_FAILURE', 395, 'gauge', 'Whether remapping of rows has failed', { unit: 'bool', source: 'rowRemapFailure', default: true }),
  { kind: 'label', name: 'DCGM_FI_DRIVER_VERSION', id: 1, help: 'Driver Version', source: 'driverVersion', default: true },
  metric('DCGM_FI_PROF_GR_ENGINE_ACTIVE', 1001, 'gauge', 'Ratio of time the graphics engine is active.', { ...ratio, source: 'graphicsEngineActiveRatio', default: true }),
  metric('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', 1004, 'gauge', 'Ratio of cycles the tensor (HMMA) pipe is active.', { ...ratio, source: 'tensorPipeActiveRatio', default: true }),
  metric('DCGM_FI_PROF_DRAM_ACTIVE', 1005, 'gauge', 'Ratio of cycles the device memory interface is active sending or receiving data.', { ...ratio, source: 'dramActiveRatio', default: true }),
  metric('DCGM_FI_PROF_PCIE_TX_BYTES', 1009, 'gauge', 'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.', { unit: 'B/s', source: 'pcieTxBytesPerSecond', mig: 'instance', default: true }),
  metric('DCGM_FI_PROF_PCIE_RX_BYTES', 1010, 'gauge', 'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.', { unit: 'B/s', source: 'pcieRxBytesPerSecond', mig: 'instance', default: true }),
  // Rows dcgm-exporter ships commented out, for users who enable them in their counters file.
  metric('DCGM_FI_DEV_POWER_VIOLATION', 240, 'counter', 'Throttling duration due to power constraints (in ns).', { unit: 'ns', source: 'powerViolationNanoseconds' }),
  metric('DCGM_FI_DEV_THERMAL_VIOLATION', 241, 'counter', 'Throttling duration due to thermal constraints (in ns).', { unit: 'ns', source: 'thermalViolationNanoseconds' }),
  metric('DCGM_FI_DEV_SYNC_BOOST_VIOLATION', 242, 'counter', 'Throttling duration due to sync-boost constraints (in ns).', { unit: 'ns', source: 'syncBoostViolationNanoseconds' }),
  metric('DCGM_FI_DEV_BOARD_LIMIT_VIOLATION', 243, 'counter', 'Throttling duration due to board limit constraints (in ns).', { unit: 'ns', source: 'boardLimitViolationNanoseconds' }),
  metric('DCGM_FI_DEV_LOW_UTIL_VIOLATION', 244, 'counter', 'Throttling duration due to low utilization (in ns).', { unit: 'ns', source: 'lowUtilizationViolationNanoseconds' }),
  metric('DCGM_FI_DEV_RELIABILITY_VIOLATION', 245, 'counter', 'Throttling duration due to reliability constraints (in ns).', { unit: 'ns', source: 'reliabilityViolationNanoseconds' }),
  metric('DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', 310, 'counter', 'Total number of single-bit volatile ECC errors.', { unit: 'count', source: 'eccSingleBitVolatile' }),
  metric('DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 311, 'counter', 'Total number of double-bit volatile ECC errors.', { unit: 'count', source: 'eccDoubleBitVolatile' }),
  metric('DCGM_FI_DEV_ECC_SBE_AGG_TOTAL', 312, 'counter', 'Total number of single-bit persistent ECC errors.', { unit: 'count', source: 'eccSingleBitAggregate' }),
  metric('DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', 313, 'counter', 'Total number of double-bit persistent ECC errors.', { unit: 'count', source: 'eccDoubleBitAggregate' }),
  metric('DCGM_FI_PROF_SM_ACTIVE', 1002, 'gauge', 'The ratio of cycles an SM has at least 1 warp assigned.', { ...ratio, source: 'smActiveRatio' }),
  metric('DCGM_FI_PROF_SM_OCCUPANCY', 1003, 'gauge', 'The ratio of number of warps resident on an SM.', { ...ratio, source: 'smOccupancyRatio' }),
  metric('DCGM_FI_PROF_PIPE_FP64_ACTIVE', 1006, 'gauge', 'Ratio of cycles the fp64 pipes are active.', { ...ratio, source: 'fp64PipeActiveRatio' }),
  metric('DCGM_FI_PROF_PIPE_FP32_ACTIVE', 1007, 'gauge', 'Ratio of cycles the fp32 pipes are active.', { ...ratio, source: 'fp32PipeActiveRatio' }),
  metric('DCGM_FI_PROF_PIPE_FP16_ACTIVE', 1008, 'gauge', 'Ratio of cycles the fp16 pipes are active.', { ...ratio, source: 'fp16PipeActiveRatio' }),
  { kind: 'label', name: 'DCGM_FI_NVML_VERSION', id: 2, help: 'NVML Version', source: 'nvmlVersion', default: false },
  { kind: 'label', name: 'DCGM_FI_DEV_SERIAL', id: 53, help: 'Device Serial Number', source: 'serial', default: false },
  { kind: 'label', name: 'DCGM_FI_DEV_VBIOS_VERSION', id: 85, help: 'VBIOS version of the device', source: 'vbiosVersion', default: false },
  // Fields users commonly add by hand; HELP texts are tessera's, in dcgm-exporter's style.
  metric('DCGM_FI_DEV_PSTATE', 190, 'gauge', 'Performance state (P-State) 0-15. 0=highest', { unit: 'P-state', source: 'performanceState' }),
  metric('DCGM_FI_DEV_FAN_SPEED', 191, 'gauge', 'Fan speed (in 0-100%).', { unit: '%', source: 'fanSpeedPercent' }),
  metric('DCGM_FI_DEV_POWER_MGMT_LIMIT', 160, 'gauge', 'Power management limit (in W).', { unit: 'W', source: 'powerLimitWatts', valueType: 'double' }),
  metric('DCGM_FI_DEV_ENFORCED_POWER_LIMIT', 164, 'gauge', 'Effective power limit that the driver enforces after taking into account all limiters (in W).', { unit: 'W', source: 'enforcedPowerLimitWatts', valueType: 'double' }),
  metric('DCGM_FI_DEV_FB_TOTAL', 250, 'gauge', 'Framebuffer memory total (in MiB).', { unit: 'MiB', source: 'framebufferTotalBytes', mig: 'instance', convert: bytesToMib }),
  metric('DCGM_FI_DEV_PCIE_LINK_GEN', 237, 'gauge', 'PCIe current link generation.', { unit: 'generation', source: 'pcieLinkGeneration' }),
  metric('DCGM_FI_DEV_PCIE_LINK_WIDTH', 238, 'gauge', 'PCIe current link width.', { unit: 'lanes', source: 'pcieLinkWidth' }),
  metric('DCGM_FI_DEV_ROW_REMAP_PENDING', 396, 'gauge', 'Whether remapping of rows is pending', { unit: 'bool', source: 'rowRemapPending' }),
  metric('DCGM_FI_DEV_GRAPHICS_CLOCK', 102, 'gauge', 'Graphics clock frequency (in MHz).', { unit: 'MHz', source: 'graphicsClockMhz' }),
];

/** The fields of dcgm-exporter's default counters file, in its order. */
export const DEFAULT_FIELDS: readonly DcgmField[] = DCGM_FIELDS.filter((field) => field.default);

const BY_NAME = new Map(DCGM_FIELDS.map((field) => [field.name, field]));

/** The field named `name`, or undefined when tessera cannot read it. */
export function findField(name: string): DcgmField | undefined {
  return BY_NAME.get(name);
}

/** The value a metric field has in `values`, in DCGM's unit, or undefined when absent. */
export function fieldValue(field: DcgmMetricField, values: DeviceValues): number | undefined {
  const raw = values[field.source];
  if (raw === undefined || !Number.isFinite(raw)) return undefined;
  const converted = field.convert === undefined ? raw : field.convert(raw);
  return field.valueType === 'int64' ? Math.trunc(converted) : converted;
}
