import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { isUnavailableAttribute, listOrNoData, type CollectionFiles } from '../collection-files.js';
import { POWER_SUPPLY_ATTRIBUTES, POWER_SUPPLY_INFO_FILES, powerSupplyMetrics } from '../metrics.js';
import { compilePattern } from '../name-filter.js';
import { parseSignedPrefixed } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** Drivers answer ENODEV, EINVAL or EOPNOTSUPP for what they cannot tell just now. */
const isUnavailableNow = (error: unknown): boolean => isUnavailableAttribute(error) || (error as { code?: unknown }).code === 'ENODEV';

/**
 * powersupplyclass: every power supply under `<sysfs>/class/power_supply/` (mains adapters,
 * batteries, UPS batteries, server PSUs whose driver registers them), each numeric attribute it
 * has in base units (`node_power_supply_voltage_volt`, `_capacity`, `_online` …) and
 * `node_power_supply_info` labelled by its text attributes, as node_exporter names them.
 * `ignoredSupplies` leaves supplies out by name. An attribute the driver lists but cannot read at
 * the moment (a battery that is being removed) is left out. Without the class there is no data;
 * with it empty (a server without registered supplies), nothing.
 */
export class PowerSupplyCollector implements SubCollector {
  readonly name = 'powersupplyclass';
  readonly #directory: string;
  readonly #ignored: RegExp;

  constructor(options: { readonly roots: FilesystemRoots; readonly ignoredSupplies: string }) {
    this.#directory = join(options.roots.sysfs, 'class/power_supply');
    this.#ignored = compilePattern(options.ignoredSupplies);
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const supply of await listOrNoData(files, this.#directory, 'no power supply class')) {
      if (!this.#ignored.test(supply)) await this.#collectSupply(output, files, supply, join(this.#directory, supply));
    }
  }

  async #collectSupply(output: MetricSink, files: CollectionFiles, supply: string, directory: string): Promise<void> {
    const present = new Set(await files.readKernelDirectory(directory));
    const read = async (file: string): Promise<string | undefined> => {
      if (!present.has(file)) return undefined;
      return (await files.readKernelFileUnless(join(directory, file), isUnavailableNow))?.trim();
    };
    const labels = { power_supply: supply };
    for (const { file, family, divisor } of POWER_SUPPLY_ATTRIBUTES) {
      const text = await read(file);
      if (text !== undefined) output.add(family, labels, parseSignedPrefixed(text, join(directory, file)) / divisor);
    }
    const info: Record<string, string> = { power_supply: supply };
    // Labels of attributes the supply does not have are left out of the series, as node_exporter's are.
    for (const file of POWER_SUPPLY_INFO_FILES) info[file] = (await read(file)) ?? '';
    output.add(powerSupplyMetrics.info, info, 1);
  }
}
