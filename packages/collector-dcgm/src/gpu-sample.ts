/**
 * The backend-neutral sample: what one sampling run of either reader (NVML or nvidia-smi) saw, in
 * explicit units. The renderer turns it into dcgm-exporter's names, units and labels; a reader
 * leaves out what it could not read (a key that is absent means "no series", never 0).
 */

/** Every per-device value a reader may report; the unit is in the name. */
export interface DeviceValues {
  smClockMhz?: number;
  memoryClockMhz?: number;
  graphicsClockMhz?: number;
  gpuTemperatureCelsius?: number;
  memoryTemperatureCelsius?: number;
  powerUsageWatts?: number;
  powerLimitWatts?: number;
  enforcedPowerLimitWatts?: number;
  totalEnergyMillijoules?: number;
  pcieReplays?: number;
  pcieLinkGeneration?: number;
  pcieLinkWidth?: number;
  gpuUtilizationPercent?: number;
  memoryCopyUtilizationPercent?: number;
  encoderUtilizationPercent?: number;
  decoderUtilizationPercent?: number;
  framebufferTotalBytes?: number;
  framebufferUsedBytes?: number;
  framebufferFreeBytes?: number;
  framebufferReservedBytes?: number;
  fanSpeedPercent?: number;
  performanceState?: number;
  remappedRowsCorrectable?: number;
  remappedRowsUncorrectable?: number;
  rowRemapPending?: number;
  rowRemapFailure?: number;
  eccSingleBitVolatile?: number;
  eccDoubleBitVolatile?: number;
  eccSingleBitAggregate?: number;
  eccDoubleBitAggregate?: number;
  powerViolationNanoseconds?: number;
  thermalViolationNanoseconds?: number;
  syncBoostViolationNanoseconds?: number;
  boardLimitViolationNanoseconds?: number;
  lowUtilizationViolationNanoseconds?: number;
  reliabilityViolationNanoseconds?: number;
  /** NVLink data throughput, TX + RX, in MB/s since the previous sample (0 on the first). */
  nvlinkBandwidthMegabytesPerSecond?: number;
  /** The last XID error seen since the reader started (0 = none yet). */
  lastXid?: number;
  /** Profiling ratios, 0–1 (GPM on Hopper and later). */
  graphicsEngineActiveRatio?: number;
  smActiveRatio?: number;
  smOccupancyRatio?: number;
  tensorPipeActiveRatio?: number;
  dramActiveRatio?: number;
  fp64PipeActiveRatio?: number;
  fp32PipeActiveRatio?: number;
  fp16PipeActiveRatio?: number;
  pcieTxBytesPerSecond?: number;
  pcieRxBytesPerSecond?: number;
}

/** A key of {@link DeviceValues}. */
export type DeviceValue = keyof DeviceValues;

/** One MIG device (GPU instance) of a GPU. */
export interface MigInstanceReading {
  readonly gpuInstanceId: number;
  readonly computeInstanceId: number;
  /** The profile name as dcgm-exporter labels it, e.g. `3g.40gb`. */
  readonly profile: string;
  /** `MIG-…`, the id the NVIDIA device plugin gives pods. */
  readonly uuid: string;
  /** Values measured per instance (framebuffer, profiling ratios). */
  readonly values: DeviceValues;
}

/** One GPU that was read successfully. */
export interface GpuReading {
  /** The NVML index (dcgm-exporter's `gpu` label). */
  readonly index: number;
  readonly uuid: string;
  readonly name: string;
  /** `00000000:07:00.0` */
  readonly pciBusId: string;
  readonly serial?: string | undefined;
  readonly vbiosVersion?: string | undefined;
  readonly values: DeviceValues;
  /** MIG instances when MIG mode is enabled; undefined when it is off or unknown. */
  readonly migInstances?: readonly MigInstanceReading[] | undefined;
}

/** A GPU whose reading failed: its series are left out, the others are served. */
export interface GpuFailure {
  readonly index: number;
  readonly uuid?: string | undefined;
  /** Says which call failed and why, e.g. `nvmlDeviceGetHandleByIndex_v2: GPU is lost (NVML code 15)`. */
  readonly message: string;
}

/** What one sampling run saw. Immutable once returned. */
export interface GpuSnapshot {
  readonly backend: 'nvml' | 'nvidia-smi';
  readonly driverVersion?: string | undefined;
  readonly nvmlVersion?: string | undefined;
  /** Wall-clock time the run finished, ms since the epoch. */
  readonly sampledAtMs: number;
  readonly gpus: readonly GpuReading[];
  readonly failures: readonly GpuFailure[];
}

/** A GPU reader: one sampling run per call, no timers of its own; honours `signal`. */
export interface GpuReader {
  readonly backend: 'nvml' | 'nvidia-smi';
  /** The device values this reader can ever provide (for reporting configured fields it cannot). */
  readonly provides: ReadonlySet<DeviceValue>;
  sample(signal: AbortSignal): Promise<GpuSnapshot>;
  close(): Promise<void>;
}
