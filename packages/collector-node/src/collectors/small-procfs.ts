import { join } from 'node:path';
import { NoDataError, type FilesystemRoots, type MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from '../collection-files.js';
import { arpMetrics, entropyMetrics, filefdMetrics, softnetMetrics, udpQueuesMetrics } from '../metrics.js';
import { NameFilter } from '../name-filter.js';
import { countArpEntries } from '../parsers/arp.js';
import { KernelFormatError, parseNumber, parseUnsigned } from '../parsers/fields.js';
import { parseSoftnet } from '../parsers/softnet.js';
import { sumUdpQueues } from '../parsers/udp-queues.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/**
 * arp: ARP (IPv4 neighbour) entries per interface from `/proc/net/arp` (node_exporter 1.5.0's
 * source; newer ones ask netlink, which counts the same entries).
 */
export class ArpCollector implements SubCollector {
  readonly name = 'arp';
  readonly #path: string;
  readonly #filter: NameFilter;

  constructor(options: { readonly roots: FilesystemRoots; readonly deviceExclude: string | undefined; readonly deviceInclude: string | undefined }) {
    this.#path = join(options.roots.procfs, 'net/arp');
    this.#filter = new NameFilter({ exclude: options.deviceExclude, include: options.deviceInclude });
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const [device, count] of countArpEntries(await files.readKernelFile(this.#path), this.#path)) {
      if (!this.#filter.ignores(device)) output.add(arpMetrics.entries, { device }, count);
    }
  }
}

/** entropy: the kernel's entropy estimate and pool size, from `/proc/sys/kernel/random/`. */
export class EntropyCollector implements SubCollector {
  readonly name = 'entropy';
  readonly #directory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#directory = join(options.roots.procfs, 'sys/kernel/random');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const read = async (name: string): Promise<number> => {
      const text = await files.readOptionalKernelFile(join(this.#directory, name));
      if (text === undefined) throw new KernelFormatError(`couldn't get ${name}: no ${join(this.#directory, name)}`);
      return parseUnsigned(text.trim(), join(this.#directory, name));
    };
    output.add(entropyMetrics.available, NO_LABELS, await read('entropy_avail'));
    output.add(entropyMetrics.poolSize, NO_LABELS, await read('poolsize'));
  }
}

/** filefd: allocated file handles against the system-wide maximum, from `/proc/sys/fs/file-nr`. */
export class FilefdCollector implements SubCollector {
  readonly name = 'filefd';
  readonly #path: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#path = join(options.roots.procfs, 'sys/fs/file-nr');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    // allocated, free (always 0 since Linux 2.6), maximum, separated by tabs.
    const parts = (await files.readKernelFile(this.#path)).trim().split('\t');
    if (parts.length < 3) throw new KernelFormatError(`${this.#path}: expected 3 tab-separated numbers`);
    output.add(filefdMetrics.allocated, NO_LABELS, parseNumber(parts[0], `${this.#path} allocated`));
    output.add(filefdMetrics.maximum, NO_LABELS, parseNumber(parts[2], `${this.#path} maximum`));
  }
}

/**
 * softnet: per-CPU packet processing of the network receive path, from `/proc/net/softnet_stat`:
 * packets processed, dropped because the backlog was full, and time squeezes (the budget ran out
 * with work left: a sign to raise net.core.netdev_budget).
 */
export class SoftnetCollector implements SubCollector {
  readonly name = 'softnet';
  readonly #path: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#path = join(options.roots.procfs, 'net/softnet_stat');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const stat of parseSoftnet(await files.readKernelFile(this.#path), this.#path)) {
      const labels = { cpu: String(stat.cpu) };
      output.add(softnetMetrics.processed, labels, stat.processed);
      output.add(softnetMetrics.dropped, labels, stat.dropped);
      output.add(softnetMetrics.timesSqueezed, labels, stat.timeSqueezed);
      output.add(softnetMetrics.cpuCollision, labels, stat.cpuCollision);
      output.add(softnetMetrics.receivedRps, labels, stat.receivedRps);
      output.add(softnetMetrics.flowLimitCount, labels, stat.flowLimitCount);
      output.add(softnetMetrics.backlogLength, labels, stat.backlogLength);
    }
  }
}

/** udp_queues: bytes queued in UDP sockets' send and receive buffers, summed over `/proc/net/udp` and `udp6`. */
export class UdpQueuesCollector implements SubCollector {
  readonly name = 'udp_queues';
  readonly #procfs: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#procfs = options.roots.procfs;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    let found = 0;
    for (const [file, ip] of [
      ['udp', 'v4'],
      ['udp6', 'v6'],
    ] as const) {
      const path = join(this.#procfs, 'net', file);
      const text = await files.readOptionalKernelFile(path);
      if (text === undefined) continue;
      const { tx, rx } = sumUdpQueues(text, path);
      output.add(udpQueuesMetrics.queues, { ip, queue: 'tx' }, tx);
      output.add(udpQueuesMetrics.queues, { ip, queue: 'rx' }, rx);
      found++;
    }
    if (found === 0) throw new NoDataError(`no ${join(this.#procfs, 'net/udp')} or udp6`);
  }
}
