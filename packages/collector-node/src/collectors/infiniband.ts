import { join } from 'node:path';
import { type FilesystemRoots, type MetricSink } from '@tessera/collector-api';
import { listEntriesIfPresent, listOrNoData, type CollectionFiles } from '../collection-files.js';
import { INFINIBAND_PORT_FILES, infinibandMetrics, type InfinibandPortFile } from '../metrics.js';
import { NameFilter } from '../name-filter.js';
import { parseUnsignedPrefixed, stripNewline } from '../parsers/fields.js';
import { parseInfinibandRate, parseInfinibandState } from '../parsers/infiniband.js';
import type { SubCollector } from '../sub-collector.js';

/** The port files of each counter directory, by file name. */
const FILES_BY_DIRECTORY = new Map<string, Map<string, InfinibandPortFile>>();
for (const entry of INFINIBAND_PORT_FILES) {
  let byName = FILES_BY_DIRECTORY.get(entry.directory);
  if (byName === undefined) FILES_BY_DIRECTORY.set(entry.directory, (byName = new Map<string, InfinibandPortFile>()));
  byName.set(entry.file, entry);
}

/**
 * infiniband: every HCA under `<sysfs>/class/infiniband/` (Mellanox/NVIDIA ConnectX, including
 * RoCE ports): `node_infiniband_info` per device, and per port its state, physical state, rate and
 * counters, from `ports/<n>/counters/`, `counters_ext/` and the driver's `hw_counters/`. A counter
 * file the device does not support (it cannot be read, or answers `N/A (no PMA)`) is left out;
 * a file that reads but does not parse fails the sub-collector, as in node_exporter.
 */
export class InfinibandCollector implements SubCollector {
  readonly name = 'infiniband';
  readonly #classDirectory: string;
  readonly #filter: NameFilter;

  constructor(options: { readonly roots: FilesystemRoots; readonly deviceExclude: string | undefined; readonly deviceInclude: string | undefined }) {
    this.#classDirectory = join(options.roots.sysfs, 'class/infiniband');
    this.#filter = new NameFilter({ exclude: options.deviceExclude, include: options.deviceInclude });
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const devices = await listOrNoData(files, this.#classDirectory, 'no InfiniBand devices');
    for (const device of devices) {
      if (!this.#filter.ignores(device)) await this.#collectDevice(output, files, device);
    }
  }

  async #collectDevice(output: MetricSink, files: CollectionFiles, device: string): Promise<void> {
    const directory = join(this.#classDirectory, device);
    // fw_ver is there for every driver since Linux 4.10; board_id and hca_type only for some.
    const firmwareVersion = (await files.readKernelFile(join(directory, 'fw_ver'))).trim();
    const optional = async (name: string): Promise<string> => (await files.readOptionalKernelFile(join(directory, name)))?.trim() ?? '';
    output.add(infinibandMetrics.info, { board_id: await optional('board_id'), device, firmware_version: firmwareVersion, hca_type: await optional('hca_type') }, 1);
    const ports = await files.readKernelDirectory(join(directory, 'ports'));
    for (const port of ports.sort((a, b) => Number(a) - Number(b))) {
      if (!/^\d+$/.test(port)) throw new Error(`${directory}/ports: unexpected entry ${JSON.stringify(port)}`);
      await this.#collectPort(output, files, device, String(Number(port)), join(directory, 'ports', port));
    }
  }

  async #collectPort(output: MetricSink, files: CollectionFiles, device: string, port: string, directory: string): Promise<void> {
    const labels = { device, port };
    const read = async (name: string): Promise<string> => stripNewline(await files.readKernelFile(join(directory, name)));
    output.add(infinibandMetrics.stateId, labels, parseInfinibandState(await read('state'), `${directory}/state`).id);
    output.add(infinibandMetrics.physicalStateId, labels, parseInfinibandState(await read('phys_state'), `${directory}/phys_state`).id);
    output.add(infinibandMetrics.rate, labels, parseInfinibandRate(await read('rate'), `${directory}/rate`));
    for (const [directoryName, known] of FILES_BY_DIRECTORY) {
      for (const entry of (await listEntriesIfPresent(files, join(directory, directoryName))) ?? []) {
        const counter = known.get(entry.name);
        const isLifespan = directoryName === 'hw_counters' && entry.name === 'lifespan';
        if (!entry.isFile() || (counter === undefined && !isLifespan)) continue;
        const value = await this.#readCounter(files, join(directory, directoryName, entry.name));
        if (value === undefined) continue;
        // lifespan is in milliseconds, reported in whole seconds as node_exporter does.
        if (counter === undefined) output.add(infinibandMetrics.lifespan, labels, Math.floor(value / 1000));
        else output.add(counter.family, labels, value * counter.scale);
      }
    }
  }

  /** A counter's value, or `undefined` when the device does not keep it. */
  async #readCounter(files: CollectionFiles, path: string): Promise<number | undefined> {
    const text = (await files.readKernelFileUnless(path))?.trim();
    if (text === undefined) return undefined;
    // Old mlx4 firmware answers this for counters without a Performance Management Agent
    // (node_exporter issue 966).
    if (text.includes('N/A (no PMA)')) return undefined;
    return parseUnsignedPrefixed(text, path);
  }
}
