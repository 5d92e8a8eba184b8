import type { DeviceValue, GpuReading } from './gpu-sample.js';

const MIB = 1024 * 1024;

/**
 * How far the two readings may be apart. Static values must agree up to the CSV's rounding; values
 * that move (utilisation, power, clocks, temperatures) may change between the two reads.
 */
const TOLERANCE: Partial<Record<DeviceValue, (nvml: number) => number>> = {
  framebufferTotalBytes: () => MIB,
  framebufferReservedBytes: () => MIB,
  framebufferUsedBytes: (value) => Math.max(MIB, value * 0.05),
  framebufferFreeBytes: (value) => Math.max(MIB, value * 0.05),
  powerUsageWatts: (value) => Math.max(15, value * 0.2),
  powerLimitWatts: () => 0.01,
  enforcedPowerLimitWatts: () => 0.01,
  gpuUtilizationPercent: () => 25,
  memoryCopyUtilizationPercent: () => 25,
  encoderUtilizationPercent: () => 25,
  decoderUtilizationPercent: () => 25,
  gpuTemperatureCelsius: () => 3,
  memoryTemperatureCelsius: () => 3,
  smClockMhz: (value) => value * 0.3,
  memoryClockMhz: (value) => value * 0.3,
  graphicsClockMhz: (value) => value * 0.3,
  fanSpeedPercent: () => 5,
  performanceState: () => 2,
  pcieLinkGeneration: () => 1,
};

/** One comparison line. */
export interface Comparison {
  readonly gpu: string;
  readonly value: string;
  readonly nvml: number | string | undefined;
  readonly nvidiaSmi: number | string | undefined;
  readonly agrees: boolean;
}

/** Compares the GPUs two readers saw, matched by UUID: identity and every value both have. */
export function compareReadings(nvml: readonly GpuReading[], smi: readonly GpuReading[]): Comparison[] {
  const comparisons: Comparison[] = [];
  for (const gpu of nvml) {
    const other = smi.find((candidate) => candidate.uuid === gpu.uuid);
    const label = `${gpu.index} ${gpu.uuid}`;
    if (other === undefined) {
      comparisons.push({ gpu: label, value: 'present', nvml: 'yes', nvidiaSmi: 'no', agrees: false });
      continue;
    }
    for (const key of ['index', 'name', 'pciBusId', 'serial', 'vbiosVersion'] as const) {
      if (gpu[key] === undefined || other[key] === undefined) continue;
      comparisons.push({ gpu: label, value: key, nvml: gpu[key], nvidiaSmi: other[key], agrees: String(gpu[key]).toUpperCase() === String(other[key]).toUpperCase() });
    }
    for (const [key, value] of Object.entries(gpu.values) as [DeviceValue, number | undefined][]) {
      const smiValue = other.values[key];
      if (value === undefined || smiValue === undefined) continue;
      const tolerance = TOLERANCE[key]?.(value) ?? 0;
      comparisons.push({ gpu: label, value: key, nvml: value, nvidiaSmi: smiValue, agrees: Math.abs(value - smiValue) <= tolerance });
    }
  }
  return comparisons;
}
