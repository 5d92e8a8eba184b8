/**
 * What the simulated GPUs report: one JSON-friendly scenario drives the fake libnvidia-ml.so.1, the
 * fake nvidia-smi (through the library) and the simulated kubelet. Values use NVML's own units
 * (milliwatts, millijoules, bytes, MHz, percent), so a test states exactly what the driver would say.
 */

/** NVML return codes a scenario can inject, by their NVML name (without `NVML_ERROR_`). */
export const NVML_ERRORS = {
  UNINITIALIZED: 1,
  INVALID_ARGUMENT: 2,
  NOT_SUPPORTED: 3,
  NO_PERMISSION: 4,
  NOT_FOUND: 6,
  INSUFFICIENT_SIZE: 7,
  DRIVER_NOT_LOADED: 9,
  TIMEOUT: 10,
  FUNCTION_NOT_FOUND: 13,
  GPU_IS_LOST: 15,
  RESET_REQUIRED: 16,
  DEPRECATED: 26,
  UNKNOWN: 999,
} as const;

/** An NVML error by name, or any numeric return code. */
export type NvmlError = keyof typeof NVML_ERRORS | number;

/**
 * The per-GPU values the library serves, in NVML units. `field.*` values are read through
 * `nvmlDeviceGetFieldValues`; the others each have their own NVML call.
 */
export interface GpuValues {
  'clock.graphics'?: number;
  'clock.sm'?: number;
  'clock.mem'?: number;
  'temperature.gpu'?: number;
  /** milliwatts (`nvmlDeviceGetPowerUsage`) */
  'power.usage'?: number;
  /** milliwatts */
  'power.limit'?: number;
  /** milliwatts */
  'power.enforcedLimit'?: number;
  /** millijoules since the driver loaded */
  energy?: number;
  'pcie.replay'?: number;
  'pcie.gen'?: number;
  'pcie.width'?: number;
  'utilization.gpu'?: number;
  'utilization.memory'?: number;
  'utilization.encoder'?: number;
  'utilization.decoder'?: number;
  /** bytes */
  'memory.total'?: number;
  'memory.reserved'?: number;
  'memory.used'?: number;
  'memory.free'?: number;
  'fan.speed'?: number;
  /** 0 for P0 … 15 for P15 */
  pstate?: number;
  'remapped.correctable'?: number;
  'remapped.uncorrectable'?: number;
  'remapped.pending'?: number;
  'remapped.failure'?: number;
  /** °C, NVML field 82 (HBM boards only) */
  'temperature.memory'?: number;
  /** NVML fields 3–6: ECC error totals */
  'ecc.sbe.volatile'?: number;
  'ecc.dbe.volatile'?: number;
  'ecc.sbe.aggregate'?: number;
  'ecc.dbe.aggregate'?: number;
  /** NVML fields 74–79: nanoseconds throttled by each policy */
  'violation.power'?: number;
  'violation.thermal'?: number;
  'violation.syncBoost'?: number;
  'violation.boardLimit'?: number;
  'violation.lowUtilization'?: number;
  'violation.reliability'?: number;
  /** NVML fields 138/139: NVLink data KiB counters, all links */
  'nvlink.txKib'?: number;
  'nvlink.rxKib'?: number;
}

/** A scenario value key. */
export type GpuValue = keyof GpuValues;

/** The value keys that are NVML field ids rather than calls of their own. */
export const FIELD_IDS: Readonly<Partial<Record<GpuValue, number>>> = {
  'temperature.memory': 82,
  'ecc.sbe.volatile': 3,
  'ecc.dbe.volatile': 4,
  'ecc.sbe.aggregate': 5,
  'ecc.dbe.aggregate': 6,
  'violation.power': 74,
  'violation.thermal': 75,
  'violation.syncBoost': 76,
  'violation.boardLimit': 77,
  'violation.lowUtilization': 78,
  'violation.reliability': 79,
  'nvlink.txKib': 138,
  'nvlink.rxKib': 139,
};

/** GPM metrics (Hopper and later), in NVML's units: percent 0–100, PCIe in MiB/s. */
export interface GpmValues {
  graphicsUtil?: number;
  smUtil?: number;
  smOccupancy?: number;
  anyTensorUtil?: number;
  dramBwUtil?: number;
  fp64Util?: number;
  fp32Util?: number;
  fp16Util?: number;
  pcieTxPerSec?: number;
  pcieRxPerSec?: number;
}

/** NVML's `NVML_GPM_METRIC_*` ids. */
export const GPM_METRIC_IDS: Readonly<Record<keyof GpmValues, number>> = {
  graphicsUtil: 1,
  smUtil: 2,
  smOccupancy: 3,
  anyTensorUtil: 5,
  dramBwUtil: 10,
  fp64Util: 11,
  fp32Util: 12,
  fp16Util: 13,
  pcieTxPerSec: 20,
  pcieRxPerSec: 21,
};

/** One MIG device (a GPU instance with its compute instance). */
export interface SimulatedMigInstance {
  /** `MIG-…` */
  readonly uuid: string;
  /** The profile name without the `MIG ` prefix, e.g. `3g.40gb`. */
  readonly profile: string;
  /** NVML's profile id (`nvidia-smi mig -lgip`), e.g. 9 for 3g.40gb on an H100. */
  readonly profileId: number;
  /** The `NVML_GPU_INSTANCE_PROFILE_*` index the profile is listed under. */
  readonly profileIndex: number;
  readonly gpuInstanceId: number;
  readonly computeInstanceId?: number;
  /** bytes */
  readonly memory: { readonly total: number; readonly used: number; readonly free: number; readonly reserved?: number };
  readonly gpm?: GpmValues;
}

/** One physical GPU. */
export interface SimulatedGpu {
  readonly uuid: string;
  readonly name: string;
  /** `00000000:07:00.0` */
  readonly pciBusId: string;
  readonly serial?: string;
  readonly vbiosVersion?: string;
  /** A value that is absent reads as NVML_ERROR_NOT_SUPPORTED. */
  readonly values?: GpuValues;
  /** The call reading this value returns the error instead. `mig.mode` fails MIG discovery. */
  readonly errors?: Partial<Record<GpuValue | 'mig.mode' | 'uuid' | 'name', NvmlError>>;
  /** The call reading this value blocks until the scenario no longer says so. */
  readonly hang?: readonly (GpuValue | 'uuid' | 'name')[];
  /** Fallen off the bus: every call on this GPU returns NVML_ERROR_GPU_IS_LOST. */
  readonly lost?: boolean;
  /** GPM metrics; absent means the GPU does not support GPM (pre-Hopper). */
  readonly gpm?: GpmValues;
  /** MIG instances; present (even empty) means MIG mode is enabled. */
  readonly mig?: readonly SimulatedMigInstance[];
  /** nvidia-smi cells printed verbatim instead of what NVML says, by query field name (e.g. `{ serial: '' }`). */
  readonly nvidiaSmi?: Readonly<Record<string, string>>;
}

/** A device assigned to a container by the kubelet. */
export interface SimulatedContainerDevices {
  /** `nvidia.com/gpu`, `nvidia.com/mig-3g.40gb`, … */
  readonly resourceName: string;
  /** GPU or MIG UUIDs, as the NVIDIA device plugin reports them. */
  readonly deviceIds: readonly string[];
}

/** A pod as the kubelet's pod-resources API lists it. */
export interface SimulatedPod {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly { readonly name: string; readonly devices: readonly SimulatedContainerDevices[] }[];
}

/** An XID error the library reports through NVML events, once, to event sets created before it appears. */
export interface SimulatedXid {
  /** Increasing sequence number; append events with higher numbers while a reader runs. */
  readonly sequence: number;
  readonly gpu: number;
  readonly xid: number;
  readonly gpuInstanceId?: number;
}

/** Everything the simulated node reports. */
export interface GpuScenario {
  /** Default `550.90.07`. */
  readonly driverVersion?: string;
  readonly nvmlVersion?: string;
  readonly gpus: readonly SimulatedGpu[];
  readonly xids?: readonly SimulatedXid[];
  /** `nvmlInit_v2` fails with this error (a node without a loaded driver). */
  readonly initError?: NvmlError;
  /** How nvidia-smi spells NOT_SUPPORTED (default `[N/A]`; older drivers print `[Not Supported]`). */
  readonly nvidiaSmiNotSupported?: string;
  /** What the kubelet's pod-resources API lists. */
  readonly pods?: readonly SimulatedPod[];
}

function errorCode(error: NvmlError): number {
  return typeof error === 'number' ? error : NVML_ERRORS[error];
}

function requireSingleLine(value: string, what: string): string {
  if (/[\r\n]/.test(value)) throw new TypeError(`scenario: ${what} must be one line`);
  return value;
}

/** Writes one value line, mapping `field.*` keys to their NVML field ids. */
function valueKey(key: string): string {
  const fieldId = FIELD_IDS[key as GpuValue];
  return fieldId === undefined ? key : `field.${fieldId}`;
}

/** Serialises a scenario into the line format the simulated library reads (see native/fake-nvml.c). */
export function formatScenario(scenario: GpuScenario): string {
  const lines: string[] = ['# written by @tessera/sim-gpu; edit the JSON scenario, not this file'];
  const put = (scope: string, key: string, value: string | number) => lines.push(`${scope} ${key} ${requireSingleLine(String(value), `${scope} ${key}`)}`);
  put('system', 'driverVersion', scenario.driverVersion ?? '550.90.07');
  if (scenario.nvmlVersion !== undefined) put('system', 'nvmlVersion', scenario.nvmlVersion);
  if (scenario.initError !== undefined) put('system', 'error:init', errorCode(scenario.initError));
  if (scenario.nvidiaSmiNotSupported !== undefined) put('system', 'smi.notSupported', scenario.nvidiaSmiNotSupported);
  for (const event of scenario.xids ?? []) {
    put('system', `xid.${event.sequence}`, `${event.gpu} ${event.xid} ${event.gpuInstanceId ?? 0xffffffff}`);
  }
  scenario.gpus.forEach((gpu, index) => {
    const scope = `gpu.${index}`;
    put(scope, 'uuid', gpu.uuid);
    put(scope, 'name', gpu.name);
    put(scope, 'pci.busId', gpu.pciBusId);
    if (gpu.serial !== undefined) put(scope, 'serial', gpu.serial);
    if (gpu.vbiosVersion !== undefined) put(scope, 'vbiosVersion', gpu.vbiosVersion);
    if (gpu.lost === true) put(scope, 'lost', 1);
    for (const [key, value] of Object.entries(gpu.values ?? {}) as [string, number | undefined][]) {
      if (value !== undefined) put(scope, valueKey(key), value);
    }
    for (const [key, error] of Object.entries(gpu.errors ?? {})) {
      if (error !== undefined) put(scope, `error:${valueKey(key)}`, errorCode(error));
    }
    for (const key of gpu.hang ?? []) put(scope, `hang:${valueKey(key)}`, 1);
    if (gpu.gpm !== undefined) {
      put(scope, 'gpm.supported', 1);
      writeGpm(put, scope, gpu.gpm);
    }
    put(scope, 'mig.mode', gpu.mig === undefined ? 0 : 1);
    (gpu.mig ?? []).forEach((instance, slot) => {
      const migScope = `${scope}.mig.${slot}`;
      put(migScope, 'uuid', instance.uuid);
      put(migScope, 'profile.name', `MIG ${instance.profile}`);
      put(migScope, 'profile.id', instance.profileId);
      put(migScope, 'profile.index', instance.profileIndex);
      put(migScope, 'gi.id', instance.gpuInstanceId);
      put(migScope, 'ci.id', instance.computeInstanceId ?? 0);
      put(migScope, 'memory.total', instance.memory.total);
      put(migScope, 'memory.used', instance.memory.used);
      put(migScope, 'memory.free', instance.memory.free);
      if (instance.memory.reserved !== undefined) put(migScope, 'memory.reserved', instance.memory.reserved);
      if (instance.gpm !== undefined) writeGpm(put, migScope, instance.gpm);
    });
    for (const [field, text] of Object.entries(gpu.nvidiaSmi ?? {})) lines.push(`${scope} smi:${field} ${requireSingleLine(text, `nvidiaSmi.${field}`)}`.trimEnd());
  });
  return `${lines.join('\n')}\n`;
}

function writeGpm(put: (scope: string, key: string, value: number) => void, scope: string, gpm: GpmValues): void {
  for (const [name, value] of Object.entries(gpm) as [string, number | undefined][]) {
    if (value !== undefined) put(scope, `gpm.${GPM_METRIC_IDS[name as keyof GpmValues]}`, value);
  }
}

const MIB = 1024 * 1024;

/**
 * A plausible H100 node: `gpus` GPUs with distinct values; with `mig`, GPU 0 is split into three
 * instances (3g.40gb, 2g.20gb, 1g.10gb). GPM is supported (Hopper), so profiling ratios exist.
 */
export function defaultScenario(options: { readonly gpus?: number; readonly mig?: boolean } = {}): GpuScenario {
  const count = options.gpus ?? 1;
  const gpus: SimulatedGpu[] = [];
  for (let index = 0; index < count; index++) {
    const hex = index.toString(16).padStart(2, '0');
    const gpu: SimulatedGpu = {
      uuid: `GPU-5f2d0c1e-${hex}a1-4b2c-9d3e-0f1a2b3c4d${hex}`,
      name: 'NVIDIA H100 80GB HBM3',
      pciBusId: `00000000:${(0x18 + index * 0x10).toString(16).toUpperCase().padStart(2, '0')}:00.0`,
      serial: `165422003${String(1000 + index)}`,
      vbiosVersion: '96.00.99.00.01',
      values: {
        'clock.graphics': 1980,
        'clock.sm': 1980 - index * 15,
        'clock.mem': 2619,
        'temperature.gpu': 41 + index,
        'temperature.memory': 48 + index,
        'power.usage': 312_480 + index * 1010,
        'power.limit': 700_000,
        'power.enforcedLimit': 700_000,
        energy: 98_765_432_100 + index * 1_000_000,
        'pcie.replay': index,
        'pcie.gen': 5,
        'pcie.width': 16,
        'utilization.gpu': Math.min(100, 87 + index),
        'utilization.memory': 41 + index,
        'utilization.encoder': 0,
        'utilization.decoder': 0,
        'memory.total': 81_559 * MIB,
        'memory.reserved': 566 * MIB,
        'memory.used': (31_022 + index) * MIB,
        'memory.free': (81_559 - 566 - 31_022 - index) * MIB,
        'fan.speed': undefined,
        pstate: 0,
        'remapped.correctable': 0,
        'remapped.uncorrectable': 0,
        'remapped.pending': 0,
        'remapped.failure': 0,
        'ecc.sbe.volatile': 0,
        'ecc.dbe.volatile': 0,
        'ecc.sbe.aggregate': 2,
        'ecc.dbe.aggregate': 0,
        'violation.power': 1_234_000,
        'violation.thermal': 0,
        'nvlink.txKib': 1_000_000 * (index + 1),
        'nvlink.rxKib': 2_000_000 * (index + 1),
      },
      gpm: { graphicsUtil: 85.3, smUtil: 80.25, smOccupancy: 41.5, anyTensorUtil: 62.5, dramBwUtil: 55, fp64Util: 0, fp32Util: 12.5, fp16Util: 30, pcieTxPerSec: 1024, pcieRxPerSec: 2048 },
    };
    gpus.push(index === 0 && options.mig === true ? withMig(gpu) : gpu);
  }
  return { driverVersion: '550.90.07', nvmlVersion: '12.550.90.07', gpus };
}

/** The GPU split into three MIG instances; utilisation is then not available, as on real hardware. */
function withMig(gpu: SimulatedGpu): SimulatedGpu {
  const { 'utilization.gpu': _gpu, 'utilization.memory': _memory, 'utilization.encoder': _encoder, 'utilization.decoder': _decoder, ...values } = gpu.values ?? {};
  const instance = (slot: number, profile: string, profileId: number, profileIndex: number, gpuInstanceId: number, totalMib: number, usedMib: number, activity: number): SimulatedMigInstance => ({
    uuid: `MIG-8c7b6a59-48${slot}7-5a6b-8c9d-0e1f2a3b4c5${slot}`,
    profile,
    profileId,
    profileIndex,
    gpuInstanceId,
    computeInstanceId: 0,
    memory: { total: totalMib * MIB, used: usedMib * MIB, free: (totalMib - usedMib) * MIB },
    gpm: { graphicsUtil: activity, smUtil: activity - 5, anyTensorUtil: activity / 2, dramBwUtil: activity / 3, pcieTxPerSec: 512, pcieRxPerSec: 256 },
  });
  return {
    ...gpu,
    values,
    mig: [
      instance(0, '3g.40gb', 9, 2, 2, 40_192, 12_000, 70),
      instance(1, '2g.20gb', 14, 1, 3, 19_968, 4_096, 35),
      instance(2, '1g.10gb', 19, 0, 9, 9_856, 1_024, 10),
    ],
  };
}
