import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import type { PodResources } from './device-owners.js';
import { bytesFields, readFields, repeatedStrings, stringField } from './protobuf.js';

/** The kubelet's pod-resources v1 `List` method. */
const LIST_METHOD = '/v1.PodResourcesLister/List';

/** A big node lists thousands of pods; the gRPC default cap of 4 MiB is too small for some. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

/**
 * Decodes a `v1.ListPodResourcesResponse`: pod_resources (1) → PodResources { name (1),
 * namespace (2), containers (3) → ContainerResources { name (1), devices (2) → ContainerDevices {
 * resource_name (1), device_ids (2) } } }. CPU, memory, topology and DRA fields are skipped.
 */
export function decodeListResponse(buffer: Uint8Array): PodResources[] {
  return bytesFields(readFields(buffer), 1).map((podBytes) => {
    const pod = readFields(podBytes);
    return {
      name: stringField(pod, 1),
      namespace: stringField(pod, 2),
      containers: bytesFields(pod, 3).map((containerBytes) => {
        const container = readFields(containerBytes);
        return {
          name: stringField(container, 1),
          devices: bytesFields(container, 2).map((deviceBytes) => {
            const device = readFields(deviceBytes);
            return { resourceName: stringField(device, 1), deviceIds: repeatedStrings(device, 2) };
          }),
        };
      }),
    };
  });
}

/** A client of the kubelet's pod-resources API over its unix socket (gRPC, plaintext, as the kubelet serves it). */
export class PodResourcesClient {
  readonly socketPath: string;
  readonly #client: Client;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
    this.#client = new Client(`unix://${socketPath}`, credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_RESPONSE_BYTES,
      // The kubelet is local: do not let grpc-js back off for minutes after a kubelet restart.
      'grpc.initial_reconnect_backoff_ms': 500,
      'grpc.max_reconnect_backoff_ms': 5000,
    });
  }

  /** Lists every pod with its devices. Rejects when `signal` fires (it carries the caller's timeout). */
  list(signal: AbortSignal): Promise<PodResources[]> {
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const call = this.#client.makeUnaryRequest(
        LIST_METHOD,
        () => Buffer.alloc(0),
        (buffer: Buffer) => decodeListResponse(buffer),
        {},
        new Metadata(),
        (error: ServiceError | null, response?: PodResources[]) => {
          signal.removeEventListener('abort', onAbort);
          if (error !== null) reject(new Error(`pod-resources List on ${this.socketPath} failed: ${error.details || error.message}`, { cause: error }));
          else resolve(response ?? []);
        },
      );
      const onAbort = (): void => call.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    this.#client.close();
  }
}
