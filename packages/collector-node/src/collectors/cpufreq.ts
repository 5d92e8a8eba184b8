import { join } from 'node:path';
import type { FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { isMissingFile, isPermissionDenied, listIfPresent, type CollectionFiles } from '../collection-files.js';
import { cpufreqMetrics } from '../metrics.js';
import { parseCpuList } from '../parsers/cpu-list.js';
import { parseUnsigned } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** The kHz files of a CPU's `cpufreq/` directory and the families they feed, in hertz. */
const FREQUENCY_FILES = [
  ['cpuinfo_cur_freq', cpufreqMetrics.frequency],
  ['cpuinfo_avg_freq', cpufreqMetrics.frequencyAverage],
  ['cpuinfo_min_freq', cpufreqMetrics.frequencyMin],
  ['cpuinfo_max_freq', cpufreqMetrics.frequencyMax],
  ['scaling_cur_freq', cpufreqMetrics.scalingFrequency],
  ['scaling_min_freq', cpufreqMetrics.scalingFrequencyMin],
  ['scaling_max_freq', cpufreqMetrics.scalingFrequencyMax],
] as const;

/** A frequency file that is not there, or readable by root only (`cpuinfo_cur_freq`). */
const isUnreadableFrequency = (error: unknown): boolean => isMissingFile(error) || isPermissionDenied(error);

/**
 * cpufreq: per online CPU, from `<sysfs>/devices/system/cpu/cpu<n>/cpufreq/`: the current
 * frequency the hardware reports (`cpuinfo_cur_freq`, root only), the one the governor asked for
 * (`scaling_cur_freq`), their limits, and which governor is in use. A frequency file that is
 * missing or not readable is left out; a machine without cpufreq (most VMs) reports nothing.
 */
export class CpufreqCollector implements SubCollector {
  readonly name = 'cpufreq';
  readonly #cpuDirectory: string;

  constructor(options: { readonly roots: FilesystemRoots }) {
    this.#cpuDirectory = join(options.roots.sysfs, 'devices/system/cpu');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const offline = new Set(parseCpuList((await files.readOptionalKernelFile(join(this.#cpuDirectory, 'offline'))) ?? ''));
    const cpus = ((await listIfPresent(files, this.#cpuDirectory)) ?? []).filter((name) => /^cpu[0-9]/.test(name) && !offline.has(Number(name.slice(3))));
    for (const entry of cpus) {
      const directory = join(this.#cpuDirectory, entry, 'cpufreq');
      if (!(await files.isKernelDirectory(directory))) continue;
      const cpu = entry.slice(3);
      for (const [file, family] of FREQUENCY_FILES) {
        const text = await files.readKernelFileUnless(join(directory, file), isUnreadableFrequency);
        if (text !== undefined) output.add(family, { cpu }, parseUnsigned(text.trim(), join(directory, file)) * 1000);
      }
      const governor = (await files.readKernelFile(join(directory, 'scaling_governor'))).trim();
      if (governor === '') continue;
      const available = (await files.readKernelFile(join(directory, 'scaling_available_governors'))).trim().split(' ');
      for (const name of new Set(available)) output.add(cpufreqMetrics.scalingGovernor, { cpu, governor: name }, name === governor ? 1 : 0);
    }
  }
}
