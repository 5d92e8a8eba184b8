import { join } from 'node:path';
import { NoDataError, type FilesystemRoots, type MetricFamily, type MetricSink } from '@tessera/collector-api';
import { isPermissionDenied, listOrNoData, type CollectionFiles } from '../collection-files.js';
import { raplMetrics, raplZoneFamily } from '../metrics.js';
import { parseUnsigned } from '../parsers/fields.js';
import { raplZoneIndex } from '../parsers/rapl.js';
import type { SubCollector } from '../sub-collector.js';
import { FoundFamilies } from './dynamic-families.js';

/**
 * rapl: the energy counters of Intel and AMD RAPL domains (package, cores, DRAM, platform) under
 * `<sysfs>/class/powercap/`, in joules: `node_rapl_<zone>_joules_total{index,path}`, or with
 * `enableZoneLabel` one `node_rapl_joules_total{index,path,rapl_zone}`. Since Linux 5.10 the
 * counters are readable by root only; unreadable ones mean no data, as in node_exporter.
 */
export class RaplCollector implements SubCollector {
  readonly name = 'rapl';
  readonly #classDirectory: string;
  readonly #zoneLabel: boolean;
  /** Families by zone name: one per kind of zone (`package`, `dram`). */
  readonly #families = new FoundFamilies<MetricFamily<'index' | 'path'>>();

  constructor(options: { readonly roots: FilesystemRoots; readonly enableZoneLabel: boolean }) {
    this.#classDirectory = join(options.roots.sysfs, 'class/powercap');
    this.#zoneLabel = options.enableZoneLabel;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const seen = new Map<string, number>();
    const zoneFamily = this.#families.declaringOn(output);
    let entries: string[];
    try {
      entries = await listOrNoData(files, this.#classDirectory, 'the platform has no powercap zones');
    } catch (error) {
      if (isPermissionDenied(error)) throw new NoDataError(`cannot read ${this.#classDirectory}`, { cause: error });
      throw error;
    }
    for (const entry of entries) {
      const path = join(this.#classDirectory, entry);
      // Control types (intel-rapl) have no name: only zones do.
      const nameText = await files.readOptionalKernelFile(join(path, 'name'));
      if (nameText === undefined) continue;
      const { name, index } = raplZoneIndex(nameText.trim(), seen);
      // A zone without its range is malformed; node_exporter fails the same way.
      parseUnsigned((await files.readKernelFile(join(path, 'max_energy_range_uj'))).trim(), join(path, 'max_energy_range_uj'));
      let microjoules: number;
      try {
        microjoules = parseUnsigned((await files.readKernelFile(join(path, 'energy_uj'))).trim(), join(path, 'energy_uj'));
      } catch (error) {
        if (isPermissionDenied(error)) throw new NoDataError(`${join(path, 'energy_uj')} is readable by root only (Linux 5.10+)`, { cause: error });
        throw error;
      }
      const joules = microjoules / 1_000_000;
      if (this.#zoneLabel) {
        output.add(raplMetrics.joules, { index: String(index), path, rapl_zone: name }, joules);
      } else {
        output.add(zoneFamily(name, () => raplZoneFamily(name)), { index: String(index), path }, joules);
      }
    }
  }
}
