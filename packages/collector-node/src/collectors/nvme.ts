import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { listOrNoData, type CollectionFiles } from '../collection-files.js';
import { nvmeMetrics } from '../metrics.js';
import type { SubCollector } from '../sub-collector.js';

/** The block size of a block device's `size` attribute, whatever the device's own: the kernel counts 512-byte sectors there. */
const SECTOR_BYTES = 512;

/** A namespace directory inside a controller's: `nvme0n1` (namespace 1). */
const NAMESPACE_DIRECTORY = /nvme\d+n(\d+)/;

/**
 * nvme: every NVMe controller under `<sysfs>/class/nvme/`: `node_nvme_info` with model, serial,
 * firmware, state (`live`, `resetting`, `dead` …) and controller id, and per namespace its size,
 * capacity, space in use, logical block size and ANA state (multipath).
 *
 * Sizes are computed from the kernel's units: `size` counts 512-byte sectors and `nuse` logical
 * blocks. node_exporter multiplies `size` by the logical block size too, which reports eight times
 * the size of a namespace formatted with 4 KiB blocks; here it is right (see README, "Differences").
 */
export class NvmeCollector implements SubCollector {
  readonly name = 'nvme';
  readonly #classDirectory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#classDirectory = join(options.roots.sysfs, 'class/nvme');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const device of await listOrNoData(files, this.#classDirectory, 'no NVMe controllers')) {
      const directory = join(this.#classDirectory, device);
      const attribute = async (name: string): Promise<string> => (await files.readKernelFile(join(directory, name))).trim();
      output.add(
        nvmeMetrics.info,
        { cntlid: await attribute('cntlid'), device, firmware_revision: await attribute('firmware_rev'), model: await attribute('model'), serial: await attribute('serial'), state: await attribute('state') },
        1,
      );
      for (const entry of (await files.readKernelDirectory(directory)).sort()) {
        const nsid = NAMESPACE_DIRECTORY.exec(entry)?.[1];
        if (nsid !== undefined) await this.#collectNamespace(output, files, device, nsid, join(directory, entry));
      }
    }
  }

  async #collectNamespace(output: MetricSink, files: CollectionFiles, device: string, nsid: string, directory: string): Promise<void> {
    // A value that does not parse counts as 0, as in node_exporter; a missing file fails the sub-collector.
    const count = async (name: string): Promise<number> => {
      const text = (await files.readKernelFile(join(directory, name))).trim();
      return /^[0-9]+$/.test(text) ? Number(text) : 0;
    };
    const usedBlocks = await count('nuse');
    const sectors = await count('size');
    const blockSize = await count('queue/logical_block_size');
    const anaState = (await files.readOptionalKernelFile(join(directory, 'ana_state')))?.trim() ?? 'unknown';
    const labels = { device, nsid };
    output.add(nvmeMetrics.namespaceInfo, { ana_state: anaState, device, nsid }, 1);
    output.add(nvmeMetrics.namespaceCapacity, labels, sectors * SECTOR_BYTES);
    output.add(nvmeMetrics.namespaceSize, labels, sectors * SECTOR_BYTES);
    output.add(nvmeMetrics.namespaceUsed, labels, usedBlocks * blockSize);
    output.add(nvmeMetrics.namespaceLogicalBlockSize, labels, blockSize);
  }
}
