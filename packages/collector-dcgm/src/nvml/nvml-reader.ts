import { setMaxListeners } from 'node:events';
import { NoDataError } from '@tessera/collector-api';
import type { DeviceValue, DeviceValues, GpuFailure, GpuReader, GpuReading, GpuSnapshot, MigInstanceReading } from '../gpu-sample.js';
import { handleIn, handleSlot, isDeviceFailure, NVML_ERROR_DRIVER_NOT_LOADED, NVML_SUCCESS, NvmlLibrary, readCString, type NvmlHandle } from './nvml-library.js';

const LIBRARY_SCOPE = 'library';
const CLOCK_GRAPHICS = 0;
const CLOCK_SM = 1;
const CLOCK_MEM = 2;
const TEMPERATURE_GPU = 0;
const EVENT_TYPE_XID = 8n;
const MEMORY_V2_VERSION = 0x02000028;
const PROFILE_INFO_V2_VERSION = 0x02000098;
const PROFILE_INFO_V2_SIZE = 152;
const GPU_INSTANCE_PROFILE_COUNT = 0x12;
const FIELD_VALUE_SIZE = 40;
const GPM_METRIC_SIZE = 40;
const GPM_METRICS_GET_HEADER = 24;
/** NVML_GPM_METRIC_MAX of current drivers; the buffer is sized for it whatever we ask. */
const GPM_METRIC_MAX = 333;

/** NVML field ids read in one `nvmlDeviceGetFieldValues` call per GPU, and where each goes. */
const FIELD_VALUES: readonly (readonly [fieldId: number, value: DeviceValue])[] = [
  [82, 'memoryTemperatureCelsius'],
  [83, 'totalEnergyMillijoules'],
  [94, 'pcieReplays'],
  [142, 'remappedRowsCorrectable'],
  [143, 'remappedRowsUncorrectable'],
  [144, 'rowRemapPending'],
  [145, 'rowRemapFailure'],
  [3, 'eccSingleBitVolatile'],
  [4, 'eccDoubleBitVolatile'],
  [5, 'eccSingleBitAggregate'],
  [6, 'eccDoubleBitAggregate'],
  [74, 'powerViolationNanoseconds'],
  [75, 'thermalViolationNanoseconds'],
  [76, 'syncBoostViolationNanoseconds'],
  [77, 'boardLimitViolationNanoseconds'],
  [78, 'lowUtilizationViolationNanoseconds'],
  [79, 'reliabilityViolationNanoseconds'],
];
const NVLINK_TX_KIB = 138;
const NVLINK_RX_KIB = 139;
/** NVLink throughput counters are per link; this scope id asks for the sum over all links. */
const ALL_LINKS = 0xffffffff;

/** GPM metric ids, and whether they are percentages (reported as 0–1 ratios) or MiB/s (reported as B/s). */
const GPM_METRICS: readonly (readonly [metricId: number, value: DeviceValue, unit: 'percent' | 'mibPerSecond'])[] = [
  [1, 'graphicsEngineActiveRatio', 'percent'],
  [2, 'smActiveRatio', 'percent'],
  [3, 'smOccupancyRatio', 'percent'],
  [5, 'tensorPipeActiveRatio', 'percent'],
  [10, 'dramActiveRatio', 'percent'],
  [11, 'fp64PipeActiveRatio', 'percent'],
  [12, 'fp32PipeActiveRatio', 'percent'],
  [13, 'fp16PipeActiveRatio', 'percent'],
  [20, 'pcieTxBytesPerSecond', 'mibPerSecond'],
  [21, 'pcieRxBytesPerSecond', 'mibPerSecond'],
];

/** Everything the NVML reader can fill in. */
const NVML_PROVIDES: ReadonlySet<DeviceValue> = new Set<DeviceValue>([
  'smClockMhz', 'memoryClockMhz', 'graphicsClockMhz', 'gpuTemperatureCelsius', 'powerUsageWatts', 'powerLimitWatts', 'enforcedPowerLimitWatts',
  'pcieLinkGeneration', 'pcieLinkWidth', 'gpuUtilizationPercent', 'memoryCopyUtilizationPercent', 'encoderUtilizationPercent',
  'decoderUtilizationPercent', 'framebufferTotalBytes', 'framebufferUsedBytes', 'framebufferFreeBytes', 'framebufferReservedBytes',
  'fanSpeedPercent', 'performanceState', 'nvlinkBandwidthMegabytesPerSecond', 'lastXid', ...FIELD_VALUES.map(([, value]) => value),
  ...GPM_METRICS.map(([, value]) => value),
]);

/** What stays the same for a GPU between samples. */
interface DeviceIdentity {
  readonly handle: NvmlHandle;
  readonly uuid: string;
  readonly name: string;
  readonly pciBusId: string;
  readonly serial: string | undefined;
  readonly vbiosVersion: string | undefined;
}

/** Counter readings kept from the previous sample, to turn counters into rates. */
interface PreviousNvlink {
  readonly kibibytes: number;
  readonly atMs: number;
}

/** Options of {@link NvmlReader}. */
export interface NvmlReaderOptions {
  /** Monotonic milliseconds (the host clock), for rates and for how long a call has hung. */
  readonly monotonic: () => number;
  /** Wall-clock milliseconds, for the snapshot's time. */
  readonly now: () => number;
  /** The values to read (default: all): NVML calls whose values nobody renders are not made. */
  readonly wanted?: ReadonlySet<DeviceValue>;
}

/**
 * Reads GPUs through NVML: initialises the library on the first sample (once), then reads every GPU
 * concurrently, one part per GPU. Error codes are mapped per call: NOT_SUPPORTED, NO_PERMISSION and
 * the like leave that value out; GPU_IS_LOST, UNKNOWN and other device failures fail that GPU only.
 * A GPU with an NVML call that never returned (a hung driver call outliving its sample) is not
 * called again until that call returns: its reading fails with what is stuck, the others are read.
 * XID errors come from an NVML event set, drained at each sample without holding a thread between.
 */
export class NvmlReader implements GpuReader {
  readonly backend = 'nvml' as const;
  readonly provides = NVML_PROVIDES;
  readonly #library: NvmlLibrary;
  readonly #options: NvmlReaderOptions;
  #initialized: Promise<void> | undefined;
  #driverVersion: string | undefined;
  #nvmlVersion: string | undefined;
  readonly #identities = new Map<number, DeviceIdentity>();
  readonly #profileNames = new Map<string, Map<number, string>>();
  readonly #nvlink = new Map<string, PreviousNvlink>();
  readonly #gpmSamples = new Map<string, NvmlHandle>();
  /** A second GPM sample buffer per device, reused run after run instead of allocating one each time. */
  readonly #gpmSpares = new Map<string, NvmlHandle>();
  readonly #wanted: ReadonlySet<DeviceValue>;
  readonly #gpmMetrics: typeof GPM_METRICS;
  readonly #fieldValues: typeof FIELD_VALUES;
  readonly #gpmSupported = new Map<string, boolean>();
  readonly #lastXid = new Map<number, number>();
  #eventSet: NvmlHandle | undefined;
  readonly #registered = new Set<number>();
  #closed = false;

  constructor(library: NvmlLibrary, options: NvmlReaderOptions) {
    this.#library = library;
    this.#options = options;
    this.#wanted = options.wanted ?? NVML_PROVIDES;
    this.#gpmMetrics = GPM_METRICS.filter(([, value]) => this.#wanted.has(value));
    this.#fieldValues = FIELD_VALUES.filter(([, value]) => this.#wanted.has(value));
  }

  async sample(outerSignal: AbortSignal): Promise<GpuSnapshot> {
    outerSignal.throwIfAborted();
    // Every concurrent NVML call listens to the signal; a private one keeps that from warning about listeners.
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    const forward = (): void => controller.abort(outerSignal.reason);
    outerSignal.addEventListener('abort', forward, { once: true });
    try {
      return await this.#sample(controller.signal);
    } finally {
      outerSignal.removeEventListener('abort', forward);
    }
  }

  async #sample(signal: AbortSignal): Promise<GpuSnapshot> {
    const stuck = this.#library.pending().find((call) => call.scope === LIBRARY_SCOPE);
    if (stuck !== undefined) throw new Error(`NVML call ${stuck.functionName} has not returned for ${this.#secondsSince(stuck.startedMs)} s; not calling NVML again until it does`);
    await this.#initialize(signal);
    const countOut = [0];
    const countCode = await this.#library.call('nvmlDeviceGetCount_v2', LIBRARY_SCOPE, signal, countOut);
    if (countCode !== NVML_SUCCESS) throw this.#library.error('nvmlDeviceGetCount_v2', countCode);
    const count = countOut[0] ?? 0;
    if (count === 0) throw new NoDataError('NVML reports no GPU on this node');
    await this.#drainXidEvents(signal);
    const results = await Promise.all(Array.from({ length: count }, (_unused, index) => this.#readGpu(index, signal)));
    signal.throwIfAborted();
    return {
      backend: 'nvml',
      driverVersion: this.#driverVersion,
      nvmlVersion: this.#nvmlVersion,
      sampledAtMs: this.#options.now(),
      gpus: results.filter((result): result is GpuReading => !('message' in result)),
      failures: results.filter((result): result is GpuFailure => 'message' in result),
    };
  }

  /** nvmlInit_v2 once; a failure is retried at the next sample. No driver at all is NoDataError. */
  #initialize(signal: AbortSignal): Promise<void> {
    this.#initialized ??= (async () => {
      const code = await this.#library.call('nvmlInit_v2', LIBRARY_SCOPE, signal);
      if (code === NVML_ERROR_DRIVER_NOT_LOADED) throw new NoDataError(`NVML: the NVIDIA driver is not loaded (${this.#library.path})`);
      if (code !== NVML_SUCCESS) throw this.#library.error('nvmlInit_v2', code);
      this.#driverVersion = await this.#systemString('nvmlSystemGetDriverVersion', signal);
      this.#nvmlVersion = await this.#systemString('nvmlSystemGetNVMLVersion', signal);
    })().catch((error: unknown) => {
      this.#initialized = undefined;
      throw error;
    });
    return this.#initialized;
  }

  async #systemString(name: 'nvmlSystemGetDriverVersion' | 'nvmlSystemGetNVMLVersion', signal: AbortSignal): Promise<string | undefined> {
    const buffer = Buffer.alloc(96);
    const code = await this.#library.call(name, LIBRARY_SCOPE, signal, buffer, buffer.length);
    return code === NVML_SUCCESS ? readCString(buffer) : undefined;
  }

  #secondsSince(startedMs: number): number {
    return Math.round((this.#options.monotonic() - startedMs) / 1000);
  }

  async #readGpu(index: number, signal: AbortSignal): Promise<GpuReading | GpuFailure> {
    const scope = `gpu ${index}`;
    const known = this.#identities.get(index);
    const stuck = this.#library.pending().find((call) => call.scope === scope);
    if (stuck !== undefined) {
      return { index, uuid: known?.uuid, message: `NVML call ${stuck.functionName} has not returned for ${this.#secondsSince(stuck.startedMs)} s; this GPU is not read until it does` };
    }
    let identity = known;
    try {
      identity ??= await this.#identify(index, scope, signal);
      this.#identities.set(index, identity);
      await this.#primeGpm(identity.handle, identity.uuid, undefined, scope, signal);
      const values = await this.#readValues(identity, scope, signal);
      if (this.#eventSet !== undefined) values.lastXid = this.#lastXid.get(index) ?? 0;
      const migInstances = await this.#readMig(identity, scope, signal);
      return { index, uuid: identity.uuid, name: identity.name, pciBusId: identity.pciBusId, serial: identity.serial, vbiosVersion: identity.vbiosVersion, values, migInstances };
    } catch (error) {
      if (signal.aborted) throw error;
      // Ask again next time: after a reset or a driver reload the handle may be new.
      this.#identities.delete(index);
      return { index, uuid: identity?.uuid, message: (error as Error).message };
    }
  }

  async #identify(index: number, scope: string, signal: AbortSignal): Promise<DeviceIdentity> {
    const handleOut = handleSlot();
    const code = await this.#library.call('nvmlDeviceGetHandleByIndex_v2', scope, signal, index, handleOut);
    if (code !== NVML_SUCCESS) throw this.#library.error('nvmlDeviceGetHandleByIndex_v2', code);
    const handle = handleIn(handleOut, 'nvmlDeviceGetHandleByIndex_v2');
    const uuid = await this.#deviceString('nvmlDeviceGetUUID', handle, scope, signal, true);
    const name = await this.#deviceString('nvmlDeviceGetName', handle, scope, signal, true);
    const serial = await this.#deviceString('nvmlDeviceGetSerial', handle, scope, signal, false);
    const vbiosVersion = await this.#deviceString('nvmlDeviceGetVbiosVersion', handle, scope, signal, false);
    const pci: { busId?: string } = {};
    const pciCode = await this.#library.call('nvmlDeviceGetPciInfo_v3', scope, signal, handle, pci);
    if (pciCode !== NVML_SUCCESS) throw this.#library.error('nvmlDeviceGetPciInfo_v3', pciCode);
    await this.#registerXid(index, handle, scope, signal);
    return { handle, uuid: uuid ?? '', name: name ?? '', pciBusId: pci.busId ?? '', serial, vbiosVersion };
  }

  async #deviceString(name: 'nvmlDeviceGetUUID' | 'nvmlDeviceGetName' | 'nvmlDeviceGetSerial' | 'nvmlDeviceGetVbiosVersion', handle: NvmlHandle, scope: string, signal: AbortSignal, required: boolean): Promise<string | undefined> {
    const buffer = Buffer.alloc(96);
    const code = await this.#library.call(name, scope, signal, handle, buffer, buffer.length);
    if (code === NVML_SUCCESS) return readCString(buffer);
    if (required || isDeviceFailure(code)) throw this.#library.error(name, code);
    return undefined;
  }

  /**
   * Runs one NVML call for one value: resolves true on success, false when the value is not
   * available here (NOT_SUPPORTED, NO_PERMISSION, …), and throws on a device failure.
   */
  async #read(name: Parameters<NvmlLibrary['call']>[0], scope: string, signal: AbortSignal, ...args: unknown[]): Promise<boolean> {
    const code = await this.#library.call(name, scope, signal, ...args);
    if (code === NVML_SUCCESS) return true;
    if (isDeviceFailure(code)) throw this.#library.error(name, code);
    return false;
  }

  async #readValues(identity: DeviceIdentity, scope: string, signal: AbortSignal): Promise<DeviceValues> {
    const { handle } = identity;
    const values: DeviceValues = {};
    const wanted = (...keys: DeviceValue[]): boolean => keys.some((key) => this.#wanted.has(key));
    const one = (name: Parameters<NvmlLibrary['call']>[0], key: DeviceValue, scale = 1, ...leading: unknown[]): Promise<void> => {
      if (!wanted(key)) return Promise.resolve();
      const out = [0];
      return this.#read(name, scope, signal, handle, ...leading, out).then((ok) => {
        if (ok) values[key] = Number(out[0]) * scale;
      });
    };
    const utilization: { gpu?: number; memory?: number } = {};
    const encoder = [[0], [0]] as const;
    const decoder = [[0], [0]] as const;
    // One call at a time per GPU (GPUs are read in parallel): a GPU that hangs in the driver then
    // holds one of koffi's few worker threads, not one per value.
    const steps: (() => Promise<unknown> | false)[] = [
      () => one('nvmlDeviceGetClockInfo', 'smClockMhz', 1, CLOCK_SM),
      () => one('nvmlDeviceGetClockInfo', 'memoryClockMhz', 1, CLOCK_MEM),
      () => one('nvmlDeviceGetClockInfo', 'graphicsClockMhz', 1, CLOCK_GRAPHICS),
      () => one('nvmlDeviceGetTemperature', 'gpuTemperatureCelsius', 1, TEMPERATURE_GPU),
      () => one('nvmlDeviceGetPowerUsage', 'powerUsageWatts', 0.001),
      () => one('nvmlDeviceGetPowerManagementLimit', 'powerLimitWatts', 0.001),
      () => one('nvmlDeviceGetEnforcedPowerLimit', 'enforcedPowerLimitWatts', 0.001),
      () => one('nvmlDeviceGetCurrPcieLinkGeneration', 'pcieLinkGeneration'),
      () => one('nvmlDeviceGetCurrPcieLinkWidth', 'pcieLinkWidth'),
      () => one('nvmlDeviceGetFanSpeed', 'fanSpeedPercent'),
      () => one('nvmlDeviceGetPerformanceState', 'performanceState'),
      () => wanted('gpuUtilizationPercent', 'memoryCopyUtilizationPercent') &&
        this.#read('nvmlDeviceGetUtilizationRates', scope, signal, handle, utilization).then((ok) => {
          if (ok) Object.assign(values, { gpuUtilizationPercent: utilization.gpu, memoryCopyUtilizationPercent: utilization.memory });
        }),
      () => wanted('encoderUtilizationPercent') &&
        this.#read('nvmlDeviceGetEncoderUtilization', scope, signal, handle, encoder[0], encoder[1]).then((ok) => {
          if (ok) values.encoderUtilizationPercent = encoder[0][0];
        }),
      () => wanted('decoderUtilizationPercent') &&
        this.#read('nvmlDeviceGetDecoderUtilization', scope, signal, handle, decoder[0], decoder[1]).then((ok) => {
          if (ok) values.decoderUtilizationPercent = decoder[0][0];
        }),
      () => wanted('framebufferTotalBytes', 'framebufferUsedBytes', 'framebufferFreeBytes', 'framebufferReservedBytes') && this.#readFramebuffer(handle, scope, signal, values),
      () => this.#readFieldValues(identity, scope, signal, values),
      () => this.#readGpm(handle, identity.uuid, undefined, scope, signal).then((gpm) => Object.assign(values, gpm)),
    ];
    for (const step of steps) await step();
    return values;
  }

  /** The framebuffer sizes of a GPU or MIG instance, into `values`. */
  async #readFramebuffer(handle: NvmlHandle, scope: string, signal: AbortSignal, values: DeviceValues): Promise<void> {
    const memory = { version: MEMORY_V2_VERSION, total: 0, reserved: 0, free: 0, used: 0 };
    if (!(await this.#read('nvmlDeviceGetMemoryInfo_v2', scope, signal, handle, memory))) return;
    Object.assign(values, { framebufferTotalBytes: memory.total, framebufferUsedBytes: memory.used, framebufferFreeBytes: memory.free, framebufferReservedBytes: memory.reserved });
  }

  /** One nvmlDeviceGetFieldValues call for the field-only values and the NVLink counters. */
  async #readFieldValues(identity: DeviceIdentity, scope: string, signal: AbortSignal, values: DeviceValues): Promise<void> {
    const nvlink = this.#wanted.has('nvlinkBandwidthMegabytesPerSecond');
    const requests: readonly (readonly [number, number])[] = [...this.#fieldValues.map(([fieldId]) => [fieldId, 0] as const), ...(nvlink ? ([[NVLINK_TX_KIB, ALL_LINKS], [NVLINK_RX_KIB, ALL_LINKS]] as const) : [])];
    if (requests.length === 0) return;
    const buffer = Buffer.alloc(requests.length * FIELD_VALUE_SIZE);
    requests.forEach(([fieldId, scopeId], position) => {
      buffer.writeUInt32LE(fieldId, position * FIELD_VALUE_SIZE);
      buffer.writeUInt32LE(scopeId, position * FIELD_VALUE_SIZE + 4);
    });
    if (!(await this.#read('nvmlDeviceGetFieldValues', scope, signal, identity.handle, requests.length, buffer))) return;
    const read = (position: number): number | undefined => decodeFieldValue(buffer, position * FIELD_VALUE_SIZE);
    this.#fieldValues.forEach(([, key], position) => {
      const value = read(position);
      if (value !== undefined) values[key] = value;
    });
    if (!nvlink) return;
    const tx = read(this.#fieldValues.length);
    const rx = read(this.#fieldValues.length + 1);
    if (tx === undefined || rx === undefined) return;
    // DCGM reports NVLink bandwidth as a rate: the KiB counters' growth over the elapsed time, in MB/s.
    const now = { kibibytes: tx + rx, atMs: this.#options.monotonic() };
    const previous = this.#nvlink.get(identity.uuid);
    this.#nvlink.set(identity.uuid, now);
    const seconds = previous === undefined ? 0 : (now.atMs - previous.atMs) / 1000;
    values.nvlinkBandwidthMegabytesPerSecond = previous === undefined || seconds <= 0 || now.kibibytes < previous.kibibytes ? 0 : Math.round((now.kibibytes - previous.kibibytes) / seconds / 1000);
  }

  /**
   * Takes a first GPM sample for a device that has none yet, at the start of its reading: the
   * first run then reports activity over the time its other reads took, later runs over the whole
   * sampling interval. Without it the profiling families would appear only from the second run.
   */
  async #primeGpm(handle: NvmlHandle, uuid: string, gpuInstanceId: number | undefined, scope: string, signal: AbortSignal): Promise<void> {
    const key = gpmSampleKey(uuid, gpuInstanceId);
    if (this.#gpmMetrics.length === 0 || this.#gpmSamples.has(key) || !(await this.#gpmSupportedOn(handle, uuid, scope, signal))) return;
    const sample = await this.#takeGpmSample(handle, gpuInstanceId, scope, signal);
    if (sample !== undefined) this.#gpmSamples.set(key, sample);
  }

  /** Whether the GPU `uuid` (a MIG instance's parent) supports GPM, asked once per GPU. */
  async #gpmSupportedOn(handle: NvmlHandle, uuid: string, scope: string, signal: AbortSignal): Promise<boolean> {
    if (this.#gpmMetrics.length === 0 || !this.#library.has('nvmlGpmMetricsGet')) return false;
    let supported = this.#gpmSupported.get(uuid);
    if (supported === undefined) {
      const support = Buffer.alloc(8);
      support.writeUInt32LE(1, 0);
      supported = (await this.#read('nvmlGpmQueryDeviceSupport', scope, signal, handle, support)) && support.readUInt32LE(4) === 1;
      this.#gpmSupported.set(uuid, supported);
    }
    return supported;
  }

  /** Fills a GPM sample (`reuse`, or a new one); undefined (and nothing leaked) when the device will not give one. */
  async #takeGpmSample(handle: NvmlHandle, gpuInstanceId: number | undefined, scope: string, signal: AbortSignal, reuse?: NvmlHandle): Promise<NvmlHandle | undefined> {
    let sample = reuse;
    if (sample === undefined) {
      const sampleOut = handleSlot();
      if (!(await this.#read('nvmlGpmSampleAlloc', scope, signal, sampleOut))) return undefined;
      sample = handleIn(sampleOut, 'nvmlGpmSampleAlloc');
    }
    const taken =
      gpuInstanceId === undefined
        ? await this.#read('nvmlGpmSampleGet', scope, signal, handle, sample).catch((error: unknown) => this.#freeAndRethrow(sample, scope, error))
        : await this.#read('nvmlGpmMigSampleGet', scope, signal, handle, gpuInstanceId, sample).catch((error: unknown) => this.#freeAndRethrow(sample, scope, error));
    if (taken) return sample;
    await this.#library.call('nvmlGpmSampleFree', scope, new AbortController().signal, sample);
    return undefined;
  }

  async #freeAndRethrow(sample: NvmlHandle, scope: string, error: unknown): Promise<never> {
    await this.#library.call('nvmlGpmSampleFree', scope, new AbortController().signal, sample);
    throw error;
  }

  /** GPM profiling ratios (Hopper and later): a new sample compared with the previous one of this device. */
  async #readGpm(handle: NvmlHandle, uuid: string, gpuInstanceId: number | undefined, scope: string, signal: AbortSignal): Promise<DeviceValues> {
    if (!(await this.#gpmSupportedOn(handle, uuid, scope, signal))) return {};
    const key = gpmSampleKey(uuid, gpuInstanceId);
    const spare = this.#gpmSpares.get(key);
    this.#gpmSpares.delete(key);
    const current = await this.#takeGpmSample(handle, gpuInstanceId, scope, signal, spare);
    if (current === undefined) return {};
    const previous = this.#gpmSamples.get(key);
    this.#gpmSamples.set(key, current);
    if (previous === undefined) return {};
    const buffer = Buffer.alloc(GPM_METRICS_GET_HEADER + GPM_METRIC_MAX * GPM_METRIC_SIZE);
    buffer.writeUInt32LE(1, 0);
    buffer.writeUInt32LE(this.#gpmMetrics.length, 4);
    buffer.writeBigUInt64LE(NvmlLibrary.address(previous), 8);
    buffer.writeBigUInt64LE(NvmlLibrary.address(current), 16);
    this.#gpmMetrics.forEach(([metricId], position) => buffer.writeUInt32LE(metricId, GPM_METRICS_GET_HEADER + position * GPM_METRIC_SIZE));
    const ok = await this.#read('nvmlGpmMetricsGet', scope, signal, buffer);
    // The older sample becomes next run's buffer.
    this.#gpmSpares.set(key, previous);
    if (!ok) return {};
    const values: DeviceValues = {};
    this.#gpmMetrics.forEach(([, value, unit], position) => {
      const offset = GPM_METRICS_GET_HEADER + position * GPM_METRIC_SIZE;
      if (buffer.readInt32LE(offset + 4) !== NVML_SUCCESS) return;
      const reading = buffer.readDoubleLE(offset + 8);
      values[value] = unit === 'percent' ? reading / 100 : Math.round(reading * 1024 * 1024);
    });
    return values;
  }

  async #readMig(identity: DeviceIdentity, scope: string, signal: AbortSignal): Promise<MigInstanceReading[] | undefined> {
    const current = [0];
    const pending = [0];
    if (!(await this.#read('nvmlDeviceGetMigMode', scope, signal, identity.handle, current, pending)) || current[0] !== 1) return undefined;
    const maxOut = [0];
    if (!(await this.#read('nvmlDeviceGetMaxMigDeviceCount', scope, signal, identity.handle, maxOut))) return [];
    const instances: MigInstanceReading[] = [];
    for (let slot = 0; slot < (maxOut[0] ?? 0); slot++) {
      const migOut = handleSlot();
      // NOT_FOUND marks an empty slot; the driver does not promise the used slots come first.
      if (!(await this.#read('nvmlDeviceGetMigDeviceHandleByIndex', scope, signal, identity.handle, slot, migOut))) continue;
      const mig = handleIn(migOut, 'nvmlDeviceGetMigDeviceHandleByIndex');
      const giOut = [0];
      const ciOut = [0];
      if (!(await this.#read('nvmlDeviceGetGpuInstanceId', scope, signal, mig, giOut))) continue;
      await this.#read('nvmlDeviceGetComputeInstanceId', scope, signal, mig, ciOut);
      const gpuInstanceId = giOut[0] ?? 0;
      const uuid = (await this.#deviceString('nvmlDeviceGetUUID', mig, scope, signal, false)) ?? '';
      await this.#primeGpm(identity.handle, identity.uuid, gpuInstanceId, scope, signal);
      const values: DeviceValues = {};
      await this.#readFramebuffer(mig, scope, signal, values);
      Object.assign(values, await this.#readGpm(identity.handle, identity.uuid, gpuInstanceId, scope, signal));
      const profile = await this.#profileName(identity, gpuInstanceId, scope, signal);
      instances.push({ gpuInstanceId, computeInstanceId: ciOut[0] ?? 0, profile, uuid, values });
    }
    return instances;
  }

  /** The instance's profile name (`3g.40gb`): its profile id looked up in the GPU's profile table, cached. */
  async #profileName(identity: DeviceIdentity, gpuInstanceId: number, scope: string, signal: AbortSignal): Promise<string> {
    const instanceOut = handleSlot();
    if (!(await this.#read('nvmlDeviceGetGpuInstanceById', scope, signal, identity.handle, gpuInstanceId, instanceOut))) return '';
    const info = Buffer.alloc(24);
    if (!(await this.#read('nvmlGpuInstanceGetInfo', scope, signal, handleIn(instanceOut, 'nvmlDeviceGetGpuInstanceById'), info))) return '';
    const profileId = info.readUInt32LE(12);
    let names = this.#profileNames.get(identity.uuid);
    if (names === undefined || !names.has(profileId)) {
      names = new Map();
      for (let profile = 0; profile < GPU_INSTANCE_PROFILE_COUNT; profile++) {
        const profileInfo = Buffer.alloc(PROFILE_INFO_V2_SIZE);
        profileInfo.writeUInt32LE(PROFILE_INFO_V2_VERSION, 0);
        if (!(await this.#read('nvmlDeviceGetGpuInstanceProfileInfoV', scope, signal, identity.handle, profile, profileInfo))) continue;
        names.set(profileInfo.readUInt32LE(4), readCString(profileInfo.subarray(56)).replace(/^MIG /, ''));
      }
      this.#profileNames.set(identity.uuid, names);
    }
    return names.get(profileId) ?? '';
  }

  /** Registers a GPU for XID events (NOT_SUPPORTED on some boards: then XIDs are simply not reported). */
  async #registerXid(index: number, handle: NvmlHandle, scope: string, signal: AbortSignal): Promise<void> {
    if (this.#registered.has(index) || !this.#library.has('nvmlEventSetCreate')) return;
    if (this.#eventSet === undefined) {
      const setOut = handleSlot();
      if ((await this.#library.call('nvmlEventSetCreate', LIBRARY_SCOPE, signal, setOut)) !== NVML_SUCCESS) return;
      this.#eventSet = handleIn(setOut, 'nvmlEventSetCreate');
    }
    const code = await this.#library.call('nvmlDeviceRegisterEvents', scope, signal, handle, EVENT_TYPE_XID, this.#eventSet);
    if (code === NVML_SUCCESS) this.#registered.add(index);
  }

  /** Takes every XID event queued since the last sample (timeout 0: never blocks a worker thread). */
  async #drainXidEvents(signal: AbortSignal): Promise<void> {
    if (this.#eventSet === undefined) return;
    const addresses = new Map([...this.#identities].map(([index, identity]) => [NvmlLibrary.address(identity.handle), index]));
    for (let taken = 0; taken < 1000; taken++) {
      const data = Buffer.alloc(32);
      const code = await this.#library.call('nvmlEventSetWait_v2', LIBRARY_SCOPE, signal, this.#eventSet, data, 0);
      // TIMEOUT means the queue is empty.
      if (code !== NVML_SUCCESS) return;
      if (data.readBigUInt64LE(8) !== EVENT_TYPE_XID) continue;
      const index = addresses.get(data.readBigUInt64LE(0));
      if (index !== undefined) this.#lastXid.set(index, Number(data.readBigUInt64LE(16)));
    }
  }

  /** Frees NVML resources and shuts NVML down, unless a call is still stuck inside the driver. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const signal = new AbortController().signal;
    if (this.#library.pending().length > 0) return;
    for (const sample of [...this.#gpmSamples.values(), ...this.#gpmSpares.values()]) await this.#library.call('nvmlGpmSampleFree', LIBRARY_SCOPE, signal, sample);
    if (this.#eventSet !== undefined) await this.#library.call('nvmlEventSetFree', LIBRARY_SCOPE, signal, this.#eventSet);
    if (this.#initialized !== undefined && (await this.#initialized.then(() => true, () => false))) {
      await this.#library.call('nvmlShutdown', LIBRARY_SCOPE, signal);
    }
  }
}

/** Where a GPU's (or, with `gpuInstanceId`, its MIG instance's) GPM samples are kept. */
function gpmSampleKey(uuid: string, gpuInstanceId: number | undefined): string {
  return gpuInstanceId === undefined ? uuid : `${uuid}/${gpuInstanceId}`;
}

/** Decodes one nvmlFieldValue_t: undefined when its nvmlReturn is an error. */
function decodeFieldValue(buffer: Buffer, offset: number): number | undefined {
  if (buffer.readInt32LE(offset + 28) !== NVML_SUCCESS) return undefined;
  switch (buffer.readInt32LE(offset + 24)) {
    case 0:
      return buffer.readDoubleLE(offset + 32);
    case 1:
      return buffer.readUInt32LE(offset + 32);
    case 2:
    case 3:
      return Number(buffer.readBigUInt64LE(offset + 32));
    case 4:
      return Number(buffer.readBigInt64LE(offset + 32));
    case 5:
      return buffer.readInt32LE(offset + 32);
    case 6:
      return buffer.readUInt16LE(offset + 32);
    default:
      return undefined;
  }
}
