import { KernelFormatError, splitFields } from './fields.js';

/**
 * Sums the `tx_queue:rx_queue` column (hexadecimal bytes) of every socket in `/proc/net/udp` or
 * `udp6`, after the header line. A socket line without that column throws {@link KernelFormatError}.
 */
export function sumUdpQueues(text: string, where: string): { tx: number; rx: number } {
  let tx = 0;
  let rx = 0;
  for (const line of text.split('\n').slice(1)) {
    const fields = splitFields(line);
    if (fields.length === 0) continue;
    const match = /^([0-9a-f]+):([0-9a-f]+)$/i.exec(fields[4] ?? '');
    if (match === null) throw new KernelFormatError(`${where}: invalid tx_queue:rx_queue ${JSON.stringify(fields[4] ?? '')} in ${JSON.stringify(line.trim())}`);
    tx += Number.parseInt(match[1] ?? '', 16);
    rx += Number.parseInt(match[2] ?? '', 16);
  }
  return { tx, rx };
}
