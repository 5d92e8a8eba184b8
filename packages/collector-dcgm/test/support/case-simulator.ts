import { defaultScenario, startGpuSimulator, type SimulatedPod } from '@tessera/sim-gpu';
import type { RunningSimulator } from '@tessera/collector-testkit';

/**
 * Starts the simulated GPU node a golden case's `simulator.yaml` names: `{ name: gpu, options: {
 * gpus, mig, pods } }` — the default H100 scenario with that many GPUs (GPU 0 split into three MIG
 * instances with `mig`) and the pods the kubelet lists. `config.yaml` reaches it through
 * `${simulator.libraryPath}`, `${simulator.nvidiaSmiPath}` and `${simulator.podResourcesSocket}`.
 */
export async function startCaseSimulator(name: string, options: Readonly<Record<string, unknown>>): Promise<RunningSimulator> {
  if (name !== 'gpu') throw new Error(`simulator.yaml names ${JSON.stringify(name)}; the dcgm cases know only "gpu"`);
  const { gpus = 1, mig = false, pods = [], ...rest } = options as { gpus?: number; mig?: boolean; pods?: SimulatedPod[] };
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new Error(`simulator.yaml: unknown options ${unknown.join(', ')} (known: gpus, mig, pods)`);
  const simulator = await startGpuSimulator({ scenario: { ...defaultScenario({ gpus, mig }), pods } });
  return {
    placeholders: { libraryPath: simulator.libraryPath, nvidiaSmiPath: simulator.nvidiaSmiPath, podResourcesSocket: simulator.podResourcesSocket ?? '' },
    close: () => simulator.close(),
  };
}
