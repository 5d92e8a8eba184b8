import { describe, expect, it } from 'vitest';
import { parseCpuList } from '../src/parsers/cpu-list.js';
import { parseDiskstats } from '../src/parsers/diskstats.js';
import {
  KernelFormatError,
  parseNumber,
  parseSignedOrZero,
  parseSignedPrefixed,
  parseUnsigned,
  parseUnsignedPrefixed,
  parseUnsignedPrefixedBigInt,
  splitFields,
} from '../src/parsers/fields.js';
import { parseInfinibandRate, parseInfinibandState } from '../src/parsers/infiniband.js';
import { parseNfsClient, parseNfsServer } from '../src/parsers/nfs.js';
import { edacDimmLabel } from '../src/parsers/edac.js';
import { netstatValues, parseNetstatPairs, parseSnmp6 } from '../src/parsers/netstat.js';
import { parsePressure } from '../src/parsers/pressure.js';
import { countArpEntries } from '../src/parsers/arp.js';
import { osVersionNumber, parseOsRelease, supportEndSeconds } from '../src/parsers/os-release.js';
import { parseSoftnet } from '../src/parsers/softnet.js';
import { sumUdpQueues } from '../src/parsers/udp-queues.js';
import { parseSchedstat } from '../src/parsers/schedstat.js';
import { parseZfsKstats, parseZpoolIo, parseZpoolObjset } from '../src/parsers/zfs.js';
import { parseConntrackStat } from '../src/parsers/conntrack.js';
import { parseSockstat } from '../src/parsers/sockstat.js';
import { formatIpv6, parseIpvsAddress, parseIpvsBackends, parseIpvsStats } from '../src/parsers/ipvs.js';
import { parseLoadavg } from '../src/parsers/loadavg.js';
import { parseMeminfo } from '../src/parsers/meminfo.js';
import { parseNetDev } from '../src/parsers/net-dev.js';
import { parseProcStat } from '../src/parsers/proc-stat.js';
import { parseUdevProperties } from '../src/parsers/udev.js';
import { parseVmstat } from '../src/parsers/vmstat.js';

describe('splitFields and parseNumber', () => {
  it('splits on runs of spaces, tabs and line ends', () => {
    expect(splitFields('  cpu  1\t\t2 3  ')).toEqual(['cpu', '1', '2', '3']);
    expect(splitFields('tsc kvm-clock \n')).toEqual(['tsc', 'kvm-clock']);
    expect(splitFields(' \t ')).toEqual([]);
  });

  it('parses integers, floats and huge counters like Go does', () => {
    expect(parseNumber('42', 'x')).toBe(42);
    expect(parseNumber('0.25', 'x')).toBe(0.25);
    expect(parseNumber('18446744073709551615', 'x')).toBe(2 ** 64);
    expect(() => parseNumber('12a', 'file field')).toThrow(/file field: invalid number "12a"/);
    expect(() => parseNumber(undefined, 'file field')).toThrow(KernelFormatError);
  });
});

describe('parseUnsignedPrefixed', () => {
  it('reads decimal, hexadecimal, octal and binary like Go\'s ParseUint with base 0', () => {
    expect(['0', '42', '0x1f', '0X1F', '017', '0o17', '0b101', '1_000', '0x_ff'].map((token) => parseUnsignedPrefixed(token, 'x'))).toEqual([0, 42, 31, 31, 15, 15, 5, 1000, 255]);
    expect(parseUnsignedPrefixed('18446744073709551615', 'x')).toBe(2 ** 64);
  });

  it('refuses what Go refuses', () => {
    for (const token of ['08', '1__0', '_1', '', '-1', '12a', '18446744073709551616', ' 1']) expect(() => parseUnsignedPrefixed(token, 'file'), token).toThrow(/^file: /);
  });

  it('gives the exact value as a bigint, telling 2^64 - 1 from its neighbours', () => {
    expect(parseUnsignedPrefixedBigInt('0xffffffffffffffff', 'x')).toBe(0xffff_ffff_ffff_ffffn);
    expect(parseUnsignedPrefixedBigInt('0xfffffffffffffffe', 'x')).toBe(0xffff_ffff_ffff_fffen);
    expect(() => parseUnsignedPrefixedBigInt('0x10000000000000000', 'file')).toThrow('file: "0x10000000000000000" is out of range');
  });
});

describe('parseUnsigned and parseSignedOrZero', () => {
  it('parseUnsigned reads base-10 counters only', () => {
    expect(parseUnsigned('0123', 'x')).toBe(123);
    expect(parseUnsigned('18446744073709551615', 'x')).toBe(2 ** 64);
    for (const token of ['0x10', '-1', '1.5', '18446744073709551616']) expect(() => parseUnsigned(token, 'file'), token).toThrow(/^file: /);
  });

  it('parseSignedPrefixed reads int64 attributes with Go\'s base prefixes, and refuses anything else', () => {
    expect(['-1', '0x10', '+7', '010', '9223372036854775807', '-9223372036854775808'].map((token) => parseSignedPrefixed(token, 'x'))).toEqual([-1, 16, 7, 8, 2 ** 63, -(2 ** 63)]);
    for (const token of ['9223372036854775808', '-9223372036854775809', '--1', '1.5', '', 'abc']) expect(() => parseSignedPrefixed(token, 'file'), token).toThrow(/^file: /);
  });

  it('parseSignedOrZero reads sysfs flags and speeds, and anything else as 0', () => {
    expect(['-1', '0x1003', '100000', '+7', '010', '-9223372036854775808'].map(parseSignedOrZero)).toEqual([-1, 4099, 100_000, 7, 8, -(2 ** 63)]);
    expect(['abc', '', '9223372036854775808', '1.5'].map(parseSignedOrZero)).toEqual([0, 0, 0, 0]);
  });
});

describe('InfiniBand port attributes', () => {
  it('reads state and phys_state as "<id>: <name>"', () => {
    expect(parseInfinibandState('4: ACTIVE', 's')).toEqual({ id: 4, name: 'ACTIVE' });
    expect(parseInfinibandState('5: LinkUp', 's')).toEqual({ id: 5, name: 'LinkUp' });
    expect(() => parseInfinibandState('ACTIVE', 'ports/1/state')).toThrow(/ports\/1\/state: expected "<id>: <name>"/);
    expect(() => parseInfinibandState('x: ACTIVE', 's')).toThrow(/invalid state number "x"/);
  });

  it('converts the rate in Gb/s to bytes per second, truncated as node_exporter does', () => {
    expect(parseInfinibandRate('200 Gb/sec (4X HDR)', 'r')).toBe(25_000_000_000);
    expect(parseInfinibandRate('2.5 Gb/sec (1X SDR)', 'r')).toBe(312_500_000);
    // 14.0625 is exact in single precision; 0.1 is not, and is truncated after the widening.
    expect(parseInfinibandRate('14.0625 Gb/sec (1X FDR)', 'r')).toBe(1_757_812_500);
    expect(parseInfinibandRate('0.1 Gb/sec', 'r')).toBe(12_500_000);
    expect(() => parseInfinibandRate('fast', 'r')).toThrow(/expected "<Gb\/s> Gb\/sec …"/);
  });
});

describe('parsePressure', () => {
  it('reads some and full, either of which may be missing', () => {
    expect(parsePressure('some avg10=1.50 avg60=0.25 avg300=0.00 total=123\n', 'cpu')).toEqual({ some: { avg10: 1.5, avg60: 0.25, avg300: 0, totalMicroseconds: 123 }, full: undefined });
    expect(parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=9\n', 'irq').some).toBeUndefined();
  });

  it('ignores kinds it does not know and refuses a malformed some or full line', () => {
    expect(parsePressure('later avg10=x\nsome avg10=0.00 avg60=0.00 avg300=0.00 total=1\n', 'io').some?.totalMicroseconds).toBe(1);
    expect(() => parsePressure('some avg10=0.00 total=1\n', '/proc/pressure/io')).toThrow(/\/proc\/pressure\/io: unexpected line "some avg10=0.00 total=1"/);
    expect(() => parsePressure('full avg10=a avg60=0 avg300=0 total=1\n', 'io')).toThrow(/io full avg10: invalid number "a"/);
  });
});

describe('NFS RPC statistics', () => {
  it('reads the client file, leaving versions the kernel does not print at 0', () => {
    const stats = parseNfsClient('net 1 2 3 4\nrpc 10 1 10\nproc4 3 0 7 9\n', 'nfs');
    expect(stats.network).toEqual({ netCount: 1, udpCount: 2, tcpCount: 3, tcpConnect: 4 });
    expect(stats.rpc).toEqual({ count: 10, retransmissions: 1, authRefreshes: 10 });
    expect(stats.v2.every((value) => value === 0)).toBe(true);
    expect(stats.v4.slice(0, 4)).toEqual([0, 7, 9, 0]);
    expect(stats.v4).toHaveLength(59);
  });

  it('refuses unknown lines, miscounted procedure lines and non-numbers, naming the file', () => {
    expect(() => parseNfsClient('nfs 1 2\n', '/proc/net/rpc/nfs')).toThrow(/\/proc\/net\/rpc\/nfs: unknown line "nfs"/);
    expect(() => parseNfsClient('proc3 22 1 2\n', 'nfs')).toThrow(/proc3 announces 22 values and has 2/);
    expect(() => parseNfsClient('rpc 1 2\n', 'nfs')).toThrow(/rpc has 2 values, expected 3/);
    expect(() => parseNfsClient('net 1 2 3 -4\n', 'nfs')).toThrow(/net field 4: invalid number "-4"/);
  });

  it('reads the server file: threads from the first field only, v4 operations by number', () => {
    const ops = Array.from({ length: 40 }, (_, index) => index * 10);
    const stats = parseNfsServer(`th 8 0 0.000 1.500\nproc4ops 40 ${ops.join(' ')}\nwdeleg_getattr 5\n`, 'nfsd');
    expect(stats.threads).toBe(8);
    expect(stats.v4[35]).toBe(350); // SETCLIENTID
    expect(stats.v4[39]).toBe(390); // RELEASE_LOCKOWNER
    expect(stats.wdelegGetattr).toBe(5);
    expect(() => parseNfsServer('proc4ops 2 0 0\n', 'nfsd')).toThrow(/at least 39 expected/);
    expect(() => parseNfsServer('proc4 3 1 2 3\n', 'nfsd')).toThrow(/proc4 has more than 2 values/);
  });
});

describe('edacDimmLabel', () => {
  it('drops # and separates csrow and channel, as node_exporter does', () => {
    expect(edacDimmLabel('CPU_SrcID#0_Ha#0_Chan#1_DIMM#0\n')).toBe('CPU_SrcID0_Ha0_Chan1_DIMM0');
    expect(edacDimmLabel('mc#0csrow#1channel#0')).toBe('mc0_csrow1_channel0');
    expect(edacDimmLabel(undefined)).toBe('unknown');
  });
});

describe('netstat files', () => {
  it('pairs names with values per protocol, and splits snmp6 keys after the 6', () => {
    const pairs = parseNetstatPairs('TcpExt: SyncookiesSent ListenOverflows\nTcpExt: 0 12\nIpExt: InOctets\nIpExt: 9\n', 'netstat');
    expect(Object.fromEntries(netstatValues(pairs, 'netstat'))).toEqual({ TcpExt_SyncookiesSent: 0, TcpExt_ListenOverflows: 12, IpExt_InOctets: 9 });
    const snmp6 = parseSnmp6('Ip6InReceives                   \t54\nUdplite6InErrors 0\nnothing\n');
    expect(Object.fromEntries(netstatValues(snmp6, 'snmp6'))).toEqual({ Ip6_InReceives: 54, Udplite6_InErrors: 0 });
  });

  it('refuses a pair whose counts differ, and a value that is not a number even where it is not reported', () => {
    expect(() => parseNetstatPairs('Tcp: A B\nTcp: 1\n', '/proc/net/snmp')).toThrow(/\/proc\/net\/snmp: Tcp has 2 names but 1 values/);
    expect(() => netstatValues(parseNetstatPairs('Tcp: A\nTcp: x\n', 'snmp'), 'snmp')).toThrow(/invalid value "x" of Tcp A/);
  });
});

describe('sockstat and conntrack', () => {
  it('reads sockstat counts per protocol', () => {
    const stats = parseSockstat('sockets: used 9\nTCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1\nFRAG: inuse 0 memory 0\n', 'sockstat');
    expect(stats.used).toBe(9);
    expect(stats.protocols.map(({ protocol, counts }) => [protocol, Object.fromEntries(counts)])).toEqual([
      ['TCP', { inuse: 5, orphan: 0, tw: 2, alloc: 7, mem: 1 }],
      ['FRAG', { inuse: 0, memory: 0 }],
    ]);
    expect(() => parseSockstat('TCP: inuse\n', '/proc/net/sockstat')).toThrow(/\/proc\/net\/sockstat: malformed line "TCP: inuse"/);
    expect(() => parseSockstat('TCP: inuse x\n', 'sockstat')).toThrow(/invalid value "x"/);
  });

  it('sums the per-CPU conntrack counters, search_restart only with 17 columns', () => {
    const cpu = (found: number, restart?: number): string => [0, 0, found, 0, 1, 2, 0, 0, 3, 0, 4, 5, 0, 0, 0, 0, ...(restart === undefined ? [] : [restart])].map((value) => value.toString(16).padStart(8, '0')).join(' ');
    expect(parseConntrackStat(`header\n${cpu(0x10, 1)}\n${cpu(0x20, 2)}\n`, 'c')).toEqual({ found: 48, invalid: 2, ignore: 4, insert: 6, insertFailed: 0, drop: 8, earlyDrop: 10, searchRestart: 3 });
    expect(parseConntrackStat(`header\n${cpu(1)}\n`, 'c').searchRestart).toBe(0);
    expect(() => parseConntrackStat('header\n00 01\n', 'nf_conntrack')).toThrow(/nf_conntrack: a line has 2 fields, expected 16 or 17/);
  });
});

describe('small procfs files', () => {
  it('counts ARP entries per device, refusing a malformed line', () => {
    const header = 'IP address       HW type     Flags       HW address            Mask     Device';
    expect(Object.fromEntries(countArpEntries(`${header}\n10.0.0.1 0x1 0x2 52:54:00:12:34:56 * eth0\n10.0.0.2 0x1 0x2 52:54:00:12:34:57 * eth0\n`, 'arp'))).toEqual({ eth0: 2 });
    expect(() => countArpEntries('10.0.0.1 0x1 0x2 nonsense * eth0\n', '/proc/net/arp')).toThrow(/\/proc\/net\/arp: invalid hardware address "nonsense"/);
    expect(() => countArpEntries('10.0.0.1 0x1\n', 'arp')).toThrow(/2 columns, expected 6/);
  });

  it('reads softnet_stat of old and new kernels', () => {
    const columns = (count: number, cpu?: number): string => Array.from({ length: count }, (_, index) => (index === 12 && cpu !== undefined ? cpu : index + 1).toString(16).padStart(8, '0')).join(' ');
    const [newer] = parseSoftnet(`${columns(13, 7)}\n`, 's');
    expect(newer).toEqual({ processed: 1, dropped: 2, timeSqueezed: 3, cpuCollision: 9, receivedRps: 10, flowLimitCount: 11, backlogLength: 12, cpu: 7 });
    expect(parseSoftnet(`${columns(9)}\n${columns(9)}\n`, 's').map((stat) => [stat.cpu, stat.receivedRps])).toEqual([[0, 0], [1, 0]]);
    expect(() => parseSoftnet('1 2 3\n', 'softnet_stat')).toThrow(/softnet_stat: 3 columns, expected at least 9/);
  });

  it('sums UDP queues', () => {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops';
    expect(sumUdpQueues(`${header}\n 1: 00000000:0044 00000000:0000 07 00000010:00000A00 00:0 0 0 0 1 2 0 0\n 2: 00000000:0045 00000000:0000 07 00000001:00000001 00:0 0 0 0 1 2 0 0\n`, 'udp')).toEqual({ tx: 17, rx: 2561 });
    expect(() => sumUdpQueues(`${header}\n 1: 00000000:0044 00000000:0000 07 garbage\n`, 'udp')).toThrow(/invalid tx_queue:rx_queue "garbage"/);
  });

  it('reads os-release quoting, the version number and the end of support', () => {
    const release = parseOsRelease('# comment\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVARIANT=\'Server "Edition"\'\nPRETTY_NAME="A \\"quoted\\" name"\nID=ubuntu\n');
    expect(Object.fromEntries(release)).toEqual({ NAME: 'Ubuntu', VERSION_ID: '22.04', VARIANT: 'Server "Edition"', PRETTY_NAME: 'A "quoted" name', ID: 'ubuntu' });
    expect(['12', '22.04', '9.3.1', 'rolling', '', '7.'].map(osVersionNumber)).toEqual([12, 22.04, 9.3, 0, 0, 7]);
    expect(supportEndSeconds('2028-06-30', 'os-release')).toBe(Date.UTC(2028, 5, 30) / 1000);
    expect(() => supportEndSeconds('2028-02-30', 'os-release')).toThrow(/invalid SUPPORT_END/);
  });
});

describe('parseSchedstat', () => {
  it('reads the cpu lines, skipping versions, domains and lines that do not fit', () => {
    expect(parseSchedstat('version 15\ntimestamp 1\ncpu3 0 0 0 0 0 0 2500000000 1000 7\ndomain0 3 1 2\ncpu4 0 0\n')).toEqual([
      { cpu: '3', runningNanoseconds: 2_500_000_000, waitingNanoseconds: 1000, timeslices: 7 },
    ]);
  });
});

describe('ZFS kstats', () => {
  const header = '13 1 0x01 3 1088 8024934251 127823447712831\nname                            type data\n';

  it('reads named kstats of types int64 and uint64, and refuses a file without a header', () => {
    expect(parseZfsKstats(`${header}hits 4 12\nmemory_available_bytes 3 -5\nlabel 7 text\n`, 'arcstats')).toEqual([
      { name: 'hits', value: 12 },
      { name: 'memory_available_bytes', value: -5 },
    ]);
    expect(() => parseZfsKstats('hits 4 12\n', '/proc/spl/kstat/zfs/arcstats')).toThrow(/arcstats: no "name type data" header/);
    expect(() => parseZfsKstats(`${header}hits 4 x\n`, 'arcstats')).toThrow(/arcstats hits: invalid number "x"/);
  });

  it('reads a pool\'s io line and a dataset\'s objset, whose name may contain spaces', () => {
    const io = parseZpoolIo('21 3 0x00 1 80 1 2\nnread nwritten reads writes wtime wlentime wupdate rtime rlentime rupdate wcnt rcnt\n1 2 3 4 5 6 7 8 9 10 11 12\n', 'io');
    expect(io.slice(0, 3)).toEqual([{ name: 'nread', value: 1 }, { name: 'nwritten', value: 2 }, { name: 'reads', value: 3 }]);
    expect(parseZpoolObjset(`${header}dataset_name 7 tank/my data\nwrites 4 9\n`, 'objset')).toEqual({ dataset: 'tank/my data', kstats: [{ name: 'writes', value: 9 }] });
  });
});

describe('parseProcStat', () => {
  const text = [
    'cpu  300 10 200 5000 40 0 6 7 0 0',
    'cpu0 150 5 100 2500 20 0 3 4 8 9',
    'cpu2 150 5 100 2500 20 0 3 3',
    'intr 12345 0 1 2 3',
    'ctxt 678',
    'btime 1700000000',
    'processes 910',
    'procs_running 3',
    'procs_blocked 1',
    'softirq 100 1 2 3 4 5 6 7 8 9 10',
    '',
  ].join('\n');

  it('converts CPU ticks to seconds per CPU number and skips the total line', () => {
    const stat = parseProcStat(text);
    expect([...stat.cpus.keys()]).toEqual(['0', '2']);
    expect(stat.cpus.get('0')).toEqual({ user: 1.5, nice: 0.05, system: 1, idle: 25, iowait: 0.2, irq: 0, softirq: 0.03, steal: 0.04, guest: 0.08, guestNice: 0.09 });
  });

  it('reads missing trailing CPU columns of older kernels as zero', () => {
    expect(parseProcStat(text).cpus.get('2')).toMatchObject({ steal: 0.03, guest: 0, guestNice: 0 });
  });

  it('divides by USER_HZ exactly as node_exporter does', () => {
    // 35 / 100 is 0.35, while 35 * 0.01 is 0.35000000000000003.
    expect(parseProcStat('cpu0 35 0 0 0 0 0 0 0 0 0\n').cpus.get('0')?.user).toBe(0.35);
  });

  it('reads the system-wide lines', () => {
    expect(parseProcStat(text)).toMatchObject({ interrupts: 12345, contextSwitches: 678, bootTime: 1700000000, forks: 910, procsRunning: 3, procsBlocked: 1 });
    expect(parseProcStat(text).softirqs).toEqual([
      ['hi', 1],
      ['timer', 2],
      ['net_tx', 3],
      ['net_rx', 4],
      ['block', 5],
      ['block_iopoll', 6],
      ['tasklet', 7],
      ['sched', 8],
      ['hrtimer', 9],
      ['rcu', 10],
    ]);
  });

  it('leaves absent lines undefined rather than zero', () => {
    const stat = parseProcStat('cpu0 1 2 3 4\n');
    expect(stat.bootTime).toBeUndefined();
    expect(stat.softirqs).toBeUndefined();
  });

  it('refuses a value that is not a number', () => {
    expect(() => parseProcStat('cpu0 1 x 3\n')).toThrow(/\/proc\/stat cpu0 nice: invalid number "x"/);
    expect(() => parseProcStat('cpuX 1 2 3\n')).toThrow(KernelFormatError);
  });
});

describe('parseMeminfo', () => {
  it('names fields as node_exporter does and converts kB to bytes', () => {
    const fields = parseMeminfo('MemTotal:       24684096 kB\nActive(anon):       1544 kB\nHugePages_Total:       0\nHugepagesize:       2048 kB\n');
    expect([...fields]).toEqual([
      ['MemTotal_bytes', 24684096 * 1024],
      ['Active_anon_bytes', 1544 * 1024],
      ['HugePages_Total', 0],
      ['Hugepagesize_bytes', 2048 * 1024],
    ]);
  });

  it('skips blank lines and keeps the last of a repeated field', () => {
    expect([...parseMeminfo('\nMemFree: 1 kB\n\nMemFree: 2 kB\n')]).toEqual([['MemFree_bytes', 2048]]);
  });

  it('refuses malformed lines', () => {
    expect(() => parseMeminfo('MemTotal 1 kB\n')).toThrow(/invalid line/);
    expect(() => parseMeminfo('MemTotal: 1 kB extra\n')).toThrow(/invalid line/);
    expect(() => parseMeminfo('MemTotal: lots kB\n')).toThrow(/invalid number/);
  });
});

describe('parseLoadavg', () => {
  it('reads the three averages', () => {
    expect(parseLoadavg('0.92 0.33 0.16 2/110 7305\n')).toEqual([0.92, 0.33, 0.16]);
  });

  it('refuses short content', () => {
    expect(() => parseLoadavg('0.92\n')).toThrow(KernelFormatError);
  });
});

describe('parseVmstat', () => {
  it('keeps the fields the filter accepts, last value wins', () => {
    const fields = parseVmstat('nr_free_pages 100\npgfault 5\noom_kill 0\npgfault 6\nbroken\n', (name) => name.startsWith('pg') || name === 'oom_kill');
    expect([...fields]).toEqual([
      ['pgfault', 6],
      ['oom_kill', 0],
    ]);
  });

  it('does not parse values of fields it drops', () => {
    expect([...parseVmstat('ignored x\npgfault 1\n', (name) => name === 'pgfault')]).toEqual([['pgfault', 1]]);
    expect(() => parseVmstat('pgfault x\n', () => true)).toThrow(/\/proc\/vmstat pgfault/);
  });
});

describe('parseDiskstats', () => {
  it('reads 11, 15 and 17 statistics, skips 2.6-era partition lines and repeated devices', () => {
    const disks = parseDiskstats(
      [
        '   8       0 sda 1 2 3 4 5 6 7 8 9 10 11',
        '   8       1 sda1 1 2 3 4',
        ' 254       0 vda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15',
        ' 259       0 nvme0n1 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17',
        '   8       0 sda 9 9 9 9 9 9 9 9 9 9 9',
      ].join('\n'),
    );
    expect(disks.map((disk) => [disk.device, disk.values.length])).toEqual([
      ['sda', 11],
      ['vda', 15],
      ['nvme0n1', 17],
    ]);
    expect(disks[0]).toEqual({ major: '8', minor: '0', device: 'sda', values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] });
  });

  it('refuses a line with bad device numbers or values', () => {
    expect(() => parseDiskstats('x 0 sda 1 2 3 4 5 6 7 8 9 10 11')).toThrow(/invalid device numbers/);
    expect(() => parseDiskstats('8 0 sda 1 2 3 4 5 6 7 8 9 10 y')).toThrow(/sda column 14/);
  });
});

describe('parseNetDev', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:   57502     188    0    0    0     0          0         0    57502     188    0    0    0     0       0          0',
    '  eth0: 172823765    5090    1    2    3     4          5         6   476857    4054    7    8    9    10       11          12',
    'eth0:1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16',
    '',
  ].join('\n');

  it('reads sixteen columns per interface, the name up to the last colon', () => {
    const interfaces = parseNetDev(text);
    expect(interfaces.map((entry) => entry.device)).toEqual(['lo', 'eth0', 'eth0:1']);
    expect(interfaces[1]?.values).toEqual([172823765, 5090, 1, 2, 3, 4, 5, 6, 476857, 4054, 7, 8, 9, 10, 11, 12]);
  });

  it('refuses a short or nameless line', () => {
    expect(() => parseNetDev('h\nh\n  eth0: 1 2 3\n')).toThrow(/eth0 has 3 columns/);
    expect(() => parseNetDev('h\nh\n  : 1 2 3\n')).toThrow(/invalid line/);
  });
});

describe('parseUdevProperties', () => {
  it('keeps the E: properties, values may contain "="', () => {
    const properties = parseUdevProperties('S:disk/by-id/x\nE:ID_MODEL=Samsung SSD\nE:ID_FS_UUID=a=b\nG:systemd\n');
    expect([...properties]).toEqual([
      ['ID_MODEL', 'Samsung SSD'],
      ['ID_FS_UUID', 'a=b'],
    ]);
  });
});

describe('parseCpuList', () => {
  it('expands ranges and single CPUs', () => {
    expect(parseCpuList('0-2,8,10-11\n')).toEqual([0, 1, 2, 8, 10, 11]);
    expect(parseCpuList('\n')).toEqual([]);
  });

  it('refuses garbage and reversed ranges', () => {
    expect(() => parseCpuList('a-b')).toThrow(KernelFormatError);
    expect(() => parseCpuList('3-1')).toThrow(KernelFormatError);
  });
});

describe('IPVS files', () => {
  it('formats IPv6 addresses as Go does', () => {
    const groups = (text: string): number[] => text.split(':').map((group) => Number.parseInt(group, 16));
    expect(formatIpv6(groups('fd00:0010:0096:0000:0000:0000:0000:000a'))).toBe('fd00:10:96::a');
    expect(formatIpv6(groups('2001:0db8:0000:0001:0000:0000:0000:0001'))).toBe('2001:db8:0:1::1');
    // The first of two equally long runs is shortened; a single zero group is not.
    expect(formatIpv6(groups('2001:0db8:0000:0000:0001:0000:0000:0001'))).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(groups('2001:0db8:0000:0001:0002:0003:0004:0005'))).toBe('2001:db8:0:1:2:3:4:5');
    expect(formatIpv6(groups('0000:0000:0000:0000:0000:0000:0000:0000'))).toBe('::');
    expect(formatIpv6(groups('0000:0000:0000:0000:0000:ffff:0a00:0001'))).toBe('10.0.0.1');
  });

  it('reads addresses and ports in hex', () => {
    expect(parseIpvsAddress('C0A80016:0CEA', 'f')).toEqual({ address: '192.168.0.22', port: 3306 });
    expect(parseIpvsAddress('[fe80:0000:0000:0000:0000:0000:0000:0001]:0050', 'f')).toEqual({ address: 'fe80::1', port: 80 });
    for (const token of ['C0A8016:0CEA', 'C0A80016:CEA', '192.168.0.22:3306', '[fe80::1]:0050']) expect(() => parseIpvsAddress(token, 'ip_vs'), token).toThrow(/^ip_vs: unexpected address/);
  });

  it('reads the totals of ip_vs_stats and refuses a short or malformed file', () => {
    const text = '   Total Incoming Outgoing         Incoming         Outgoing\n   Conns  Packets  Packets            Bytes            Bytes\n 16AA370 E33656E5        0     51D8C8883AB3                0\n\n';
    expect(parseIpvsStats(text, 'f')).toEqual({ connections: 0x16aa370, incomingPackets: 0xe33656e5, outgoingPackets: 0, incomingBytes: 0x51d8c8883ab3, outgoingBytes: 0 });
    expect(() => parseIpvsStats('   Total\n', 'ip_vs_stats')).toThrow('ip_vs_stats: too short');
    expect(() => parseIpvsStats(text.replace('E33656E5', 'E33656G5'), 'ip_vs_stats')).toThrow(/invalid hexadecimal number "E33656G5"/);
    expect(() => parseIpvsStats(text.replace(' 0     51D8', ' 51D8'), 'ip_vs_stats')).toThrow(/expected 5 totals/);
  });

  it('reads each service\'s backends, firewall-mark services without an address', () => {
    const text = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\nFWM  00000A0B wlc\n  -> C0A8640B:0000      Route   100    17         5\nUDP  0A60000A:0035 rr\n  -> 0AF40003:0035      Masq    1      0          12\n';
    expect(parseIpvsBackends(text, 'f')).toEqual([
      { localAddress: '', localPort: 0, localMark: '00000A0B', proto: 'FWM', remoteAddress: '192.168.100.11', remotePort: 0, weight: 100, activeConnections: 17, inactiveConnections: 5 },
      { localAddress: '10.96.0.10', localPort: 53, localMark: '', proto: 'UDP', remoteAddress: '10.244.0.3', remotePort: 53, weight: 1, activeConnections: 0, inactiveConnections: 12 },
    ]);
    expect(() => parseIpvsBackends(text.replace('17 ', 'x7 '), 'ip_vs')).toThrow('ip_vs ActiveConn: invalid number "x7"');
  });
});
