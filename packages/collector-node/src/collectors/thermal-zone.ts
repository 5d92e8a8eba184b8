import { join } from 'node:path';
import type { FilesystemRoots, Logger, MetricSink } from '@tessera/collector-api';
import { listIfPresent, type CollectionFiles } from '../collection-files.js';
import { thermalMetrics } from '../metrics.js';
import { parseSigned } from '../parsers/fields.js';
import type { SubCollector } from '../sub-collector.js';

/** A cooling device's state file as prometheus/procfs reads it; `undefined` when the device does not have it. */
async function readState(files: CollectionFiles, path: string): Promise<number | undefined> {
  const text = await files.readKernelFileUnless(path);
  return text === undefined ? undefined : parseSigned(text.trim(), path);
}

/**
 * thermal_zone: the kernel's thermal zones under `<sysfs>/class/thermal/` (ACPI, x86_pkg_temp,
 * SoC sensors) in degrees Celsius, and its cooling devices (fans, CPU frequency throttling) with
 * their current and maximum throttle state. A zone whose temperature cannot be read (some ACPI
 * zones answer EAGAIN or ENODATA) is left out rather than reported as 0 °C; a cooling device
 * whose files are not there is left out, as in node_exporter.
 */
export class ThermalZoneCollector implements SubCollector {
  readonly name = 'thermal_zone';
  readonly #classDirectory: string;
  readonly #logger: Logger;

  constructor(options: { readonly roots: FilesystemRoots; readonly logger: Logger }) {
    this.#classDirectory = join(options.roots.sysfs, 'class/thermal');
    this.#logger = options.logger;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const entries = (await listIfPresent(files, this.#classDirectory)) ?? [];
    for (const entry of entries.filter((name) => /^thermal_zone[0-9]/.test(name))) {
      const directory = join(this.#classDirectory, entry);
      let temp: number;
      let type: string;
      try {
        type = (await files.readKernelFile(join(directory, 'type'))).trim();
        temp = parseSigned((await files.readKernelFile(join(directory, 'temp'))).trim(), join(directory, 'temp'));
      } catch (error) {
        if (files.signal.aborted) throw error;
        this.#logger.debug({ zone: directory, error: (error as Error).message }, 'skipping a thermal zone whose temperature cannot be read');
        continue;
      }
      output.add(thermalMetrics.zoneTemp, { type, zone: entry.slice('thermal_zone'.length) }, temp / 1000);
    }
    for (const entry of entries.filter((name) => /^cooling_device[0-9]/.test(name))) {
      const directory = join(this.#classDirectory, entry);
      const type = await files.readKernelFileUnless(join(directory, 'type'));
      if (type === undefined) continue;
      const max = await readState(files, join(directory, 'max_state'));
      if (max === undefined) continue;
      const cur = await readState(files, join(directory, 'cur_state'));
      if (cur === undefined) continue;
      const labels = { name: entry.slice('cooling_device'.length), type: type.trim() };
      output.add(thermalMetrics.coolingCurState, labels, cur);
      output.add(thermalMetrics.coolingMaxState, labels, max);
    }
  }
}
