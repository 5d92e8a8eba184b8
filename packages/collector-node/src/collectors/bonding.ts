import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { readOrNoData, type CollectionFiles } from '../collection-files.js';
import { bondingMetrics } from '../metrics.js';
import { splitFields } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/**
 * bonding: per bonding interface (`bonding_masters` under `<sysfs>/class/net`), how many slaves
 * it has and how many of them are up (MII status `up`): a failed link of a bonded pair shows as
 * active < slaves. Without the bonding module there is no data.
 */
export class BondingCollector implements SubCollector {
  readonly name = 'bonding';
  readonly #classDirectory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#classDirectory = join(options.roots.sysfs, 'class/net');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const masters = await readOrNoData(files, join(this.#classDirectory, 'bonding_masters'), 'the bonding module is not loaded');
    for (const master of splitFields(masters)) {
      let slaves = 0;
      let active = 0;
      for (const slave of splitFields(await files.readKernelFile(join(this.#classDirectory, master, 'bonding/slaves')))) {
        // lower_<slave> since Linux 4.x; slave_<slave> before.
        let status = await files.readOptionalKernelFile(join(this.#classDirectory, master, `lower_${slave}`, 'bonding_slave/mii_status'));
        status ??= await files.readKernelFile(join(this.#classDirectory, master, `slave_${slave}`, 'bonding_slave/mii_status'));
        slaves++;
        if (status.trim() === 'up') active++;
      }
      output.add(bondingMetrics.slaves, { master }, slaves);
      output.add(bondingMetrics.active, { master }, active);
    }
  }
}
