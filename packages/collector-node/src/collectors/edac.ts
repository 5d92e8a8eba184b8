import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { listIfPresent, type CollectionFiles } from '../collection-files.js';
import { edacMetrics } from '../metrics.js';
import { edacDimmLabel } from '../parsers/edac.js';
import { parseUnsigned } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** The leading digits of `name` after `prefix` (`mc12` → `12`), as node_exporter's patterns capture them. */
const numberAfter = (name: string, prefix: string): string => /^[0-9]*/.exec(name.slice(prefix.length))?.[0] ?? '';

/**
 * edac: memory errors the kernel's EDAC drivers count, from `<sysfs>/devices/system/edac/mc/`:
 * correctable and uncorrectable errors per memory controller, per chip-select row (errors the
 * driver could not place go to `csrow="unknown"`), and per channel with its DIMM label. A machine
 * without EDAC reports nothing and succeeds, as in node_exporter. A controller or row whose count
 * cannot be read fails the sub-collector.
 */
export class EdacCollector implements SubCollector {
  readonly name = 'edac';
  readonly #directory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#directory = join(options.roots.sysfs, 'devices/system/edac/mc');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const count = async (path: string): Promise<number> => parseUnsigned((await files.readKernelFile(path)).trim(), path);
    for (const entry of (await listIfPresent(files, this.#directory)) ?? []) {
      if (!/^mc[0-9]/.test(entry)) continue;
      const controllerDirectory = join(this.#directory, entry);
      const controller = numberAfter(entry, 'mc');
      output.add(edacMetrics.correctable, { controller }, await count(join(controllerDirectory, 'ce_count')));
      output.add(edacMetrics.csrowCorrectable, { controller, csrow: 'unknown' }, await count(join(controllerDirectory, 'ce_noinfo_count')));
      output.add(edacMetrics.uncorrectable, { controller }, await count(join(controllerDirectory, 'ue_count')));
      output.add(edacMetrics.csrowUncorrectable, { controller, csrow: 'unknown' }, await count(join(controllerDirectory, 'ue_noinfo_count')));
      for (const row of (await listIfPresent(files, controllerDirectory)) ?? []) {
        if (!/^csrow[0-9]/.test(row)) continue;
        const rowDirectory = join(controllerDirectory, row);
        const csrow = numberAfter(row, 'csrow');
        output.add(edacMetrics.csrowCorrectable, { controller, csrow }, await count(join(rowDirectory, 'ce_count')));
        output.add(edacMetrics.csrowUncorrectable, { controller, csrow }, await count(join(rowDirectory, 'ue_count')));
        for (const file of (await listIfPresent(files, rowDirectory)) ?? []) {
          const channel = /^ch([0-9]+)_ce_count$/.exec(file)?.[1];
          if (channel === undefined) continue;
          const labels = { channel, controller, csrow, dimm_label: edacDimmLabel(await files.readOptionalKernelFile(join(rowDirectory, `ch${channel}_dimm_label`))) };
          output.add(edacMetrics.channelCorrectable, labels, await count(join(rowDirectory, file)));
          // Not every driver counts uncorrectable errors per channel.
          const uncorrectable = await files.readOptionalKernelFile(join(rowDirectory, `ch${channel}_ue_count`));
          if (uncorrectable !== undefined) output.add(edacMetrics.channelUncorrectable, labels, parseUnsigned(uncorrectable.trim(), `${rowDirectory}/ch${channel}_ue_count`));
        }
      }
    }
  }
}
