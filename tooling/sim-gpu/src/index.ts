/**
 * @tessera/sim-gpu — simulated NVIDIA GPUs for tests, benchmarks and the demo. One scenario drives
 * a fake `libnvidia-ml.so.1` (real NVML ABI, built from C with gcc), a fake `nvidia-smi` (linked
 * against that library, printing the real CSV shapes) and a kubelet pod-resources gRPC server on a
 * unix socket. See the package README.
 */
import { copyFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildNative } from './native-build.js';
import { startPodResourcesServer, type PodResourcesServer } from './pod-resources-server.js';
import { defaultScenario, formatScenario, type GpuScenario } from './scenario.js';

export { buildNative, NATIVE_SOURCE_DIR, type NativeBuild } from './native-build.js';
export { POD_RESOURCES_PROTO, startPodResourcesServer, type PodResourcesServer } from './pod-resources-server.js';
export * from './scenario.js';

/** Options of {@link startGpuSimulator}. */
export interface GpuSimulatorOptions {
  /** The scenario to start with (default: {@link defaultScenario} with `gpus` and `mig`). */
  readonly scenario?: GpuScenario;
  readonly gpus?: number;
  readonly mig?: boolean;
  /** Serve the kubelet pod-resources API (default true). */
  readonly podResources?: boolean;
}

/** A running simulated GPU node. */
export interface GpuSimulator {
  /** The private directory holding the library, the tool, the scenario and the socket. */
  readonly directory: string;
  readonly libraryPath: string;
  readonly nvidiaSmiPath: string;
  /** The pod-resources socket, or undefined when not served. */
  readonly podResourcesSocket: string | undefined;
  /** The `collectors.dcgm` config entry that reaches this simulator. */
  readonly config: Record<string, unknown>;
  /** The scenario in force. */
  readonly scenario: GpuScenario;
  /** Replaces the scenario; the library and the tool see it on their next call. */
  setScenario(scenario: GpuScenario): Promise<void>;
  /** Stops the gRPC server and removes the directory. Idempotent. */
  close(): Promise<void>;
}

/**
 * Writes the simulated library and tool, with the scenario, into `directory`: what a golden test
 * case lays out in its input so that `libraryPath: ${inputDir}/libnvidia-ml.so.1` reaches it. The
 * library reads `scenario.txt` beside itself, so each copy serves its own scenario.
 */
export async function installGpuSimulator(directory: string, scenario: GpuScenario): Promise<{ libraryPath: string; nvidiaSmiPath: string }> {
  const built = await buildNative();
  const libraryPath = join(directory, 'libnvidia-ml.so.1');
  const nvidiaSmiPath = join(directory, 'nvidia-smi');
  await copyFile(built.libraryPath, libraryPath);
  await copyFile(built.nvidiaSmiPath, nvidiaSmiPath);
  await writeScenario(directory, scenario);
  return { libraryPath, nvidiaSmiPath };
}

/** Writes `scenario.txt` atomically (a rename), so a reader never sees half a scenario. */
export async function writeScenario(directory: string, scenario: GpuScenario): Promise<void> {
  const temporary = join(directory, `.scenario.${process.pid}.${Math.random().toString(36).slice(2)}`);
  await writeFile(temporary, formatScenario(scenario));
  await rename(temporary, join(directory, 'scenario.txt'));
}

/** Starts a simulated GPU node in a private temporary directory. */
export async function startGpuSimulator(options: GpuSimulatorOptions = {}): Promise<GpuSimulator> {
  let scenario = options.scenario ?? defaultScenario({ gpus: options.gpus ?? 1, mig: options.mig ?? false });
  const directory = await mkdtemp(join(tmpdir(), 'tessera-gpu-'));
  let server: PodResourcesServer | undefined;
  try {
    const { libraryPath, nvidiaSmiPath } = await installGpuSimulator(directory, scenario);
    const podResourcesSocket = options.podResources === false ? undefined : join(directory, 'kubelet.sock');
    if (podResourcesSocket !== undefined) server = await startPodResourcesServer(podResourcesSocket, () => scenario.pods ?? []);
    let closed = false;
    return {
      directory,
      libraryPath,
      nvidiaSmiPath,
      podResourcesSocket,
      config: {
        nvml: { libraryPath },
        nvidiaSmi: { path: nvidiaSmiPath },
        kubernetes: podResourcesSocket === undefined ? { enabled: false } : { podResourcesSocket },
      },
      get scenario() {
        return scenario;
      },
      async setScenario(next) {
        scenario = next;
        await writeScenario(directory, next);
      },
      async close() {
        if (closed) return;
        closed = true;
        await server?.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server?.close();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}
