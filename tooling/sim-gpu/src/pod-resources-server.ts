import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { SimulatedPod } from './scenario.js';

/** The kubelet's pod-resources v1 API definition this server speaks. */
export const POD_RESOURCES_PROTO = fileURLToPath(new URL('../proto/podresources-v1.proto', import.meta.url));

/** A running simulated kubelet pod-resources endpoint. */
export interface PodResourcesServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

interface ServiceDefinition {
  v1: { PodResourcesLister: { service: grpc.ServiceDefinition } };
}

/**
 * Serves `v1.PodResourcesLister` `List` on a unix socket (other methods answer UNIMPLEMENTED),
 * answering from `pods()` at each call, so a test can reassign devices while a client polls.
 */
export async function startPodResourcesServer(socketPath: string, pods: () => readonly SimulatedPod[]): Promise<PodResourcesServer> {
  const definition = protoLoader.loadSync(POD_RESOURCES_PROTO, { keepCase: false, longs: String, defaults: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as ServiceDefinition;
  const server = new grpc.Server();
  server.addService(loaded.v1.PodResourcesLister.service, {
    List: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      callback(null, {
        podResources: pods().map((pod) => ({
          name: pod.name,
          namespace: pod.namespace,
          containers: pod.containers.map((container) => ({
            name: container.name,
            devices: container.devices.map((device) => ({ resourceName: device.resourceName, deviceIds: [...device.deviceIds] })),
          })),
        })),
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socketPath}`, grpc.ServerCredentials.createInsecure(), (error) => (error === null ? resolve() : reject(error)));
  });
  return {
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Clients holding a connection open would delay a graceful shutdown; do not wait for them.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}
