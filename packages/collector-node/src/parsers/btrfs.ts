import { KernelFormatError, parseUnsigned, splitFields } from './fields.js';

/** A filesystem's commit statistics (`<sysfs>/fs/btrfs/<uuid>/commit_stats`, Linux 6.0+). */
export interface BtrfsCommitStats {
  readonly commits: number;
  readonly lastCommitMilliseconds: number;
  readonly maxCommitMilliseconds: number;
  readonly totalCommitMilliseconds: number;
}

/**
 * Parses `commit_stats`: `key value` lines (`commits 1423`, `last_commit_ms 12`, `max_commit_ms`,
 * `total_commit_ms`); keys it does not know are skipped, a line of another shape or a value that is
 * not a number throws {@link KernelFormatError}.
 */
export function parseBtrfsCommitStats(text: string, where: string): BtrfsCommitStats {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const fields = splitFields(line);
    if (fields.length === 0) continue;
    const [key = '', value] = fields;
    if (fields.length !== 2) throw new KernelFormatError(`${where}: invalid line ${JSON.stringify(line)}`);
    values.set(key, parseUnsigned(value, `${where} ${key}`));
  }
  return {
    commits: values.get('commits') ?? 0,
    lastCommitMilliseconds: values.get('last_commit_ms') ?? 0,
    maxCommitMilliseconds: values.get('max_commit_ms') ?? 0,
    totalCommitMilliseconds: values.get('total_commit_ms') ?? 0,
  };
}

/**
 * How many bytes of raw device space a profile uses for each byte of data (node_exporter's
 * `node_btrfs_allocation_ratio`): 1 for single and raid0, 2 for dup, raid1 and raid10, 3 and 4 for
 * raid1c3 and raid1c4, n/(n-1) and n/(n-2) for raid5 and raid6 over n devices, 0 for a profile it
 * does not know.
 */
export function btrfsAllocationRatio(profile: string, deviceCount: number): number {
  switch (profile) {
    case 'single':
    case 'raid0':
      return 1;
    case 'dup':
    case 'raid1':
    case 'raid10':
      return 2;
    case 'raid1c3':
      return 3;
    case 'raid1c4':
      return 4;
    case 'raid5':
      return deviceCount / (deviceCount - 1);
    case 'raid6':
      return deviceCount / (deviceCount - 2);
    default:
      return 0;
  }
}
