import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { isMissingFile, isUnavailableAttribute, listOrNoData, type CollectionFiles } from '../collection-files.js';
import { FIBRECHANNEL_COUNTERS, fibrechannelMetrics } from '../metrics.js';
import { parseUnsignedPrefixedBigInt } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** The text attributes of `node_fibrechannel_info` (the label is the file's name) whose value starts with `0x`, which node_exporter drops. */
const HEX_IDENTIFIERS = new Set(['port_id', 'port_name', 'fabric_name']);

/** The kernel's fc transport shows a statistic the HBA does not keep as -1, every bit set. */
const NOT_KEPT = 0xffff_ffff_ffff_ffffn;

/** A statistic the HBA cannot show: not available, or no `statistics/` directory to hold it. */
const isUnreadableCounter = (error: unknown): boolean => isUnavailableAttribute(error) || isMissingFile(error);

/**
 * fibrechannel: every Fibre Channel host port under `<sysfs>/class/fc_host/` (QLogic, Emulex …
 * HBAs on a SAN): `node_fibrechannel_info` with its speed, state, port and fabric names, and the
 * counters of its `statistics/` (frames, words, errors, link failures, signal and sync losses).
 * A counter the HBA does not keep (shown as 0xffffffffffffffff) or cannot show is left out; a port
 * whose state is unknown has no statistics and reports every counter as 0, as node_exporter does.
 * An attribute the driver does not expose is an empty label. Without Fibre Channel hosts there is
 * no data.
 */
export class FibrechannelCollector implements SubCollector {
  readonly name = 'fibrechannel';
  readonly #directory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#directory = join(options.roots.sysfs, 'class/fc_host');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const host of await listOrNoData(files, this.#directory, 'no Fibre Channel host adapters')) {
      await this.#collectHost(output, files, host, join(this.#directory, host));
    }
  }

  async #collectHost(output: MetricSink, files: CollectionFiles, host: string, directory: string): Promise<void> {
    const attribute = async (name: string): Promise<string> => {
      const value = (await files.readOptionalKernelFile(join(directory, name)))?.trim() ?? '';
      return HEX_IDENTIFIERS.has(name) && value.length > 2 ? value.slice(2) : value;
    };
    const portState = await attribute('port_state');
    output.add(
      fibrechannelMetrics.info,
      {
        dev_loss_tmo: await attribute('dev_loss_tmo'),
        fabric_name: await attribute('fabric_name'),
        fc_host: host,
        port_id: await attribute('port_id'),
        port_name: await attribute('port_name'),
        port_state: portState,
        port_type: await attribute('port_type'),
        speed: await attribute('speed'),
        supported_classes: await attribute('supported_classes'),
        supported_speeds: await attribute('supported_speeds'),
        symbolic_name: await attribute('symbolic_name'),
      },
      1,
    );
    const knowsStatistics = portState !== '' && portState !== 'Unknown';
    for (const { file, family } of FIBRECHANNEL_COUNTERS) {
      const value = knowsStatistics ? await this.#readCounter(files, join(directory, 'statistics', file)) : 0;
      if (value !== undefined) output.add(family, { fc_host: host }, value);
    }
  }

  /** A counter's value, or `undefined` when the HBA does not keep it. */
  async #readCounter(files: CollectionFiles, path: string): Promise<number | undefined> {
    const text = await files.readKernelFileUnless(path, isUnreadableCounter);
    if (text === undefined) return undefined;
    const value = parseUnsignedPrefixedBigInt(text.trim(), path);
    return value === NOT_KEPT ? undefined : Number(value);
  }
}
