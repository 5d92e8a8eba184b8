import koffi, { type LibraryHandle } from 'koffi';
import { abortReason } from '../abort.js';

type KoffiFunction = ReturnType<LibraryHandle['func']>;

/** NVML return codes by value, with NVML's names (`nvmlReturn_t`). */
const NVML_RETURN_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'SUCCESS'],
  [1, 'UNINITIALIZED'],
  [2, 'INVALID_ARGUMENT'],
  [3, 'NOT_SUPPORTED'],
  [4, 'NO_PERMISSION'],
  [6, 'NOT_FOUND'],
  [7, 'INSUFFICIENT_SIZE'],
  [9, 'DRIVER_NOT_LOADED'],
  [10, 'TIMEOUT'],
  [12, 'LIBRARY_NOT_FOUND'],
  [13, 'FUNCTION_NOT_FOUND'],
  [15, 'GPU_IS_LOST'],
  [16, 'RESET_REQUIRED'],
  [17, 'OPERATING_SYSTEM'],
  [18, 'LIB_RM_VERSION_MISMATCH'],
  [26, 'DEPRECATED'],
  [999, 'UNKNOWN'],
]);

export const NVML_SUCCESS = 0;
const NVML_ERROR_UNINITIALIZED = 1;
export const NVML_ERROR_DRIVER_NOT_LOADED = 9;
const NVML_ERROR_LIBRARY_NOT_FOUND = 12;
export const NVML_ERROR_FUNCTION_NOT_FOUND = 13;
const NVML_ERROR_GPU_IS_LOST = 15;
const NVML_ERROR_RESET_REQUIRED = 16;
const NVML_ERROR_OPERATING_SYSTEM = 17;
const NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18;
const NVML_ERROR_UNKNOWN = 999;

/**
 * Codes that mean the device (or the driver) cannot answer at all, rather than "this value is not
 * available here": they fail the GPU's whole reading instead of dropping one series.
 */
const DEVICE_FAILURES: ReadonlySet<number> = new Set([
  NVML_ERROR_UNINITIALIZED,
  NVML_ERROR_DRIVER_NOT_LOADED,
  NVML_ERROR_LIBRARY_NOT_FOUND,
  NVML_ERROR_GPU_IS_LOST,
  NVML_ERROR_RESET_REQUIRED,
  NVML_ERROR_OPERATING_SYSTEM,
  NVML_ERROR_LIB_RM_VERSION_MISMATCH,
  NVML_ERROR_UNKNOWN,
]);

/** True when `code` fails the whole GPU (GPU_IS_LOST, UNKNOWN, …), false when only the value is absent. */
export function isDeviceFailure(code: number): boolean {
  return DEVICE_FAILURES.has(code);
}

/** An NVML call that returned an error code. */
export class NvmlCallError extends Error {
  constructor(functionName: string, code: number, description: string) {
    super(`${functionName}: ${description} (NVML ${NVML_RETURN_NAMES.get(code) ?? 'error'} ${code})`);
    this.name = 'NvmlCallError';
  }
}

/** An opaque NVML handle (device, event set, GPM sample) as koffi passes it around. */
export interface NvmlHandle {
  readonly __nvmlHandle: never;
}

/** An out-parameter slot NVML writes a handle into. */
export type HandleSlot = [NvmlHandle | null];

/** A fresh out-parameter slot for a handle. */
export function handleSlot(): HandleSlot {
  return [null];
}

/** The handle NVML wrote into `slot`; throws if it wrote none (a broken library). */
export function handleIn(slot: HandleSlot, functionName: string): NvmlHandle {
  const [handle] = slot;
  if (handle === null) throw new Error(`${functionName} succeeded but returned no handle`);
  return handle;
}

/** The C prototypes this binding uses. Optional ones may be missing from old drivers. */
const PROTOTYPES = {
  nvmlInit_v2: 'int nvmlInit_v2(void)',
  nvmlShutdown: 'int nvmlShutdown(void)',
  nvmlErrorString: 'const char *nvmlErrorString(int result)',
  nvmlSystemGetDriverVersion: 'int nvmlSystemGetDriverVersion(void *version, uint32_t length)',
  nvmlSystemGetNVMLVersion: 'int nvmlSystemGetNVMLVersion(void *version, uint32_t length)',
  nvmlDeviceGetCount_v2: 'int nvmlDeviceGetCount_v2(_Out_ uint32_t *count)',
  nvmlDeviceGetHandleByIndex_v2: 'int nvmlDeviceGetHandleByIndex_v2(uint32_t index, _Out_ nvmlDevice_t *device)',
  nvmlDeviceGetUUID: 'int nvmlDeviceGetUUID(nvmlDevice_t device, void *uuid, uint32_t length)',
  nvmlDeviceGetName: 'int nvmlDeviceGetName(nvmlDevice_t device, void *name, uint32_t length)',
  nvmlDeviceGetSerial: 'int nvmlDeviceGetSerial(nvmlDevice_t device, void *serial, uint32_t length)',
  nvmlDeviceGetVbiosVersion: 'int nvmlDeviceGetVbiosVersion(nvmlDevice_t device, void *version, uint32_t length)',
  nvmlDeviceGetPciInfo_v3: 'int nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, _Out_ nvmlPciInfo_t *pci)',
  nvmlDeviceGetClockInfo: 'int nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, _Out_ uint32_t *clock)',
  nvmlDeviceGetTemperature: 'int nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, _Out_ uint32_t *temperature)',
  nvmlDeviceGetPowerUsage: 'int nvmlDeviceGetPowerUsage(nvmlDevice_t device, _Out_ uint32_t *milliwatts)',
  nvmlDeviceGetPowerManagementLimit: 'int nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, _Out_ uint32_t *milliwatts)',
  nvmlDeviceGetEnforcedPowerLimit: 'int nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, _Out_ uint32_t *milliwatts)',
  nvmlDeviceGetCurrPcieLinkGeneration: 'int nvmlDeviceGetCurrPcieLinkGeneration(nvmlDevice_t device, _Out_ uint32_t *generation)',
  nvmlDeviceGetCurrPcieLinkWidth: 'int nvmlDeviceGetCurrPcieLinkWidth(nvmlDevice_t device, _Out_ uint32_t *width)',
  nvmlDeviceGetUtilizationRates: 'int nvmlDeviceGetUtilizationRates(nvmlDevice_t device, _Out_ nvmlUtilization_t *utilization)',
  nvmlDeviceGetEncoderUtilization: 'int nvmlDeviceGetEncoderUtilization(nvmlDevice_t device, _Out_ uint32_t *utilization, _Out_ uint32_t *samplingPeriodUs)',
  nvmlDeviceGetDecoderUtilization: 'int nvmlDeviceGetDecoderUtilization(nvmlDevice_t device, _Out_ uint32_t *utilization, _Out_ uint32_t *samplingPeriodUs)',
  nvmlDeviceGetMemoryInfo_v2: 'int nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, _Inout_ nvmlMemory_v2_t *memory)',
  nvmlDeviceGetFanSpeed: 'int nvmlDeviceGetFanSpeed(nvmlDevice_t device, _Out_ uint32_t *speed)',
  nvmlDeviceGetPerformanceState: 'int nvmlDeviceGetPerformanceState(nvmlDevice_t device, _Out_ int *state)',
  nvmlDeviceGetFieldValues: 'int nvmlDeviceGetFieldValues(nvmlDevice_t device, int count, void *values)',
  nvmlDeviceGetMigMode: 'int nvmlDeviceGetMigMode(nvmlDevice_t device, _Out_ uint32_t *current, _Out_ uint32_t *pending)',
  nvmlDeviceGetMaxMigDeviceCount: 'int nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, _Out_ uint32_t *count)',
  nvmlDeviceGetMigDeviceHandleByIndex: 'int nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, uint32_t index, _Out_ nvmlDevice_t *mig)',
  nvmlDeviceGetGpuInstanceId: 'int nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, _Out_ uint32_t *id)',
  nvmlDeviceGetComputeInstanceId: 'int nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, _Out_ uint32_t *id)',
  nvmlDeviceGetGpuInstanceById: 'int nvmlDeviceGetGpuInstanceById(nvmlDevice_t device, uint32_t id, _Out_ nvmlGpuInstance_t *instance)',
  nvmlGpuInstanceGetInfo: 'int nvmlGpuInstanceGetInfo(nvmlGpuInstance_t instance, void *info)',
  nvmlDeviceGetGpuInstanceProfileInfoV: 'int nvmlDeviceGetGpuInstanceProfileInfoV(nvmlDevice_t device, uint32_t profile, void *info)',
  nvmlEventSetCreate: 'int nvmlEventSetCreate(_Out_ nvmlEventSet_t *set)',
  nvmlDeviceRegisterEvents: 'int nvmlDeviceRegisterEvents(nvmlDevice_t device, uint64_t eventTypes, nvmlEventSet_t set)',
  nvmlEventSetWait_v2: 'int nvmlEventSetWait_v2(nvmlEventSet_t set, void *data, uint32_t timeoutMs)',
  nvmlEventSetFree: 'int nvmlEventSetFree(nvmlEventSet_t set)',
  nvmlGpmQueryDeviceSupport: 'int nvmlGpmQueryDeviceSupport(nvmlDevice_t device, void *support)',
  nvmlGpmSampleAlloc: 'int nvmlGpmSampleAlloc(_Out_ nvmlGpmSample_t *sample)',
  nvmlGpmSampleFree: 'int nvmlGpmSampleFree(nvmlGpmSample_t sample)',
  nvmlGpmSampleGet: 'int nvmlGpmSampleGet(nvmlDevice_t device, nvmlGpmSample_t sample)',
  nvmlGpmMigSampleGet: 'int nvmlGpmMigSampleGet(nvmlDevice_t device, uint32_t gpuInstanceId, nvmlGpmSample_t sample)',
  nvmlGpmMetricsGet: 'int nvmlGpmMetricsGet(void *metricsGet)',
} as const;

/** The name of an NVML function this binding calls. */
export type NvmlFunctionName = keyof typeof PROTOTYPES;

/** Functions without which the library is of no use: a driver too old to have them is refused at load. */
const REQUIRED: readonly NvmlFunctionName[] = ['nvmlInit_v2', 'nvmlShutdown', 'nvmlErrorString', 'nvmlDeviceGetCount_v2', 'nvmlDeviceGetHandleByIndex_v2', 'nvmlDeviceGetUUID', 'nvmlDeviceGetName', 'nvmlDeviceGetPciInfo_v3'];

let typesDeclared = false;

/** Declares the NVML types koffi needs, once per process (koffi's type names are global). */
function declareTypes(): void {
  if (typesDeclared) return;
  koffi.pointer('nvmlDevice_t', koffi.opaque('nvmlDevice_st'));
  koffi.pointer('nvmlGpuInstance_t', koffi.opaque('nvmlGpuInstance_st'));
  koffi.pointer('nvmlEventSet_t', koffi.opaque('nvmlEventSet_st'));
  koffi.pointer('nvmlGpmSample_t', koffi.opaque('nvmlGpmSample_st'));
  koffi.struct('nvmlUtilization_t', { gpu: 'uint32', memory: 'uint32' });
  koffi.struct('nvmlMemory_v2_t', { version: 'uint32', total: 'uint64', reserved: 'uint64', free: 'uint64', used: 'uint64' });
  koffi.struct('nvmlPciInfo_t', {
    busIdLegacy: 'char[16]',
    domain: 'uint32',
    bus: 'uint32',
    device: 'uint32',
    pciDeviceId: 'uint32',
    pciSubSystemId: 'uint32',
    busId: 'char[32]',
  });
  typesDeclared = true;
}

/** The library could not be loaded (absent, wrong architecture, too old). */
export class NvmlLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NvmlLoadError';
  }
}

/** A call that was started and has not returned yet. */
export interface PendingCall {
  readonly functionName: NvmlFunctionName;
  /** What the call is about: `library`, or `gpu <index>`. */
  readonly scope: string;
  /** Monotonic milliseconds when it started. */
  readonly startedMs: number;
}

/** The most NVML calls queued on koffi's worker threads at once (koffi refuses more than 256). */
const MAX_CONCURRENT_CALLS = 48;

/**
 * `libnvidia-ml.so.1` loaded through koffi. Every call runs on koffi's worker threads (`.async`),
 * never on the event loop. A call whose caller gives up (its signal fired) keeps its worker until
 * it returns; it stays listed in {@link pending}, so the reader can stop calling into a GPU that
 * hangs instead of piling more blocked calls onto the few worker threads.
 */
export class NvmlLibrary {
  readonly path: string;
  /** The bound functions; each holds a reference to the loaded library, which keeps it loaded. */
  readonly #functions = new Map<NvmlFunctionName, KoffiFunction>();
  readonly #pending = new Set<PendingCall>();
  readonly #monotonic: () => number;
  #running = 0;
  readonly #queue: (() => void)[] = [];

  private constructor(path: string, monotonic: () => number) {
    this.path = path;
    this.#monotonic = monotonic;
  }

  /** Loads the library and binds its functions. Throws {@link NvmlLoadError} when it cannot. */
  static load(path: string, monotonic: () => number): NvmlLibrary {
    declareTypes();
    let library: LibraryHandle;
    try {
      library = koffi.load(path);
    } catch (error) {
      throw new NvmlLoadError(`cannot load ${path}: ${(error as Error).message}`, { cause: error });
    }
    const nvml = new NvmlLibrary(path, monotonic);
    for (const [name, prototype] of Object.entries(PROTOTYPES) as [NvmlFunctionName, string][]) {
      try {
        nvml.#functions.set(name, library.func(prototype));
      } catch (error) {
        if (REQUIRED.includes(name)) {
          library.unload();
          throw new NvmlLoadError(`${path} lacks ${name} (driver too old?): ${(error as Error).message}`, { cause: error });
        }
      }
    }
    return nvml;
  }

  /** True when the loaded library exports `name`. */
  has(name: NvmlFunctionName): boolean {
    return this.#functions.has(name);
  }

  /** Calls that have not returned, oldest first. */
  pending(): PendingCall[] {
    return [...this.#pending].sort((a, b) => a.startedMs - b.startedMs);
  }

  /** NVML's description of a return code. A pure lookup, safe on the event loop. */
  errorString(code: number): string {
    const describe = this.#functions.get('nvmlErrorString');
    const text: unknown = describe === undefined ? undefined : describe(code);
    return typeof text === 'string' ? text : (NVML_RETURN_NAMES.get(code) ?? `error ${code}`);
  }

  /** An error for a failed call, with NVML's own description. */
  error(functionName: string, code: number): NvmlCallError {
    return new NvmlCallError(functionName, code, this.errorString(code));
  }

  /**
   * Runs `name(...args)` on a worker thread and resolves with its NVML return code (out-parameters
   * are filled in place). A function the library lacks answers FUNCTION_NOT_FOUND without a call.
   * Rejects with the signal's reason as soon as `signal` fires; the native call runs on regardless
   * and stays in {@link pending} until it returns.
   */
  call(name: NvmlFunctionName, scope: string, signal: AbortSignal, ...args: unknown[]): Promise<number> {
    const fn = this.#functions.get(name);
    if (fn === undefined) return Promise.resolve(NVML_ERROR_FUNCTION_NOT_FOUND);
    signal.throwIfAborted();
    return new Promise<number>((resolve, reject) => {
      const onAbort = (): void => reject(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      const start = (): void => {
        if (signal.aborted) {
          this.#release();
          return;
        }
        const entry: PendingCall = { functionName: name, scope, startedMs: this.#monotonic() };
        this.#pending.add(entry);
        fn.async(...args, (error: unknown, code: unknown) => {
          this.#pending.delete(entry);
          this.#release();
          signal.removeEventListener('abort', onAbort);
          if (error !== null && error !== undefined) reject(error instanceof Error ? error : new Error(`koffi: ${JSON.stringify(error)}`));
          else resolve(typeof code === 'number' ? code : Number(code));
        });
      };
      if (this.#running < MAX_CONCURRENT_CALLS) {
        this.#running++;
        start();
      } else {
        this.#queue.push(() => {
          this.#running++;
          start();
        });
      }
    });
  }

  #release(): void {
    this.#running--;
    this.#queue.shift()?.();
  }

  /** The address of a handle, to compare handles that NVML returns in event data. */
  static address(handle: NvmlHandle): bigint {
    return koffi.address(handle);
  }
}

/** Reads a NUL-terminated string out of a buffer NVML filled. */
export function readCString(buffer: Buffer): string {
  const end = buffer.indexOf(0);
  return buffer.toString('utf8', 0, end === -1 ? buffer.length : end);
}
