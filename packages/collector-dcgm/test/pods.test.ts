import { defaultScenario, startGpuSimulator, type GpuSimulator } from '@tessera/sim-gpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeListResponse, PodResourcesClient } from '../src/pod-resources/pod-resources-client.js';
import { collectParsed } from './support/render-text.js';

describe('Kubernetes attribution through the kubelet pod-resources API', () => {
  let simulator: GpuSimulator;
  beforeAll(async () => {
    const scenario = defaultScenario({ gpus: 3, mig: true });
    const gpu0 = scenario.gpus[0]!;
    const gpu1 = scenario.gpus[1]!;
    const migInstance = gpu0.mig![1]!; // 2g.20gb, GPU instance 3
    simulator = await startGpuSimulator({
      scenario: {
        ...scenario,
        // GPU 0 is split: one MIG device goes to inference/server; GPU 1 goes whole to ml/trainer-0.
        pods: [
          { namespace: 'ml', name: 'trainer-0', containers: [{ name: 'main', devices: [{ resourceName: 'nvidia.com/gpu', deviceIds: [gpu1.uuid] }] }, { name: 'sidecar', devices: [] }] },
          { namespace: 'inference', name: 'server-7c9f', containers: [{ name: 'triton', devices: [{ resourceName: 'nvidia.com/mig-2g.20gb', deviceIds: [migInstance.uuid] }] }] },
          { namespace: 'other', name: 'nic-user', containers: [{ name: 'app', devices: [{ resourceName: 'example.com/nic', deviceIds: [scenario.gpus[2]!.uuid] }] }] },
        ],
      },
    });
  });
  afterAll(() => simulator.close());

  it('labels exactly the series of the devices a pod holds', async () => {
    const { families } = await collectParsed({ ...simulator.config, hostname: 'node-a' });
    const used = families.find((family) => family.name === 'DCGM_FI_DEV_FB_USED')!;
    const owners = used.samples.map((sample) => `${sample.labels.gpu}/${sample.labels.GPU_I_ID ?? ''} ${sample.labels.namespace ?? ''}/${sample.labels.pod ?? ''}/${sample.labels.container ?? ''}`).sort();
    expect(owners).toEqual(['0/2 //', '0/3 inference/server-7c9f/triton', '0/9 //', '1/ ml/trainer-0/main', '2/ //']);
    // Every family of the held GPU carries the pod, not just one.
    for (const family of families) {
      for (const sample of family.samples.filter((entry) => entry.labels.gpu === '1')) expect(sample.labels.pod, `${family.name}`).toBe('trainer-0');
    }
  });

  it('the client decodes what the kubelet proto encodes, skipping fields it does not use', async () => {
    const client = new PodResourcesClient(simulator.podResourcesSocket!);
    try {
      const pods = await client.list(AbortSignal.timeout(10_000));
      expect(pods.map((pod) => `${pod.namespace}/${pod.name}`)).toEqual(['ml/trainer-0', 'inference/server-7c9f', 'other/nic-user']);
      expect(pods[0]?.containers.map((container) => container.name)).toEqual(['main', 'sidecar']);
      expect(pods[1]?.containers[0]?.devices).toEqual([{ resourceName: 'nvidia.com/mig-2g.20gb', deviceIds: [simulator.scenario.gpus[0]!.mig![1]!.uuid] }]);
    } finally {
      client.close();
    }
  });

  it('a response with fields from a newer kubelet (cpu ids, topology, unknown numbers) decodes the same', () => {
    // ListPodResourcesResponse{pod_resources: [{name: "p", namespace: "n", containers: [{name: "c", devices: [{resource_name: "nvidia.com/gpu", device_ids: ["GPU-1"], topology: {...}}], cpu_ids: [3]}], 9: "x"}]}
    const string = (field: number, text: string): number[] => [(field << 3) | 2, text.length, ...Buffer.from(text)];
    const message = (field: number, body: number[]): number[] => [(field << 3) | 2, body.length, ...body];
    const device = [...string(1, 'nvidia.com/gpu'), ...string(2, 'GPU-1'), ...message(3, message(1, [8, 1]))];
    const container = [...string(1, 'c'), ...message(2, device), 3 << 3, 3];
    const pod = [...string(1, 'p'), ...string(2, 'n'), ...message(3, container), ...string(9, 'x')];
    expect(decodeListResponse(Uint8Array.from(message(1, pod)))).toEqual([{ name: 'p', namespace: 'n', containers: [{ name: 'c', devices: [{ resourceName: 'nvidia.com/gpu', deviceIds: ['GPU-1'] }] }] }]);
    expect(() => decodeListResponse(Uint8Array.from([0x0a, 0x05, 0x01]))).toThrow(/runs past the end/);
  });

  it('a missing socket means no pod labels and one info line, not a failed collection', async () => {
    const { families, context } = await collectParsed({ ...simulator.config, kubernetes: { podResourcesSocket: `${simulator.directory}/absent.sock` } });
    expect(families.find((family) => family.name === 'DCGM_FI_DEV_GPU_TEMP')?.samples.every((sample) => (sample.labels.pod ?? '') === '')).toBe(true);
    expect(context.logs.filter((record) => /absent\.sock not found/.test(record.message)).map((record) => record.level)).toEqual(['info']);
  });
});
