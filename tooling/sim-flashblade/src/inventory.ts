import { stableId, unit } from './values.js';

/** What the simulated array holds; see {@link buildInventory}. */
export interface InventoryOptions {
  readonly arrayName: string;
  readonly fileSystems: number;
  readonly buckets: number;
  readonly destroyedFileSystems: number;
  readonly destroyedBuckets: number;
  readonly accounts: number;
  readonly clients: number;
  /** Give some objects null space fields (and null `provisioned` / `quota_limit`), as arrays do for fields that do not apply. */
  readonly nullSpaceFields: boolean;
}

export interface ArrayEntity {
  readonly id: string;
  readonly name: string;
  readonly os: string;
  readonly version: string;
  readonly revision: string;
}

export interface FileSystemEntity {
  readonly id: string;
  readonly name: string;
  readonly created: number;
  readonly destroyed: boolean;
  readonly provisioned: number | null;
  readonly nfsV3: boolean;
  readonly nfsV41: boolean;
  readonly exportPolicy: { readonly id: string; readonly name: string } | null;
  readonly smb: boolean;
  readonly defaultUserQuota: number;
  readonly defaultGroupQuota: number;
  /** How many users and groups have usage on it. */
  readonly quotaHolders: number;
  readonly nullSpace: boolean;
}

export interface AccountEntity {
  readonly id: string;
  readonly name: string;
  readonly created: number;
  readonly nullSpace: boolean;
}

export interface BucketEntity {
  readonly id: string;
  readonly name: string;
  readonly created: number;
  readonly destroyed: boolean;
  readonly account: AccountEntity;
  readonly quotaLimit: number | null;
  readonly hardLimitEnabled: boolean;
  readonly nullSpace: boolean;
}

export interface ClientEntity {
  /** `address:port`, the way arrays name NFS clients. */
  readonly name: string;
}

export type HardwareStatus = 'critical' | 'healthy' | 'identifying' | 'unhealthy' | 'unknown' | 'unused' | 'not_installed';

export interface HardwareEntity {
  readonly id: string;
  readonly name: string;
  readonly type: 'bay' | 'ch' | 'eth' | 'fan' | 'fb' | 'fm' | 'pwr' | 'xfm';
  readonly index: number | null;
  readonly slot: number | null;
  readonly status: HardwareStatus;
  readonly model: string | null;
  readonly serial: string | null;
}

export interface ConnectorEntity {
  readonly id: string;
  readonly name: string;
}

export interface AlertEntity {
  readonly id: string;
  /** Alerts are named by their index. */
  readonly name: string;
  readonly index: number;
  readonly code: number;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly state: 'open' | 'closing' | 'closed';
  readonly componentName: string;
  readonly componentType: string | null;
  readonly created: number;
  readonly summary: string;
  readonly action: string;
  readonly flagged: boolean;
}

export interface NfsRule {
  readonly id: string;
  readonly index: number;
  readonly client: string;
  readonly access: 'root-squash' | 'all-squash' | 'no-squash';
  readonly permission: 'rw' | 'ro';
  readonly anonuid: number | null;
  readonly anongid: number | null;
  readonly atime: boolean;
  readonly fileid32bit: boolean;
  readonly secure: boolean;
  readonly security: readonly string[];
}

export interface NfsPolicyEntity {
  readonly id: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly rules: readonly NfsRule[];
}

/** One user's or group's usage of one file system. */
export interface QuotaEntity {
  readonly fileSystem: FileSystemEntity;
  readonly id: number;
  readonly name: string;
  /** The individual quota; null when none is set (the file system's default then applies). */
  readonly quota: number | null;
}

/** Everything the simulated array holds. Built once at start; values derive from it and the clock. */
export interface Inventory {
  readonly array: ArrayEntity;
  /** Live file systems first, then destroyed ones pending eradication. */
  readonly fileSystems: readonly FileSystemEntity[];
  readonly fileSystemsById: ReadonlyMap<string, FileSystemEntity>;
  readonly fileSystemsByName: ReadonlyMap<string, FileSystemEntity>;
  readonly accounts: readonly AccountEntity[];
  readonly buckets: readonly BucketEntity[];
  readonly clients: readonly ClientEntity[];
  readonly hardware: readonly HardwareEntity[];
  readonly connectors: readonly ConnectorEntity[];
  readonly alerts: readonly AlertEntity[];
  readonly nfsPolicies: readonly NfsPolicyEntity[];
  /** Users (or groups) with usage on a file system. */
  quotas(kind: 'user' | 'group', fileSystem: FileSystemEntity): readonly QuotaEntity[];
}

const GIB = 1024 ** 3;
const CREATED_BASE_MS = 1_600_000_000_000;

/** Width of the zero-padded object numbers, so names sort in creation order up to 100k objects. */
const NUMBER_WIDTH = 5;
const numbered = (prefix: string, index: number): string => `${prefix}${String(index).padStart(NUMBER_WIDTH, '0')}`;

/** Builds the array's objects. Linear in their number: 10k file systems and 10k buckets take milliseconds. */
export function buildInventory(options: InventoryOptions): Inventory {
  const array: ArrayEntity = { id: stableId('array', options.arrayName), name: options.arrayName, os: 'Purity//FB', version: '4.5.6', revision: '2024.1.1' };
  const policies = buildNfsPolicies();

  const fileSystems: FileSystemEntity[] = [];
  for (let index = 0; index < options.fileSystems + options.destroyedFileSystems; index++) {
    const destroyed = index >= options.fileSystems;
    const name = destroyed ? numbered('fs-destroyed-', index - options.fileSystems) : numbered('fs-', index);
    const nullSpace = options.nullSpaceFields && index % 5 === 1;
    const policy = index % 3 === 0 ? undefined : policies[index % policies.length];
    fileSystems.push({
      id: stableId('file-system', name),
      name,
      created: CREATED_BASE_MS + index * 3_600_000,
      destroyed,
      provisioned: nullSpace ? null : (1 + (index % 16)) * 256 * GIB,
      nfsV3: index % 4 !== 3,
      nfsV41: index % 3 !== 1,
      exportPolicy: policy === undefined ? null : { id: policy.id, name: policy.name },
      smb: index % 4 === 1,
      defaultUserQuota: index % 3 === 2 ? 50 * GIB : 0,
      defaultGroupQuota: index % 5 === 2 ? 200 * GIB : 0,
      quotaHolders: index % 4,
      nullSpace,
    });
  }

  const accounts: AccountEntity[] = [];
  for (let index = 0; index < Math.max(1, options.accounts); index++) {
    const name = `account-${index}`;
    accounts.push({ id: stableId('account', name), name, created: CREATED_BASE_MS + index * 86_400_000, nullSpace: options.nullSpaceFields && index === 0 });
  }

  const buckets: BucketEntity[] = [];
  for (let index = 0; index < options.buckets + options.destroyedBuckets; index++) {
    const destroyed = index >= options.buckets;
    const name = destroyed ? numbered('bucket-destroyed-', index - options.buckets) : numbered('bucket-', index);
    const nullSpace = options.nullSpaceFields && index % 5 === 1;
    buckets.push({
      id: stableId('bucket', name),
      name,
      created: CREATED_BASE_MS + index * 7_200_000,
      destroyed,
      account: accounts[index % accounts.length] as AccountEntity,
      quotaLimit: nullSpace || index % 3 === 0 ? null : (1 + (index % 8)) * 512 * GIB,
      hardLimitEnabled: index % 6 === 2,
      nullSpace,
    });
  }

  const clients: ClientEntity[] = [];
  for (let index = 0; index < options.clients; index++) {
    clients.push({ name: `10.${20 + Math.floor(index / 65_536)}.${Math.floor(index / 256) % 256}.${index % 256}:${600 + (index % 400)}` });
  }

  const byId = new Map(fileSystems.map((fileSystem) => [fileSystem.id, fileSystem]));
  const byName = new Map(fileSystems.map((fileSystem) => [fileSystem.name, fileSystem]));
  const hardware = buildHardware(array.name);
  return {
    array,
    fileSystems,
    fileSystemsById: byId,
    fileSystemsByName: byName,
    accounts,
    buckets,
    clients,
    hardware,
    connectors: hardware.filter((item) => item.type === 'eth').map((item) => ({ id: stableId('connector', item.name), name: item.name })),
    alerts: buildAlerts(fileSystems),
    nfsPolicies: policies,
    quotas: (kind, fileSystem) => buildQuotas(kind, fileSystem),
  };
}

function buildQuotas(kind: 'user' | 'group', fileSystem: FileSystemEntity): QuotaEntity[] {
  const quotas: QuotaEntity[] = [];
  const count = kind === 'user' ? fileSystem.quotaHolders : Math.ceil(fileSystem.quotaHolders / 2);
  for (let number = 0; number < count; number++) {
    const id = (kind === 'user' ? 1000 : 500) + number;
    // Every other holder has an individual quota; the rest fall under the file system's default.
    const quota = number % 2 === 0 ? (10 + 10 * number) * GIB : null;
    quotas.push({ fileSystem, id, name: `${kind === 'user' ? 'user' : 'group'}${id}`, quota });
  }
  return quotas;
}

function buildNfsPolicies(): NfsPolicyEntity[] {
  const rule = (policy: string, index: number, fields: Omit<NfsRule, 'id' | 'index'>): NfsRule => ({ id: stableId('rule', policy, index), index, ...fields });
  return [
    {
      id: stableId('policy', 'nfs-default'),
      name: 'nfs-default',
      enabled: true,
      rules: [
        rule('nfs-default', 1, { client: '*', access: 'root-squash', permission: 'rw', anonuid: null, anongid: null, atime: true, fileid32bit: false, secure: false, security: ['sys'] }),
      ],
    },
    {
      id: stableId('policy', 'training-data'),
      name: 'training-data',
      enabled: true,
      rules: [
        rule('training-data', 1, { client: '10.20.0.0/16', access: 'no-squash', permission: 'rw', anonuid: 65534, anongid: 65534, atime: false, fileid32bit: false, secure: true, security: ['sys', 'krb5'] }),
        rule('training-data', 2, { client: '*', access: 'all-squash', permission: 'ro', anonuid: null, anongid: 100, atime: true, fileid32bit: true, secure: false, security: ['krb5p'] }),
      ],
    },
  ];
}

function buildHardware(arrayName: string): HardwareEntity[] {
  const items: HardwareEntity[] = [];
  const add = (name: string, type: HardwareEntity['type'], index: number | null, slot: number | null, status: HardwareStatus = 'healthy'): void => {
    const installed = status !== 'not_installed';
    items.push({
      id: stableId('hardware', arrayName, name),
      name,
      type,
      index,
      slot,
      status,
      model: installed ? `${type.toUpperCase()}-${1 + Math.floor(unit(name) * 3)}` : null,
      serial: installed ? `PSF${String(Math.floor(unit(name, 'serial') * 1e8)).padStart(8, '0')}` : null,
    });
  };
  add('CH1', 'ch', 0, null);
  for (let blade = 1; blade <= 10; blade++) add(`CH1.FB${blade}`, 'fb', blade - 1, blade, blade === 10 ? 'unused' : 'healthy');
  for (let bay = 1; bay <= 2; bay++) add(`CH1.FB1.BAY${bay}`, 'bay', bay - 1, bay);
  for (let module = 1; module <= 2; module++) {
    add(`CH1.FM${module}`, 'fm', module - 1, module);
    for (let port = 1; port <= 4; port++) add(`CH1.FM${module}.ETH${port}`, 'eth', port - 1, port, module === 2 && port === 4 ? 'unhealthy' : 'healthy');
    for (let fan = 1; fan <= 2; fan++) add(`CH1.FM${module}.FAN${fan}`, 'fan', fan - 1, fan);
  }
  for (let supply = 1; supply <= 4; supply++) add(`CH1.PWR${supply}`, 'pwr', supply - 1, supply, supply === 4 ? 'not_installed' : 'healthy');
  add('XFM1', 'xfm', null, null);
  return items;
}

function buildAlerts(fileSystems: readonly FileSystemEntity[]): AlertEntity[] {
  const quotaTarget = fileSystems[0]?.name ?? 'fs-00000';
  const alert = (index: number, fields: Omit<AlertEntity, 'id' | 'name' | 'index' | 'flagged'>): AlertEntity => ({
    id: stableId('alert', index),
    name: String(index),
    index,
    flagged: false,
    ...fields,
  });
  return [
    alert(101, {
      code: 1101,
      severity: 'warning',
      state: 'open',
      componentName: quotaTarget,
      componentType: 'file-systems',
      created: 1_699_000_000_000,
      summary: `File system '${quotaTarget}' is close to its space quota`,
      action: 'Free space in the file system\nor raise its quota.',
    }),
    alert(102, {
      code: 205,
      severity: 'critical',
      state: 'open',
      componentName: 'CH1.FM2.ETH4',
      componentType: 'hardware',
      created: 1_699_500_000_000,
      summary: 'Ethernet port link down',
      action: 'Check the cable and the switch port.',
    }),
    // Two alerts that differ only in id and index: they share one series, with value 2.
    ...[103, 104].map((index) =>
      alert(index, {
        code: 36,
        severity: 'info',
        state: 'open',
        componentName: 'array',
        componentType: null,
        created: 1_699_800_000_000,
        summary: 'Scheduled snapshot skipped',
        action: 'None required.',
      }),
    ),
    alert(90, {
      code: 1101,
      severity: 'warning',
      state: 'closed',
      componentName: quotaTarget,
      componentType: 'file-systems',
      created: 1_690_000_000_000,
      summary: 'An alert that was resolved',
      action: 'None required.',
    }),
  ];
}
