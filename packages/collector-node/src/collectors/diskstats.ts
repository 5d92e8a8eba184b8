import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FilesystemRoots, Logger, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { diskColumns, diskInfoMetrics } from '../metrics.js';
import { NameFilter } from '../name-filter.js';
import { parseDiskstats, type DiskStatsLine } from '../parsers/diskstats.js';
import { parseNumber } from '../parsers/fields.js';
import { parseUdevProperties } from '../parsers/udev.js';
import type { SubCollector } from '../sub-collector.js';


const NO_PROPERTIES: ReadonlyMap<string, string> = new Map();

const ATA_FAMILIES = [
  ['ID_ATA_WRITE_CACHE', diskInfoMetrics.ataWriteCache],
  ['ID_ATA_WRITE_CACHE_ENABLED', diskInfoMetrics.ataWriteCacheEnabled],
  ['ID_ATA_ROTATION_RATE_RPM', diskInfoMetrics.ataRotationRate],
] as const;

/**
 * diskstats: I/O counters per block device from `/proc/diskstats`, and `node_disk_info` (plus
 * filesystem, device-mapper and ATA details) from sysfs and the udev database when it is there.
 */
export class DiskstatsCollector implements SubCollector {
  readonly name = 'diskstats';
  readonly #roots: FilesystemRoots;
  readonly #diskstatsPath: string;
  /** `<sysfs>/block/`: per-device paths are built by concatenation, many times per collection. */
  readonly #blockDirectory: string;
  readonly #keep: (device: string) => boolean;
  readonly #logger: Logger;
  /** Whether the udev database exists, checked once like node_exporter does at start-up. */
  #udevAvailable: Promise<boolean> | undefined;

  constructor(options: { readonly roots: FilesystemRoots; readonly deviceExclude: string | undefined; readonly deviceInclude: string | undefined; readonly logger: Logger }) {
    this.#roots = options.roots;
    this.#diskstatsPath = join(options.roots.procfs, 'diskstats');
    this.#blockDirectory = `${join(options.roots.sysfs, 'block')}/`;
    const filter = new NameFilter({ exclude: options.deviceExclude, include: options.deviceInclude });
    this.#keep = (device) => !filter.ignores(device);
    this.#logger = options.logger;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const disks = parseDiskstats(await files.readKernelFile(this.#diskstatsPath), this.#keep);
    const udevAvailable = await (this.#udevAvailable ??= this.#checkUdev());
    await Promise.all(disks.map((disk) => this.#collectDisk(output, files, disk, udevAvailable)));
  }

  async #collectDisk(output: MetricSink, files: CollectionFiles, disk: DiskStatsLine, udevAvailable: boolean): Promise<void> {
    const { device } = disk;
    const [properties, rotational] = await Promise.all([
      udevAvailable ? this.#readUdev(files, disk) : NO_PROPERTIES,
      this.#readRotational(files, device),
    ]);
    const property = (name: string): string => properties.get(name) ?? '';
    output.add(
      diskInfoMetrics.info,
      {
        device,
        major: disk.major,
        minor: disk.minor,
        model: property('ID_MODEL'),
        path: property('ID_PATH'),
        revision: property('ID_REVISION'),
        rotational,
        // The serial printed on the label first, then udev's short and full forms (virtio has only the last).
        serial: property('SCSI_IDENT_SERIAL') || property('ID_SERIAL_SHORT') || property('ID_SERIAL'),
        wwn: property('ID_WWN'),
      },
      1,
    );
    const labels = { device }; // shared by the counters: the host's sink copies what it keeps
    for (const [index, value] of disk.values.entries()) {
      const column = diskColumns[index];
      if (column !== undefined) output.add(column.family, labels, value * column.scale);
    }
    const fsType = property('ID_FS_TYPE');
    if (fsType !== '') {
      output.add(diskInfoMetrics.filesystemInfo, { device, type: fsType, usage: property('ID_FS_USAGE'), uuid: property('ID_FS_UUID'), version: property('ID_FS_VERSION') }, 1);
    }
    const mapperName = property('DM_NAME');
    if (mapperName !== '') {
      output.add(
        diskInfoMetrics.deviceMapperInfo,
        { device, lv_layer: property('DM_LV_LAYER'), lv_name: property('DM_LV_NAME'), name: mapperName, uuid: property('DM_UUID'), vg_name: property('DM_VG_NAME') },
        1,
      );
    }
    if (property('ID_ATA') !== '') {
      for (const [name, family] of ATA_FAMILIES) {
        const text = properties.get(name);
        if (text === undefined) continue;
        try {
          output.add(family, { device }, parseNumber(text, `udev ${name} of ${device}`));
        } catch (error) {
          this.#logger.warn({ device, property: name, error: (error as Error).message }, 'cannot parse an ATA property from udev');
        }
      }
    }
  }

  async #checkUdev(): Promise<boolean> {
    const directory = this.#roots.udevData;
    try {
      if ((await stat(directory)).isDirectory()) return true;
    } catch {
      // Reported below: no udev database is common in containers and VMs.
    }
    this.#logger.info({ path: directory }, 'no udev database; node_disk_info carries no model, serial or path');
    return false;
  }

  async #readUdev(files: CollectionFiles, disk: DiskStatsLine): Promise<ReadonlyMap<string, string>> {
    try {
      return parseUdevProperties(await files.readText(join(this.#roots.udevData, `b${disk.major}:${disk.minor}`)));
    } catch (error) {
      if (files.signal.aborted) throw error;
      this.#logger.debug({ device: disk.device, error: (error as Error).message }, 'no udev properties for a disk');
      return NO_PROPERTIES;
    }
  }

  /** `"1"` for a rotational disk, `"0"` otherwise, including when sysfs does not say (node_exporter's default). */
  async #readRotational(files: CollectionFiles, device: string): Promise<string> {
    try {
      return (await files.readKernelFile(`${this.#blockDirectory}${device}/queue/rotational`)).trim() === '1' ? '1' : '0';
    } catch (error) {
      if (files.signal.aborted) throw error;
      return '0';
    }
  }
}
