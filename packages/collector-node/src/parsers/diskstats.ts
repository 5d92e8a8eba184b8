import { KernelFormatError, parseNumber, splitFields } from './fields.js';

/** One line of `/proc/diskstats`. */
export interface DiskStatsLine {
  readonly major: string;
  readonly minor: string;
  readonly device: string;
  /** The raw statistics after the name, in kernel column order: 11 (before 4.18), 15 (4.18+) or 17 (5.5+). */
  readonly values: readonly number[];
}

/**
 * Parses `/proc/diskstats`. Lines with fewer than 11 statistics (2.6-era partition lines) are
 * skipped, as prometheus/procfs does; more than 17 are cut to the 17 known ones; a device listed
 * twice keeps its first line. Only devices `keep` accepts are parsed further; a value that is not a
 * number throws {@link KernelFormatError}.
 */
export function parseDiskstats(text: string, keep: (device: string) => boolean = () => true): DiskStatsLine[] {
  const lines: DiskStatsLine[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    const parts = splitFields(line);
    if (parts.length < 14) continue;
    const [major = '', minor = '', device = ''] = parts;
    if (seen.has(device) || !keep(device)) continue;
    seen.add(device);
    if (!/^\d+$/.test(major) || !/^\d+$/.test(minor)) throw new KernelFormatError(`/proc/diskstats: invalid device numbers in ${JSON.stringify(line.trim())}`);
    const values = parts.slice(3, 20).map((token, index) => parseNumber(token, `/proc/diskstats ${device} column ${index + 4}`));
    lines.push({ major, minor, device, values });
  }
  return lines;
}
