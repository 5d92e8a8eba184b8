import { parseValue } from '@tessera/exposition';
import { KernelFormatError, splitFields } from './fields.js';

/** Statistics by protocol (`TcpExt`, `Ip6`), then by field name, values as written. */
export type NetStatistics = Map<string, Map<string, string>>;

/**
 * Parses `/proc/net/netstat` or `/proc/net/snmp`: pairs of lines, `Proto: Name1 Name2 …` then
 * `Proto: 1 2 …`. A pair whose counts differ throws {@link KernelFormatError}; a protocol listed
 * twice keeps its last pair.
 */
export function parseNetstatPairs(text: string, where: string): NetStatistics {
  const statistics: NetStatistics = new Map();
  const lines = text.split('\n').filter((line) => line !== '');
  for (let index = 0; index < lines.length; index += 2) {
    const names = (lines[index] ?? '').split(' ');
    const values = (lines[index + 1] ?? '').split(' ');
    const protocol = (names[0] ?? '').slice(0, -1);
    if (names.length !== values.length) throw new KernelFormatError(`${where}: ${protocol} has ${names.length - 1} names but ${values.length - 1} values`);
    const fields = new Map<string, string>();
    for (let field = 1; field < names.length; field++) fields.set(names[field] ?? '', values[field] ?? '');
    statistics.set(protocol, fields);
  }
  return statistics;
}

/**
 * Parses `/proc/net/snmp6`: one `Ip6InReceives  123` per line, the protocol being everything up
 * to and including the first `6` (`Ip6`, `Icmp6`, `Udplite6`). Lines without a `6` are ignored.
 */
export function parseSnmp6(text: string): NetStatistics {
  const statistics: NetStatistics = new Map();
  for (const line of text.split('\n')) {
    const [key = '', value] = splitFields(line);
    const six = key.indexOf('6');
    if (value === undefined || six === -1) continue;
    const protocol = key.slice(0, six + 1);
    let fields = statistics.get(protocol);
    if (fields === undefined) statistics.set(protocol, (fields = new Map<string, string>()));
    fields.set(key.slice(six + 1), value);
  }
  return statistics;
}

/**
 * Every statistic as `Protocol_Name` → number, as node_exporter reads them: every value must be a
 * number, whether or not it is reported (it throws {@link KernelFormatError} otherwise).
 */
export function netstatValues(statistics: NetStatistics, where: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const [protocol, fields] of statistics) {
    for (const [name, text] of fields) {
      const value = parseValue(text);
      if (value === undefined) throw new KernelFormatError(`${where}: invalid value ${JSON.stringify(text)} of ${protocol} ${name}`);
      values.set(`${protocol}_${name}`, value);
    }
  }
  return values;
}
