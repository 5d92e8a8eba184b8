import { join } from 'node:path';
import type { Clock, FilesystemRoots, MetricSink } from '@tessera/collector-api';
import { isMissingFile, type CollectionFiles } from '../collection-files.js';
import { timeMetrics } from '../metrics.js';
import { splitFields, stripNewline } from '../parsers/fields.js';
import { NO_LABELS } from '../no-labels.js';
import type { SubCollector } from '../sub-collector.js';

/**
 * The time zone's abbreviation at `date` (`UTC`, `CEST`, `EST`), for `node_time_zone_offset_seconds`.
 * ICU knows English abbreviations only where they are in common use; elsewhere it gives
 * `GMT+1`-style names where node_exporter (Go, from the tz database) prints `CET`.
 */
export function timeZoneAbbreviation(date: Date, format: Intl.DateTimeFormat): string {
  return format.formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? 'UTC';
}

/**
 * time: the wall clock (from the host's injected clock), the local time zone and its offset, and
 * the kernel's clock sources from `<sysfs>/devices/system/clocksource`. As in node_exporter, a
 * clock source's `device` label is its position among the `clocksource<N>` directories.
 */
export class TimeCollector implements SubCollector {
  readonly name = 'time';
  readonly #clock: Clock;
  readonly #clocksourceDirectory: string;
  readonly #zoneFormat = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  /** The abbreviation for the last offset seen: it changes only with the offset (DST), and ICU is slow. */
  #zone: { readonly offsetMinutes: number; readonly abbreviation: string } | undefined;

  constructor(options: { readonly roots: FilesystemRoots; readonly clock: Clock }) {
    this.#clock = options.clock;
    this.#clocksourceDirectory = join(options.roots.sysfs, 'devices/system/clocksource');
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const nowMs = this.#clock.now();
    const date = new Date(nowMs);
    output.add(timeMetrics.seconds, NO_LABELS, nowMs / 1000);
    // getTimezoneOffset() is minutes *behind* UTC; node_exporter reports seconds ahead of it.
    const offsetMinutes = date.getTimezoneOffset();
    if (this.#zone?.offsetMinutes !== offsetMinutes) this.#zone = { offsetMinutes, abbreviation: timeZoneAbbreviation(date, this.#zoneFormat) };
    output.add(timeMetrics.zoneOffset, { time_zone: this.#zone.abbreviation }, offsetMinutes === 0 ? 0 : -offsetMinutes * 60);

    let entries: string[];
    try {
      entries = await files.readKernelDirectory(this.#clocksourceDirectory);
    } catch (error) {
      if (isMissingFile(error)) return; // no sysfs clock sources: node_exporter reports none either
      throw error;
    }
    // Go's filepath.Glob order: plain string order (clocksource10 before clocksource2).
    const sources = entries.filter((entry) => /^clocksource\d+$/.test(entry)).sort();
    const read = (source: string, file: string): Promise<string> => files.readKernelFile(join(this.#clocksourceDirectory, source, file));
    const contents = await Promise.all(sources.map((source) => Promise.all([read(source, 'available_clocksource'), read(source, 'current_clocksource')])));
    for (const [index, [available, current]] of contents.entries()) {
      const device = String(index);
      for (const clocksource of new Set(splitFields(available))) output.add(timeMetrics.clocksourceAvailable, { clocksource, device }, 1);
      output.add(timeMetrics.clocksourceCurrent, { clocksource: stripNewline(current).trim(), device }, 1);
    }
  }
}
