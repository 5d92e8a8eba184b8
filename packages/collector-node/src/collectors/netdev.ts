import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { NET_DEVICE_STATISTICS, netDeviceMetrics } from '../metrics.js';
import { NameFilter } from '../name-filter.js';
import { parseNumber } from '../parsers/fields.js';
import { parseNetDev } from '../parsers/net-dev.js';
import type { SubCollector } from '../sub-collector.js';

/** The family of `receive_nohandler`, the one statistic `/proc/net/dev` lacks. */
const NOHANDLER_FAMILY = netDeviceMetrics[NET_DEVICE_STATISTICS.indexOf('receive_nohandler')];

/**
 * netdev: per-interface counters, under the names node_exporter 1.5.0 gives them by default.
 *
 * node_exporter reads them over netlink and folds the detailed error counters into the legacy
 * names exactly as the kernel's `/proc/net/dev` does (net/core/net-procfs.c), so reading
 * `/proc/net/dev` gives the same sixteen values. The seventeenth, `receive_nohandler`, exists only
 * in the kernel's link statistics; it comes from sysfs (`statistics/rx_nohandler`) and is left out
 * for an interface whose sysfs entry cannot be read.
 */
export class NetdevCollector implements SubCollector {
  readonly name = 'netdev';
  readonly #netDevPath: string;
  /** `<sysfs>/class/net/`: per-interface paths are built by concatenation. */
  readonly #classDirectory: string;
  readonly #filter: NameFilter;

  constructor(options: { readonly roots: FilesystemRoots; readonly deviceExclude: string | undefined; readonly deviceInclude: string | undefined }) {
    this.#netDevPath = join(options.roots.procfs, 'net/dev');
    this.#classDirectory = `${join(options.roots.sysfs, 'class/net')}/`;
    this.#filter = new NameFilter({ exclude: options.deviceExclude, include: options.deviceInclude });
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const interfaces = parseNetDev(await files.readKernelFile(this.#netDevPath)).filter((entry) => !this.#filter.ignores(entry.device));
    await Promise.all(
      interfaces.map(async ({ device, values }) => {
        const labels = { device }; // shared by the counters: the host's sink copies what it keeps
        for (const [index, value] of values.entries()) {
          const family = netDeviceMetrics[index];
          if (family !== undefined) output.add(family, labels, value);
        }
        const noHandler = await this.#readNoHandler(files, device);
        if (noHandler !== undefined && NOHANDLER_FAMILY !== undefined) output.add(NOHANDLER_FAMILY, labels, noHandler);
      }),
    );
  }

  async #readNoHandler(files: CollectionFiles, device: string): Promise<number | undefined> {
    try {
      return parseNumber((await files.readKernelFile(`${this.#classDirectory}${device}/statistics/rx_nohandler`)).trim(), `rx_nohandler of ${device}`);
    } catch (error) {
      if (files.signal.aborted) throw error;
      return undefined;
    }
  }
}
