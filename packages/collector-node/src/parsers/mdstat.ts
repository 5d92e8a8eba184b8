import { KernelFormatError, parseUnsigned, splitFields } from './fields.js';

/** One md array as `/proc/mdstat` describes it. */
export interface MdArray {
  /** The array's device name, `md0`. */
  readonly name: string;
  /**
   * `active` or `inactive` (or `broken`, Linux 5.4+); while the kernel works on the array instead
   * `recovering`, `resyncing`, `checking` or `reshaping`, as prometheus/procfs names them.
   */
  readonly state: string;
  readonly disksActive: number;
  /** Members the array needs (the n of `[n/m]`). */
  readonly disksTotal: number;
  /** Members marked `(F)`. */
  readonly disksFailed: number;
  /** Members marked `(S)`. */
  readonly disksSpare: number;
  /** The array's size in 1 KiB blocks. */
  readonly blocksTotal: number;
  /** Blocks already in sync: all of them unless a resync, recovery, check or reshape is under way. */
  readonly blocksSynced: number;
}

const STATUS_LINE = /(\d+) blocks .*\[(\d+)\/(\d+)\] \[([U_]+)\]/;
const PROGRESS = /\((\d+)\/(\d+)\)/;

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/**
 * Parses `/proc/mdstat` (drivers/md/md.c, md_seq_show) the way prometheus/procfs reads it. Each
 * array is a line `md0 : active raid1 sdb1[1] sda1[0](F)` followed by a status line
 * (`1046528 blocks super 1.2 [2/1] [U_]`), possibly a progress line
 * (`[==>....]  recovery = 12.6% (131584/1046528) finish=0.9min speed=15829K/sec`, or
 * `resync=DELAYED`) and a bitmap line. RAID 0 and linear arrays count their members from the
 * array line; an inactive array has no members in use. A line of another shape throws
 * {@link KernelFormatError} naming `where`.
 */
export function parseMdstat(text: string, where: string): MdArray[] {
  const lines = text.split('\n');
  const arrays: MdArray[] = [];
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '' || line.startsWith(' ') || line.startsWith('unused') || line.startsWith('Personalities')) continue;
    const fields = splitFields(line);
    const [name = '', , listedState = ''] = fields;
    if (fields.length < 3) throw new KernelFormatError(`${where}: expected "<array> : <state> …", found ${JSON.stringify(line)}`);
    if (lines.length <= index + 3) throw new KernelFormatError(`${where}: ${name}: too few lines`);
    const statusLine = lines[index + 1] ?? '';
    const blocksTotal = parseUnsigned(splitFields(statusLine)[0], `${where}: ${name} size`);
    let disksActive = 0;
    let disksTotal = 0;
    if (line.includes('raid0') || line.includes('linear')) {
      disksTotal = disksActive = count(line, '[');
    } else if (!line.includes('inactive')) {
      const status = STATUS_LINE.exec(statusLine);
      if (status === null) throw new KernelFormatError(`${where}: ${name}: unexpected status line ${JSON.stringify(statusLine.trim())}`);
      disksTotal = Number(status[2]);
      disksActive = Number(status[3]);
    }
    const progressLine = lines[(lines[index + 2] ?? '').includes('bitmap') ? index + 3 : index + 2] ?? '';
    const activity = progressLine.includes('recovery')
      ? 'recovering'
      : progressLine.includes('reshape')
        ? 'reshaping'
        : progressLine.includes('check')
          ? 'checking'
          : progressLine.includes('resync')
            ? 'resyncing'
            : undefined;
    let blocksSynced = blocksTotal;
    if (activity !== undefined) {
      if (progressLine.includes('PENDING') || progressLine.includes('DELAYED')) {
        blocksSynced = 0;
      } else {
        const progress = PROGRESS.exec(progressLine);
        if (progress === null) throw new KernelFormatError(`${where}: ${name}: unexpected progress line ${JSON.stringify(progressLine.trim())}`);
        blocksSynced = Number(progress[1]);
      }
    }
    arrays.push({
      name,
      state: activity ?? listedState,
      disksActive,
      disksTotal,
      disksFailed: count(line, '(F)'),
      disksSpare: count(line, '(S)'),
      blocksTotal,
      blocksSynced,
    });
  }
  return arrays;
}

/**
 * Reads an array's `md/raid_disks`: how many members a fully working array has, the first number
 * while a reshape changes it (`5 (4)`); `undefined` when the file is empty or says something else.
 */
export function parseRaidDisks(text: string): number | undefined {
  const first = splitFields(text)[0];
  return first !== undefined && /^[0-9]+$/.test(first) ? Number(first) : undefined;
}
