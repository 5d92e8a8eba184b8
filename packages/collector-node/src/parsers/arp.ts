import { KernelFormatError, splitFields } from './fields.js';

/**
 * Counts the entries of `/proc/net/arp` per device. The header (9 columns) and blank lines are
 * skipped; a line of any other width than 6, or with a malformed hardware address or flags,
 * throws {@link KernelFormatError}, as prometheus/procfs does.
 */
export function countArpEntries(text: string, where: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    const columns = splitFields(line);
    if (columns.length === 0 || columns.length === 9) continue;
    if (columns.length !== 6) throw new KernelFormatError(`${where}: ${columns.length} columns, expected 6`);
    const [, , flags = '', hardwareAddress = '', , device = ''] = columns;
    if (!/^(0x[0-9a-f]{1,2}|[0-9]{1,3})$/i.test(flags)) throw new KernelFormatError(`${where}: invalid flags ${JSON.stringify(flags)}`);
    if (!/^[0-9a-f]{2}([:-][0-9a-f]{2}){5,19}$/i.test(hardwareAddress)) throw new KernelFormatError(`${where}: invalid hardware address ${JSON.stringify(hardwareAddress)}`);
    counts.set(device, (counts.get(device) ?? 0) + 1);
  }
  return counts;
}
