import { join } from 'node:path';
import { NoDataError, type FilesystemRoots, type MetricSink } from '@tessera/collector-api';
import { isMissingFile, isPermissionDenied, type CollectionFiles } from '../collection-files.js';
import { NET_CLASS_ATTRIBUTES, netclassMetrics } from '../metrics.js';
import { compilePattern } from '../name-filter.js';
import { parseSignedOrZero } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** The files of `<sysfs>/class/net/<iface>/` that are reported. */
const ATTRIBUTE_FILES: readonly string[] = ['address', 'broadcast', 'duplex', 'ifalias', 'operstate', 'flags', 'speed', ...NET_CLASS_ATTRIBUTES.map(({ file }) => file)];

/** IFF_UP in an interface's `flags`. */
const IFF_UP = 0x1;

/**
 * netclass: per network interface, what `<sysfs>/class/net/<iface>/` says: link state
 * (`node_network_up`, carrier and its changes), speed, MTU, duplex, address and flags, as
 * node_exporter reads them. An attribute the interface does not have (a virtual device's speed)
 * is left out; one that does not hold a number reads as 0, as in node_exporter.
 */
export class NetclassCollector implements SubCollector {
  readonly name = 'netclass';
  readonly #classDirectory: string;
  readonly #ignored: RegExp;
  readonly #ignoreInvalidSpeed: boolean;

  constructor(options: { readonly roots: FilesystemRoots; readonly ignoredDevices: string; readonly ignoreInvalidSpeed: boolean }) {
    this.#classDirectory = join(options.roots.sysfs, 'class/net');
    this.#ignored = compilePattern(options.ignoredDevices);
    this.#ignoreInvalidSpeed = options.ignoreInvalidSpeed;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    let entries;
    try {
      entries = await files.readKernelDirectoryEntries(this.#classDirectory);
    } catch (error) {
      if (isMissingFile(error) || isPermissionDenied(error)) throw new NoDataError(`cannot read ${this.#classDirectory}`, { cause: error });
      throw error;
    }
    // bonding_masters is a regular file among the interfaces' links.
    const devices = entries.filter((entry) => !entry.isFile() && !this.#ignored.test(entry.name)).map((entry) => entry.name);
    for (const device of devices.sort()) await this.#collectDevice(output, files, device);
  }

  async #collectDevice(output: MetricSink, files: CollectionFiles, device: string): Promise<void> {
    const directory = join(this.#classDirectory, device);
    // Only the attributes reported: node_exporter reads every file of the directory, and some
    // (phys_port_id, testing, threaded …) cost a driver call each for nothing.
    const attributes = new Map<string, string>();
    for (const name of ATTRIBUTE_FILES) {
      const value = await files.readKernelFileUnless(join(directory, name));
      if (value !== undefined) attributes.set(name, value.trim());
    }
    const text = (name: string): string => attributes.get(name) ?? '';
    const number = (name: string): number | undefined => {
      const value = attributes.get(name);
      return value === undefined ? undefined : parseSignedOrZero(value);
    };
    const labels = { device };
    const operstate = text('operstate');
    const flags = number('flags');
    output.add(netclassMetrics.up, labels, operstate === 'up' ? 1 : 0);
    output.add(
      netclassMetrics.info,
      {
        address: text('address'),
        adminstate: flags === undefined ? 'unknown' : (flags & IFF_UP) === IFF_UP ? 'up' : 'down',
        broadcast: text('broadcast'),
        device,
        duplex: text('duplex'),
        ifalias: text('ifalias'),
        operstate,
      },
      1,
    );
    for (const { file, family } of NET_CLASS_ATTRIBUTES) {
      const value = number(file);
      if (value !== undefined) output.add(family, labels, value);
    }
    const speed = number('speed');
    // A link without a speed (down, or virtual) reports -1 Mb/s: node_exporter passes it on unless told not to.
    if (speed !== undefined && (speed >= 0 || !this.#ignoreInvalidSpeed)) output.add(netclassMetrics.speed, labels, Math.trunc((speed * 1000 * 1000) / 8));
  }
}
