import { join } from 'node:path';
import { NoDataError, type FilesystemRoots, type MetricFamily, type MetricSink } from '@tessera/collector-api';
import { isPermissionDenied, listIfPresent, type CollectionFiles } from '../collection-files.js';
import { dmiInfoFamily } from '../metrics.js';
import type { SubCollector } from '../sub-collector.js';

/** The files of `<sysfs>/class/dmi/id/` node_exporter reports, by label. */
const DMI_FILES: Readonly<Record<string, string>> = {
  bios_date: 'bios_date',
  bios_release: 'bios_release',
  bios_vendor: 'bios_vendor',
  bios_version: 'bios_version',
  board_asset_tag: 'board_asset_tag',
  board_name: 'board_name',
  board_serial: 'board_serial',
  board_vendor: 'board_vendor',
  board_version: 'board_version',
  chassis_asset_tag: 'chassis_asset_tag',
  chassis_serial: 'chassis_serial',
  chassis_vendor: 'chassis_vendor',
  chassis_version: 'chassis_version',
  product_family: 'product_family',
  product_name: 'product_name',
  product_serial: 'product_serial',
  product_sku: 'product_sku',
  product_uuid: 'product_uuid',
  product_version: 'product_version',
  system_vendor: 'sys_vendor',
};

/** What the firmware reported, read once: the family (its labels are the files that exist and are readable) and the values. */
interface DmiInfo {
  readonly family: MetricFamily;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * dmi: `node_dmi_info`, the machine's identity from the firmware (vendor, product, BIOS version,
 * serials) as `<sysfs>/class/dmi/id/` shows it, read once, as node_exporter does. Serials and the
 * UUID are readable by root only; for other users their labels are left out of the family.
 */
export class DmiCollector implements SubCollector {
  readonly name = 'dmi';
  readonly #directory: string;
  #info: Promise<DmiInfo | undefined> | undefined;
  /** True when the family was declared up front (see {@link discoverFamilies}). */
  #declaredUpFront = false;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#directory = join(options.roots.sysfs, 'class/dmi/id');
  }

  async discoverFamilies(files: CollectionFiles): Promise<MetricFamily[]> {
    try {
      const info = await this.#read(files);
      this.#declaredUpFront = info !== undefined;
      return info === undefined ? [] : [info.family];
    } catch {
      return []; // the collection will report why
    }
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const info = await this.#read(files);
    if (info === undefined) throw new NoDataError(`no ${this.#directory}: the platform has no DMI information`);
    if (!this.#declaredUpFront) output.declare(info.family);
    output.add(info.family, info.labels, 1);
  }

  #read(files: CollectionFiles): Promise<DmiInfo | undefined> {
    this.#info ??= this.#readOnce(files);
    this.#info.catch(() => (this.#info = undefined));
    return this.#info;
  }

  async #readOnce(files: CollectionFiles): Promise<DmiInfo | undefined> {
    const present = new Set((await listIfPresent(files, this.#directory)) ?? []);
    const labels: Record<string, string> = {};
    for (const [label, file] of Object.entries(DMI_FILES)) {
      if (!present.has(file)) continue;
      const value = await files.readKernelFileUnless(join(this.#directory, file), isPermissionDenied);
      if (value !== undefined) labels[label] = value.trim();
    }
    const names = Object.keys(labels).sort();
    return names.length === 0 ? undefined : { family: dmiInfoFamily(names), labels };
  }
}
