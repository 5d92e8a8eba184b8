import { KernelFormatError, parseUnsigned, splitFields } from './fields.js';

/**
 * The procedures of each NFS version in the order the kernel prints them, under the names
 * node_exporter reports in `method` (prometheus/procfs's field names).
 */
export const NFS_V2_PROCEDURES = ['Null', 'GetAttr', 'SetAttr', 'Root', 'Lookup', 'ReadLink', 'Read', 'WrCache', 'Write', 'Create', 'Remove', 'Rename', 'Link', 'SymLink', 'MkDir', 'RmDir', 'ReadDir', 'FsStat'] as const;

/** NFSv3 procedures, as {@link NFS_V2_PROCEDURES}. */
export const NFS_V3_PROCEDURES = [
  'Null', 'GetAttr', 'SetAttr', 'Lookup', 'Access', 'ReadLink', 'Read', 'Write', 'Create', 'MkDir', 'SymLink', 'MkNod', 'Remove', 'RmDir', 'Rename', 'Link', 'ReadDir', 'ReadDirPlus',
  'FsStat', 'FsInfo', 'PathConf', 'Commit',
] as const; // prettier-ignore

/**
 * The NFSv4 client operations node_exporter reports, in the kernel's order (include/linux/nfs4.h,
 * NFSPROC4_CLNT_*). Kernels print more; only these are read, and a shorter line leaves the rest 0.
 * GetDeviceInfo comes before LayoutGet as in newer node_exporter (prometheus/procfs #726 fixed the swap).
 */
export const NFS_V4_CLIENT_OPERATIONS = [
  'Null', 'Read', 'Write', 'Commit', 'Open', 'OpenConfirm', 'OpenNoattr', 'OpenDowngrade', 'Close', 'Setattr', 'FsInfo', 'Renew', 'SetClientID', 'SetClientIDConfirm', 'Lock',
  'Lockt', 'Locku', 'Access', 'Getattr', 'Lookup', 'LookupRoot', 'Remove', 'Rename', 'Link', 'Symlink', 'Create', 'Pathconf', 'StatFs', 'ReadLink', 'ReadDir', 'ServerCaps',
  'DelegReturn', 'GetACL', 'SetACL', 'FsLocations', 'ReleaseLockowner', 'Secinfo', 'FsidPresent', 'ExchangeID', 'CreateSession', 'DestroySession', 'Sequence',
  'GetLeaseTime', 'ReclaimComplete', 'GetDeviceInfo', 'LayoutGet', 'LayoutCommit', 'LayoutReturn', 'SecinfoNoName', 'TestStateID', 'FreeStateID', 'GetDeviceList',
  'BindConnToSession', 'DestroyClientID', 'Seek', 'Allocate', 'DeAllocate', 'LayoutStats', 'Clone',
] as const; // prettier-ignore

/**
 * The NFSv4 server operations, by position in `proc4ops` (the operation numbers of RFC 7530 and
 * 5661: OP_ACCESS is 3). Newer node_exporter reads SetClientID and SetClientIDConfirm at 35 and
 * 36, where the kernel has them (older versions shifted Verify, Write and RelLockOwner onto them).
 */
export const NFS_V4_SERVER_OPERATIONS = [
  'Op0Unused', 'Op1Unused', 'Op2Future', 'Access', 'Close', 'Commit', 'Create', 'DelegPurge', 'DelegReturn', 'GetAttr', 'GetFH', 'Link', 'Lock', 'Lockt', 'Locku', 'Lookup',
  'LookupRoot', 'Nverify', 'Open', 'OpenAttr', 'OpenConfirm', 'OpenDgrd', 'PutFH', 'PutPubFH', 'PutRootFH', 'Read', 'ReadDir', 'ReadLink', 'Remove', 'Rename', 'Renew',
  'RestoreFH', 'SaveFH', 'SecInfo', 'SetAttr', 'SetClientID', 'SetClientIDConfirm', 'Verify', 'Write', 'RelLockOwner',
] as const; // prettier-ignore

/** The `net` line, client and server alike. */
export interface NfsNetwork {
  readonly netCount: number;
  readonly udpCount: number;
  readonly tcpCount: number;
  readonly tcpConnect: number;
}

/** `/proc/net/rpc/nfs`: what this machine's NFS client did. Lines the kernel leaves out are zeros. */
export interface NfsClientStats {
  readonly network: NfsNetwork;
  readonly rpc: { readonly count: number; readonly retransmissions: number; readonly authRefreshes: number };
  /** Calls per procedure, in the order of the `NFS_*` name lists. */
  readonly v2: readonly number[];
  readonly v3: readonly number[];
  readonly v4: readonly number[];
}

/** `/proc/net/rpc/nfsd`: what this machine's NFS server did. Lines the kernel leaves out are zeros. */
export interface NfsServerStats {
  readonly replyCache: { readonly hits: number; readonly misses: number; readonly noCache: number };
  readonly staleFileHandles: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly threads: number;
  readonly readAheadCacheSize: number;
  readonly readAheadNotFound: number;
  readonly network: NfsNetwork;
  readonly rpc: { readonly count: number; readonly badFormat: number; readonly badAuth: number; readonly badClient: number };
  readonly v2: readonly number[];
  readonly v3: readonly number[];
  readonly v4: readonly number[];
  /** Write-delegation GETATTRs (Linux 6.8+). */
  readonly wdelegGetattr: number;
}

const zeros = (count: number): number[] => Array.from({ length: count }, () => 0);

/** Splits the file into `(label, numbers)` lines; `numbersOf` picks the fields to parse (default: all after the label). */
function readLines(text: string, where: string, numbersOf: (label: string, fields: string[]) => string[] = (_label, fields) => fields.slice(1)): [string, number[]][] {
  const lines: [string, number[]][] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const fields = splitFields(line);
    const label = fields[0] ?? '';
    if (fields.length < 2) throw new KernelFormatError(`${where}: invalid line ${JSON.stringify(line)}`);
    lines.push([label, numbersOf(label, fields).map((token, index) => parseUnsigned(token, `${where} ${label} field ${index + 1}`))]);
  }
  return lines;
}

function expectCount(values: readonly number[], count: number, where: string, label: string): void {
  if (values.length !== count) throw new KernelFormatError(`${where}: ${label} has ${values.length} values, expected ${count}`);
}

/** A `procN` line: a count, then that many values; at least `minimum` of them. */
function procedures(values: readonly number[], minimum: number, where: string, label: string): number[] {
  const count = values[0] ?? 0;
  if (values.length - 1 !== count || count < minimum) throw new KernelFormatError(`${where}: ${label} announces ${count} values and has ${values.length - 1} (at least ${minimum} expected)`);
  return values.slice(1);
}

function network(values: readonly number[], where: string): NfsNetwork {
  expectCount(values, 4, where, 'net');
  const [netCount = 0, udpCount = 0, tcpCount = 0, tcpConnect = 0] = values;
  return { netCount, udpCount, tcpCount, tcpConnect };
}

/** The first `names.length` values, padded with zeros when the kernel printed fewer. */
const fit = (values: readonly number[], length: number): number[] => [...values.slice(0, length), ...zeros(Math.max(0, length - values.length))];

/** Parses `/proc/net/rpc/nfs`. An unknown line or a line of the wrong length throws {@link KernelFormatError}, as in prometheus/procfs. */
export function parseNfsClient(text: string, where: string): NfsClientStats {
  let stats: NfsClientStats = {
    network: { netCount: 0, udpCount: 0, tcpCount: 0, tcpConnect: 0 },
    rpc: { count: 0, retransmissions: 0, authRefreshes: 0 },
    v2: zeros(NFS_V2_PROCEDURES.length),
    v3: zeros(NFS_V3_PROCEDURES.length),
    v4: zeros(NFS_V4_CLIENT_OPERATIONS.length),
  };
  for (const [label, values] of readLines(text, where)) {
    if (label === 'net') stats = { ...stats, network: network(values, where) };
    else if (label === 'rpc') {
      expectCount(values, 3, where, 'rpc');
      const [count = 0, retransmissions = 0, authRefreshes = 0] = values;
      stats = { ...stats, rpc: { count, retransmissions, authRefreshes } };
    } else if (label === 'proc2') stats = { ...stats, v2: fit(procedures(values, NFS_V2_PROCEDURES.length, where, label), NFS_V2_PROCEDURES.length) };
    else if (label === 'proc3') stats = { ...stats, v3: fit(procedures(values, NFS_V3_PROCEDURES.length, where, label), NFS_V3_PROCEDURES.length) };
    else if (label === 'proc4') stats = { ...stats, v4: fit(procedures(values, 0, where, label), NFS_V4_CLIENT_OPERATIONS.length) };
    else throw new KernelFormatError(`${where}: unknown line ${JSON.stringify(label)}`);
  }
  return stats;
}

/** Parses `/proc/net/rpc/nfsd`. An unknown line or a line of the wrong length throws {@link KernelFormatError}, as in prometheus/procfs. */
export function parseNfsServer(text: string, where: string): NfsServerStats {
  const stats = {
    replyCache: { hits: 0, misses: 0, noCache: 0 },
    staleFileHandles: 0,
    bytesRead: 0,
    bytesWritten: 0,
    threads: 0,
    readAheadCacheSize: 0,
    readAheadNotFound: 0,
    network: { netCount: 0, udpCount: 0, tcpCount: 0, tcpConnect: 0 },
    rpc: { count: 0, badFormat: 0, badAuth: 0, badClient: 0 },
    v2: zeros(NFS_V2_PROCEDURES.length),
    v3: zeros(NFS_V3_PROCEDURES.length),
    v4: zeros(NFS_V4_SERVER_OPERATIONS.length),
    wdelegGetattr: 0,
  };
  // The thread line's fields after the first two are a histogram older kernels printed as decimals.
  const lines = readLines(text, where, (label, fields) => {
    if (label !== 'th') return fields.slice(1);
    if (fields.length < 3) throw new KernelFormatError(`${where}: invalid th line`);
    return fields.slice(1, 3);
  });
  for (const [label, values] of lines) {
    switch (label) {
      case 'rc':
        expectCount(values, 3, where, label);
        stats.replyCache = { hits: values[0] ?? 0, misses: values[1] ?? 0, noCache: values[2] ?? 0 };
        break;
      case 'fh':
        expectCount(values, 5, where, label);
        stats.staleFileHandles = values[0] ?? 0;
        break;
      case 'io':
        expectCount(values, 2, where, label);
        stats.bytesRead = values[0] ?? 0;
        stats.bytesWritten = values[1] ?? 0;
        break;
      case 'th':
        stats.threads = values[0] ?? 0;
        break;
      case 'ra':
        expectCount(values, 12, where, label);
        stats.readAheadCacheSize = values[0] ?? 0;
        stats.readAheadNotFound = values[11] ?? 0;
        break;
      case 'net':
        stats.network = network(values, where);
        break;
      case 'rpc':
        expectCount(values, 5, where, label);
        stats.rpc = { count: values[0] ?? 0, badFormat: values[2] ?? 0, badAuth: values[3] ?? 0, badClient: values[4] ?? 0 };
        break;
      case 'proc2':
        stats.v2 = fit(procedures(values, NFS_V2_PROCEDURES.length, where, label), NFS_V2_PROCEDURES.length);
        break;
      case 'proc3':
        stats.v3 = fit(procedures(values, NFS_V3_PROCEDURES.length, where, label), NFS_V3_PROCEDURES.length);
        break;
      case 'proc4':
        // NULL and COMPOUND: node_exporter reports neither.
        if (procedures(values, 2, where, label).length !== 2) throw new KernelFormatError(`${where}: proc4 has more than 2 values`);
        break;
      case 'proc4ops':
        // Kernels before 2.6 had no SETCLIENTID_CONFIRM and printed 39 operations.
        stats.v4 = fit(procedures(values, 39, where, label), NFS_V4_SERVER_OPERATIONS.length);
        break;
      case 'wdeleg_getattr':
        stats.wdelegGetattr = values[0] ?? 0;
        break;
      default:
        throw new KernelFormatError(`${where}: unknown line ${JSON.stringify(label)}`);
    }
  }
  return stats;
}
