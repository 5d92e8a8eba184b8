import { KernelFormatError, parseSignedOrZero } from './fields.js';

/** One protocol line of a sockstat file: its counts by name (`inuse`, `orphan`, `tw`, `alloc`, `mem`, `memory`). */
export interface SockstatProtocol {
  readonly protocol: string;
  readonly counts: ReadonlyMap<string, number>;
}

/** `/proc/net/sockstat` or `sockstat6`. */
export interface Sockstat {
  /** `sockets: used N` (IPv4 only). */
  readonly used: number | undefined;
  readonly protocols: readonly SockstatProtocol[];
}

/**
 * Parses a sockstat file: `TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1` per protocol, and
 * `sockets: used 176`. A line without key/value pairs or with an odd count, or a value that is not
 * an integer, throws {@link KernelFormatError}.
 */
export function parseSockstat(text: string, where: string): Sockstat {
  let used: number | undefined;
  const protocols: SockstatProtocol[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = line.split(' ');
    if (fields.length < 3 || (fields.length - 1) % 2 !== 0) throw new KernelFormatError(`${where}: malformed line ${JSON.stringify(line)}`);
    const counts = new Map<string, number>();
    for (let index = 1; index < fields.length; index += 2) {
      const text = fields[index + 1] ?? '';
      if (!/^[+-]?(0[xob])?[0-9a-f_]+$/i.test(text)) throw new KernelFormatError(`${where}: invalid value ${JSON.stringify(text)} in ${JSON.stringify(line)}`);
      counts.set(fields[index] ?? '', parseSignedOrZero(text));
    }
    const protocol = (fields[0] ?? '').replace(/:$/, '');
    if (protocol === 'sockets') used = counts.get('used') ?? 0;
    else protocols.push({ protocol, counts });
  }
  return { used, protocols };
}
