import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultScenario, formatScenario, POD_RESOURCES_PROTO, startGpuSimulator, type GpuSimulator } from '../src/index.js';

const run = promisify(execFile);

describe('simulated GPU node', () => {
  let simulator: GpuSimulator;
  beforeAll(async () => {
    const scenario = defaultScenario({ gpus: 2, mig: true });
    simulator = await startGpuSimulator({
      scenario: { ...scenario, pods: [{ namespace: 'ml', name: 'p', containers: [{ name: 'c', devices: [{ resourceName: 'nvidia.com/gpu', deviceIds: [scenario.gpus[1]!.uuid] }] }] }] },
    });
  });
  afterAll(() => simulator.close());

  it('nvidia-smi prints the real CSV shapes: header with units, or noheader,nounits', async () => {
    const query = '--query-gpu=index,name,utilization.gpu,memory.used,power.draw,temperature.memory,clocks.sm';
    const withUnits = await run(simulator.nvidiaSmiPath, [query, '--format=csv']);
    expect(withUnits.stdout.split('\n')[0]).toBe('index, name, utilization.gpu [%], memory.used [MiB], power.draw [W], temperature.memory, clocks.current.sm [MHz]');
    // GPU 0 is in MIG mode: its utilisation is [N/A], as on real hardware.
    expect(withUnits.stdout.split('\n')[1]).toBe('0, NVIDIA H100 80GB HBM3, [N/A], 31022 MiB, 312.48 W, 48, 1980 MHz');
    const bare = await run(simulator.nvidiaSmiPath, [query, '--format=csv,noheader,nounits']);
    expect(bare.stdout).toBe('0, NVIDIA H100 80GB HBM3, [N/A], 31022, 312.48, 48, 1980\n1, NVIDIA H100 80GB HBM3, 88, 31023, 313.49, 49, 1965\n');
  });

  it('nvidia-smi -L lists GPUs and their MIG devices', async () => {
    const { stdout } = await run(simulator.nvidiaSmiPath, ['-L']);
    expect(stdout.split('\n').slice(0, 3)).toEqual([
      `GPU 0: NVIDIA H100 80GB HBM3 (UUID: ${simulator.scenario.gpus[0]!.uuid})`,
      `  MIG 3g.40gb     Device  0: (UUID: ${simulator.scenario.gpus[0]!.mig![0]!.uuid})`,
      `  MIG 2g.20gb     Device  1: (UUID: ${simulator.scenario.gpus[0]!.mig![1]!.uuid})`,
    ]);
  });

  it('nvidia-smi refuses an unknown field with exit code 2, as the real tool does', async () => {
    await expect(run(simulator.nvidiaSmiPath, ['--query-gpu=index,bogus', '--format=csv'])).rejects.toMatchObject({ code: 2, stdout: 'Field "bogus" is not a valid field to query.\n\n' });
  });

  it('a rewritten scenario is seen by the next call', async () => {
    const before = simulator.scenario;
    await simulator.setScenario({ ...before, gpus: before.gpus.map((gpu) => ({ ...gpu, values: { ...gpu.values, 'temperature.gpu': 77 } })) });
    const { stdout } = await run(simulator.nvidiaSmiPath, ['--query-gpu=temperature.gpu', '--format=csv,noheader']);
    expect(stdout).toBe('77\n77\n');
    await simulator.setScenario(before);
  });

  it('serves the kubelet pod-resources v1 List over the unix socket', async () => {
    const definition = protoLoader.loadSync(POD_RESOURCES_PROTO, { defaults: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { v1: { PodResourcesLister: grpc.ServiceClientConstructor } };
    const client = new loaded.v1.PodResourcesLister(`unix://${simulator.podResourcesSocket}`, grpc.credentials.createInsecure());
    try {
      const response = await new Promise<{ podResources: unknown[] }>((resolve, reject) => {
        (client as unknown as { List: (request: object, callback: (error: Error | null, value: { podResources: unknown[] }) => void) => void }).List({}, (error, value) => (error === null ? resolve(value) : reject(error)));
      });
      expect(response.podResources).toMatchObject([{ name: 'p', namespace: 'ml', containers: [{ name: 'c', devices: [{ resourceName: 'nvidia.com/gpu', deviceIds: [simulator.scenario.gpus[1]!.uuid] }] }] }]);
    } finally {
      client.close();
    }
  });

  it('refuses a multi-line string that would corrupt the scenario file', () => {
    expect(() => formatScenario({ gpus: [{ uuid: 'GPU-1', name: 'a\nb', pciBusId: '00000000:01:00.0' }] })).toThrow(/must be one line/);
  });
});
