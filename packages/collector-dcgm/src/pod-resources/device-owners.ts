/** The pod, namespace and container a device is assigned to. */
export interface DeviceOwner {
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
}

/** A pod as the kubelet's pod-resources `List` returns it (the parts tessera uses). */
export interface PodResources {
  readonly name: string;
  readonly namespace: string;
  readonly containers: readonly { readonly name: string; readonly devices: readonly { readonly resourceName: string; readonly deviceIds: readonly string[] }[] }[];
}

/** True for the resources that name NVIDIA devices: `nvidia.com/gpu`, `nvidia.com/mig-*`, and any configured extra name. */
export function isNvidiaResource(resourceName: string, extraNames: readonly string[]): boolean {
  return resourceName === 'nvidia.com/gpu' || resourceName.startsWith('nvidia.com/mig-') || extraNames.includes(resourceName);
}

/**
 * Maps device ids (GPU and MIG UUIDs, as the NVIDIA device plugin reports them) to the container
 * holding them. Time-sliced GPUs appear with a `::<n>` replica suffix, which is dropped: the
 * first container listed keeps the device.
 */
export function mapDeviceOwners(pods: readonly PodResources[], extraResourceNames: readonly string[] = []): Map<string, DeviceOwner> {
  const owners = new Map<string, DeviceOwner>();
  for (const pod of pods) {
    for (const container of pod.containers) {
      for (const device of container.devices) {
        if (!isNvidiaResource(device.resourceName, extraResourceNames)) continue;
        for (const id of device.deviceIds) {
          const uuid = id.replace(/::\d+$/, '');
          if (!owners.has(uuid)) owners.set(uuid, { pod: pod.name, namespace: pod.namespace, container: container.name });
        }
      }
    }
  }
  return owners;
}
