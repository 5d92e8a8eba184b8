import { join } from 'node:path';
import type { FilesystemRoots, MetricFamily, MetricSink } from '@tessera/collector-api';
import { listOrNoData, type CollectionFiles } from '../collection-files.js';
import { tapeMetrics } from '../metrics.js';
import { compilePattern } from '../name-filter.js';
import { parseUnsignedPrefixed } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** The files of `stats/`, their families and the factor to the family's unit (times are in nanoseconds). */
const TAPE_STATISTICS: readonly (readonly [file: string, family: MetricFamily<'device'>, scale: number])[] = [
  ['in_flight', tapeMetrics.ioNow, 1],
  ['io_ns', tapeMetrics.ioTime, 1e-9],
  ['other_cnt', tapeMetrics.ioOthers, 1],
  ['read_byte_cnt', tapeMetrics.readBytes, 1],
  ['read_cnt', tapeMetrics.readsCompleted, 1],
  ['read_ns', tapeMetrics.readTime, 1e-9],
  ['resid_cnt', tapeMetrics.residual, 1],
  ['write_byte_cnt', tapeMetrics.writtenBytes, 1],
  ['write_cnt', tapeMetrics.writesCompleted, 1],
  ['write_ns', tapeMetrics.writeTime, 1e-9],
];

/**
 * tapestats: the I/O statistics of every SCSI tape drive (`st<n>`) under
 * `<sysfs>/class/scsi_tape/` (Documentation/scsi/st.rst): requests, bytes and time of reads,
 * writes and other commands, I/Os in flight and residuals. The other entries of the class (the
 * `st<n>l`, `st<n>m`, `st<n>a` and `nst<n>` modes) are the same drives and skipped.
 * `ignoredDevices` leaves drives out by name. A statistic the kernel does not have reads as 0, as
 * in node_exporter. Without tape drives there is no data.
 */
export class TapestatsCollector implements SubCollector {
  readonly name = 'tapestats';
  readonly #directory: string;
  readonly #ignored: RegExp;

  constructor(options: { readonly roots: FilesystemRoots; readonly ignoredDevices: string }) {
    this.#directory = join(options.roots.sysfs, 'class/scsi_tape');
    this.#ignored = compilePattern(options.ignoredDevices);
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    for (const device of await listOrNoData(files, this.#directory, 'no SCSI tape drives')) {
      if (!/^st[0-9]+$/.test(device) || this.#ignored.test(device)) continue;
      const directory = join(this.#directory, device, 'stats');
      const present = new Set(await files.readKernelDirectory(directory));
      for (const [file, family, scale] of TAPE_STATISTICS) {
        const value = present.has(file) ? parseUnsignedPrefixed((await files.readKernelFile(join(directory, file))).trim(), join(directory, file)) : 0;
        output.add(family, { device }, value * scale);
      }
    }
  }
}
