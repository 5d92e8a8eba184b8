import { basename, dirname, join } from 'node:path';
import { type FilesystemRoots, type Logger, type MetricFamily, type MetricSink } from '@tessera/collector-api';
import { parseValue } from '@tessera/exposition';
import { listOrNoData, type CollectionFiles } from '../collection-files.js';
import { hwmonFamily, hwmonMetrics } from '../metrics.js';
import { NameFilter } from '../name-filter.js';
import { cleanHwmonName, explodeHwmonFileName, fromMilli, HWMON_SENSOR_TYPES, hwmonReading } from '../parsers/hwmon.js';
import type { SubCollector } from '../sub-collector.js';
import { FoundFamilies, type FoundFamilyLookup } from './dynamic-families.js';

/** One chip directory, `<sysfs>/class/hwmon/hwmon<n>`. */
interface Chip {
  readonly directory: string;
  /** Its name before telling apart chips that share it. */
  readonly baseName: string;
  /** The driver's `name` file, trimmed (`''` when there is none). */
  readonly nameFile: string;
}

/** Options of {@link HwmonCollector}. */
export interface HwmonCollectorOptions {
  readonly roots: FilesystemRoots;
  readonly chipExclude: string | undefined;
  readonly chipInclude: string | undefined;
  readonly sensorExclude: string | undefined;
  readonly sensorInclude: string | undefined;
  readonly logger: Logger;
}

/** A file's value as node_exporter takes it: line feeds trimmed at both ends, nothing else. */
const trimLineFeeds = (text: string): string => text.replace(/^\n+|\n+$/g, '');

/**
 * hwmon: every sensor of every chip under `<sysfs>/class/hwmon/` (CPU package and core
 * temperatures, fans, voltages, currents, power meters, NVMe and GPU temperatures), named as
 * node_exporter names them: `node_hwmon_<type>[_<attribute>]_<unit>{chip,sensor}` with the kernel's
 * milli- and micro-units converted to base units, plus `node_hwmon_chip_names` and
 * `node_hwmon_sensor_label` to put human names on chips and sensors.
 *
 * A chip is named after the device behind it (`platform_coretemp_0`, `pci0000:00_0000:00:18_3`),
 * else its driver's name; chips that would share a name get the driver name or their directory
 * appended, as node_exporter 1.10+ does. The attribute files decide the family names, so families
 * are declared as they are first seen. A file that cannot be read or does not hold a number is
 * left out (broken drivers answer EAGAIN or EIO).
 */
export class HwmonCollector implements SubCollector {
  readonly name = 'hwmon';
  readonly #classDirectory: string;
  readonly #chipFilter: NameFilter;
  readonly #sensorFilter: NameFilter;
  readonly #logger: Logger;
  /** Families built from attribute names, by name: the first HELP seen for a name is kept. */
  readonly #families = new FoundFamilies<MetricFamily<'chip' | 'sensor'>>();

  constructor(options: HwmonCollectorOptions) {
    this.#classDirectory = join(options.roots.sysfs, 'class/hwmon');
    this.#chipFilter = new NameFilter({ exclude: options.chipExclude, include: options.chipInclude });
    this.#sensorFilter = new NameFilter({ exclude: options.sensorExclude, include: options.sensorInclude });
    this.#logger = options.logger;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const entries = await listOrNoData(files, this.#classDirectory, 'no hardware monitors');
    const chips: Chip[] = [];
    for (const entry of entries) {
      const directory = join(this.#classDirectory, entry);
      if (!(await files.isKernelDirectory(directory))) continue;
      const nameFile = (await files.readOptionalKernelFile(join(directory, 'name')))?.trim() ?? '';
      const baseName = await this.#chipName(files, directory, nameFile);
      if (baseName === undefined) {
        this.#logger.debug({ directory }, 'cannot derive a hwmon chip name; skipping the chip');
        continue;
      }
      chips.push({ directory, baseName, nameFile });
    }
    const count = (key: (chip: Chip) => string): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const chip of chips) counts.set(key(chip), (counts.get(key(chip)) ?? 0) + 1);
      return counts;
    };
    const familyOf = this.#families.declaringOn(output);
    const byBaseName = count((chip) => chip.baseName);
    const byBaseAndDriver = count((chip) => `${chip.baseName}\u0000${chip.nameFile}`);
    for (const chip of chips) {
      let name = chip.baseName;
      if ((byBaseName.get(chip.baseName) ?? 0) > 1) {
        let suffix = cleanHwmonName(chip.nameFile);
        if (suffix === '' || (byBaseAndDriver.get(`${chip.baseName}\u0000${chip.nameFile}`) ?? 0) > 1) suffix = cleanHwmonName(basename(chip.directory));
        name = `${name}_${suffix}`;
      }
      if (!this.#chipFilter.ignores(name)) await this.#collectChip(output, files, chip, name, familyOf);
    }
  }

  /** node_exporter's chip name: from the device behind the chip, else the driver's name (`nameFile`), else the directory's. */
  async #chipName(files: CollectionFiles, directory: string, nameFile: string): Promise<string | undefined> {
    try {
      const device = await files.resolveKernelPath(join(directory, 'device'));
      const deviceName = cleanHwmonName(basename(device));
      const deviceType = cleanHwmonName(basename(dirname(device)));
      if (deviceType !== '' && deviceName !== '') return `${deviceType}_${deviceName}`;
      if (deviceName !== '') return deviceName;
    } catch (error) {
      if (files.signal.aborted) throw error;
    }
    const driver = cleanHwmonName(nameFile);
    if (driver !== '') return driver;
    try {
      const own = cleanHwmonName(basename(await files.resolveKernelPath(directory)));
      return own === '' ? undefined : own;
    } catch (error) {
      if (files.signal.aborted) throw error;
      return undefined;
    }
  }

  /** Reads the attributes of a chip's sensors: in its directory, and in `device/` where older drivers keep them. */
  async #readSensors(files: CollectionFiles, directory: string): Promise<Map<string, Map<string, string>>> {
    const sensors = new Map<string, Map<string, string>>();
    for (const source of [directory, join(directory, 'device')]) {
      if (source !== directory && !(await files.isKernelDirectory(source))) continue;
      for (const file of await files.readKernelDirectory(source)) {
        const parts = explodeHwmonFileName(file);
        if (parts === undefined || !HWMON_SENSOR_TYPES.has(parts.type)) continue;
        let text: string;
        try {
          text = await files.readKernelFile(join(source, file));
        } catch (error) {
          if (files.signal.aborted) throw error;
          continue;
        }
        const sensor = `${parts.type}${parts.number}`;
        let attributes = sensors.get(sensor);
        if (attributes === undefined) sensors.set(sensor, (attributes = new Map<string, string>()));
        attributes.set(parts.property, trimLineFeeds(text));
      }
    }
    return sensors;
  }

  async #collectChip(output: MetricSink, files: CollectionFiles, { directory, nameFile }: Chip, chip: string, familyOf: FoundFamilyLookup<MetricFamily<'chip' | 'sensor'>>): Promise<void> {
    const sensors = await this.#readSensors(files, directory);
    const driver = cleanHwmonName(nameFile);
    if (driver !== '') output.add(hwmonMetrics.chipNames, { chip, chip_name: driver }, 1);
    const freqSeries = new Set<string>();
    for (const [sensor, attributes] of [...sensors].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (this.#sensorFilter.ignores(`${chip};${sensor}`)) continue;
      const type = explodeHwmonFileName(sensor)?.type ?? '';
      const labels = { chip, sensor };
      const label = attributes.get('label');
      if (label !== undefined) output.add(hwmonMetrics.sensorLabel, { chip, label, sensor }, 1);
      const bare = attributes.get('');
      if (type === 'beep_enable') {
        output.add(hwmonMetrics.beepEnabled, labels, bare === '1' ? 1 : 0);
        continue;
      }
      if (type === 'vrm' || type === 'update_interval') {
        const value = bare === undefined ? undefined : parseValue(bare);
        if (value === undefined) continue;
        if (type === 'vrm') output.add(hwmonMetrics.voltageRegulatorVersion, labels, value);
        else output.add(hwmonMetrics.updateInterval, labels, fromMilli(value));
        continue;
      }
      for (const [element, text] of attributes) {
        const reading = hwmonReading(type, element, bare !== undefined);
        const value = reading === undefined ? undefined : parseValue(text);
        if (reading === undefined || value === undefined) continue;
        let seriesLabels = labels;
        if (type === 'freq' && element === 'input') {
          // A GPU clock is told apart by its label (sclk, mclk), which replaces the sensor name.
          if (label === undefined) continue;
          seriesLabels = { chip, sensor: cleanHwmonName(label) };
          const key = `${reading.name}\u0000${seriesLabels.sensor}`;
          if (freqSeries.has(key)) continue;
          freqSeries.add(key);
        }
        output.add(familyOf(reading.name, () => hwmonFamily(reading)), seriesLabels, reading.convert(value));
      }
    }
  }
}
