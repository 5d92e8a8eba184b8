import { KernelFormatError, parseUnsigned, splitFields } from './fields.js';

/** The IP Virtual Server's totals since it was loaded, from `/proc/net/ip_vs_stats`. */
export interface IpvsStats {
  readonly connections: number;
  readonly incomingPackets: number;
  readonly outgoingPackets: number;
  readonly incomingBytes: number;
  readonly outgoingBytes: number;
}

/** One real server (backend) of one virtual service, from `/proc/net/ip_vs`. */
export interface IpvsBackend {
  /** The virtual service's address; empty for a service selected by firewall mark. */
  readonly localAddress: string;
  /** The virtual service's port; 0 for a firewall-mark service. */
  readonly localPort: number;
  /** The firewall mark, as the kernel prints it (hex); empty for an address service. */
  readonly localMark: string;
  /** `TCP`, `UDP`, `SCTP` or `FWM`. */
  readonly proto: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly weight: number;
  readonly activeConnections: number;
  readonly inactiveConnections: number;
}

/** Parses a hexadecimal counter as Go's `strconv.ParseUint(text, 16, 64)` does. */
function parseHex(token: string | undefined, where: string): number {
  if (token === undefined || !/^[0-9a-fA-F]+$/.test(token)) throw new KernelFormatError(`${where}: invalid hexadecimal number ${JSON.stringify(token ?? '')}`);
  const value = BigInt(`0x${token}`);
  if (value > 0xffff_ffff_ffff_ffffn) throw new KernelFormatError(`${where}: ${JSON.stringify(token)} is out of range`);
  return Number(value);
}

/**
 * Parses `/proc/net/ip_vs_stats`: two header lines, then the five totals in hex (connections,
 * incoming and outgoing packets, incoming and outgoing bytes); the per-second rates after them
 * are not read.
 */
export function parseIpvsStats(text: string, where: string): IpvsStats {
  const lines = text.split('\n');
  if (lines.length < 4) throw new KernelFormatError(`${where}: too short`);
  const fields = splitFields(lines[2] ?? '');
  if (fields.length !== 5) throw new KernelFormatError(`${where}: expected 5 totals on line 3, found ${fields.length}`);
  const [connections, incomingPackets, outgoingPackets, incomingBytes, outgoingBytes] = fields.map((field) => parseHex(field, where));
  return { connections: connections ?? 0, incomingPackets: incomingPackets ?? 0, outgoingPackets: outgoingPackets ?? 0, incomingBytes: incomingBytes ?? 0, outgoingBytes: outgoingBytes ?? 0 };
}

/**
 * Formats an IPv6 address as Go's `net.IP.String` does, which node_exporter's labels use: an
 * IPv4-mapped address in dotted form, otherwise lowercase groups without leading zeros and the
 * first longest run of two or more zero groups written `::` (RFC 5952).
 */
export function formatIpv6(groups: readonly number[]): string {
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not shortened
  for (let start = 0; start < groups.length; start++) {
    let end = start;
    while (end < groups.length && groups[end] === 0) end++;
    if (end - start > bestLength) {
      bestStart = start;
      bestLength = end - start;
    }
    start = Math.max(start, end);
  }
  const hex = (part: readonly number[]): string => part.map((group) => group.toString(16)).join(':');
  if (bestStart === -1) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}

/**
 * Parses the kernel's `address:port` of `/proc/net/ip_vs`: eight hex digits for IPv4
 * (`C0A80016:0CEA`), or the full IPv6 address in brackets (`[2001:0db8:0000:…:0001]:0050`); the
 * port is four hex digits.
 */
export function parseIpvsAddress(token: string, where: string): { readonly address: string; readonly port: number } {
  const ipv4 = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{4})$/.exec(token);
  if (ipv4 !== null) {
    const [, address = '', port = ''] = ipv4;
    const octets = [0, 2, 4, 6].map((offset) => Number.parseInt(address.slice(offset, offset + 2), 16));
    return { address: octets.join('.'), port: Number.parseInt(port, 16) };
  }
  const ipv6 = /^\[((?:[0-9A-Fa-f]{4}:){7}[0-9A-Fa-f]{4})\]:([0-9A-Fa-f]{4})$/.exec(token);
  if (ipv6 !== null) {
    const [, address = '', port = ''] = ipv6;
    return { address: formatIpv6(address.split(':').map((group) => Number.parseInt(group, 16))), port: Number.parseInt(port, 16) };
  }
  throw new KernelFormatError(`${where}: unexpected address ${JSON.stringify(token)}`);
}

/**
 * Parses `/proc/net/ip_vs`: after three header lines, each virtual service (`TCP  C0A80016:0CEA
 * wlc`, `UDP …`, `SCTP …`, or `FWM  00000A0B wlc` selected by firewall mark) is followed by its real
 * servers (`  -> C0A85216:0CEA  Route  100  248  2`: address, forwarding method, weight, active and
 * inactive connections). An address that does not parse throws {@link KernelFormatError}.
 */
export function parseIpvsBackends(text: string, where: string): IpvsBackend[] {
  const backends: IpvsBackend[] = [];
  let service: Pick<IpvsBackend, 'localAddress' | 'localPort' | 'localMark' | 'proto'> | undefined;
  for (const line of text.split('\n')) {
    const fields = splitFields(line);
    const [first, second] = fields;
    if (first === undefined || second === undefined) continue;
    if (first === 'IP' || first === 'Prot' || second === 'RemoteAddress:Port') continue; // the headers
    if (first === '->') {
      if (service === undefined || fields.length < 6) continue;
      const remote = parseIpvsAddress(second, where);
      backends.push({
        ...service,
        remoteAddress: remote.address,
        remotePort: remote.port,
        weight: parseUnsigned(fields[3], `${where} weight`),
        activeConnections: parseUnsigned(fields[4], `${where} ActiveConn`),
        inactiveConnections: parseUnsigned(fields[5], `${where} InActConn`),
      });
    } else if (first === 'FWM') {
      service = { localAddress: '', localPort: 0, localMark: second, proto: first };
    } else {
      // TCP, UDP, SCTP, or IP_<n> for another protocol number.
      const local = parseIpvsAddress(second, where);
      service = { localAddress: local.address, localPort: local.port, localMark: '', proto: first };
    }
  }
  return backends;
}
