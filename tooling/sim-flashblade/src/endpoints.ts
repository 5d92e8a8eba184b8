import { ApiError } from './api-error.js';
import type {
  AccountEntity,
  AlertEntity,
  ArrayEntity,
  BucketEntity,
  ClientEntity,
  ConnectorEntity,
  FileSystemEntity,
  HardwareEntity,
  Inventory,
  NfsPolicyEntity,
  QuotaEntity,
} from './inventory.js';
import { readBoolean, readChoice, type Item, type ListEndpoint } from './list-query.js';
import { GROWTH_EPOCH_MS, growing, rate, round, unit } from './values.js';

/*
 * Every REST 2.x list endpoint the simulator serves, with the item shapes arrays return (the
 * fields of the FlashBlade REST 2.x models; values are the simulator's own). Performance samples
 * are per-second rates at the current second; space grows with the clock.
 */

const GIB = 1024 ** 3;
const TIB = 1024 * GIB;
const PERFORMANCE_PROTOCOLS = ['all', 'HTTP', 'SMB', 'NFS', 'S3'] as const;
type Protocol = (typeof PERFORMANCE_PROTOCOLS)[number];

/** The second a performance sample belongs to. */
const sampleTime = (nowMs: number): number => Math.floor(nowMs / 1000) * 1000;

/** The common performance fields (`reads_per_sec` … `bytes_per_write`) of a sample, zero when idle. */
function performanceFields(seed: string, nowMs: number, scale: number): Item {
  if (scale === 0) {
    return {
      reads_per_sec: 0,
      writes_per_sec: 0,
      others_per_sec: 0,
      read_bytes_per_sec: 0,
      write_bytes_per_sec: 0,
      usec_per_read_op: 0,
      usec_per_write_op: 0,
      usec_per_other_op: 0,
      bytes_per_op: 0,
      bytes_per_read: 0,
      bytes_per_write: 0,
    };
  }
  const reads = rate(`${seed}/reads`, nowMs, 400 * scale);
  const writes = rate(`${seed}/writes`, nowMs, 150 * scale);
  const others = rate(`${seed}/others`, nowMs, 80 * scale);
  const bytesPerRead = 4096 * (1 + Math.floor(unit(seed, 'read-size') * 64));
  const bytesPerWrite = 4096 * (1 + Math.floor(unit(seed, 'write-size') * 32));
  const operations = reads + writes + others;
  return {
    reads_per_sec: reads,
    writes_per_sec: writes,
    others_per_sec: others,
    read_bytes_per_sec: round(reads * bytesPerRead),
    write_bytes_per_sec: round(writes * bytesPerWrite),
    usec_per_read_op: rate(`${seed}/read-latency`, nowMs, 600),
    usec_per_write_op: rate(`${seed}/write-latency`, nowMs, 900),
    usec_per_other_op: rate(`${seed}/other-latency`, nowMs, 300),
    bytes_per_op: operations === 0 ? 0 : round((reads * bytesPerRead + writes * bytesPerWrite) / operations),
    bytes_per_read: bytesPerRead,
    bytes_per_write: bytesPerWrite,
  };
}

/** The S3-specific fields of a sample. */
function s3Fields(seed: string, nowMs: number, scale: number): Item {
  return {
    read_buckets_per_sec: rate(`${seed}/read-buckets`, nowMs, 5 * scale),
    write_buckets_per_sec: rate(`${seed}/write-buckets`, nowMs, 1 * scale),
    read_objects_per_sec: rate(`${seed}/read-objects`, nowMs, 300 * scale),
    write_objects_per_sec: rate(`${seed}/write-objects`, nowMs, 90 * scale),
    others_per_sec: rate(`${seed}/s3-others`, nowMs, 20 * scale),
    usec_per_read_bucket_op: rate(`${seed}/read-bucket-latency`, nowMs, 2000),
    usec_per_write_bucket_op: rate(`${seed}/write-bucket-latency`, nowMs, 5000),
    usec_per_read_object_op: rate(`${seed}/read-object-latency`, nowMs, 1200),
    usec_per_write_object_op: rate(`${seed}/write-object-latency`, nowMs, 2500),
    usec_per_other_op: rate(`${seed}/s3-other-latency`, nowMs, 700),
  };
}

/** The NFS operations arrays count, in the order of their field names. */
const NFS_OPERATIONS = [
  ['accesses', 'access'],
  ['creates', 'create'],
  ['fsinfos', 'fsinfo'],
  ['fsstats', 'fsstat'],
  ['getattrs', 'getattr'],
  ['links', 'link'],
  ['lookups', 'lookup'],
  ['mkdirs', 'mkdir'],
  ['pathconfs', 'pathconf'],
  ['reads', 'read'],
  ['readdirs', 'readdir'],
  ['readdirpluses', 'readdirplus'],
  ['readlinks', 'readlink'],
  ['removes', 'remove'],
  ['renames', 'rename'],
  ['rmdirs', 'rmdir'],
  ['setattrs', 'setattr'],
  ['symlinks', 'symlink'],
  ['writes', 'write'],
] as const;
const NFS_AGGREGATES = [
  ['aggregate_file_metadata_creates_per_sec', 'aggregate_usec_per_file_metadata_create_op'],
  ['aggregate_file_metadata_modifies_per_sec', 'aggregate_usec_per_file_metadata_modify_op'],
  ['aggregate_file_metadata_reads_per_sec', 'aggregate_usec_per_file_metadata_read_op'],
  ['aggregate_other_per_sec', 'aggregate_usec_per_other_op'],
  ['aggregate_share_metadata_reads_per_sec', 'aggregate_usec_per_share_metadata_read_op'],
] as const;

function nfsFields(seed: string, nowMs: number): Item {
  const item: Item = {};
  for (const [plural, singular] of NFS_OPERATIONS) {
    item[`${plural}_per_sec`] = rate(`${seed}/nfs-${plural}`, nowMs, 200);
    item[`usec_per_${singular}_op`] = rate(`${seed}/nfs-${singular}-latency`, nowMs, 400);
  }
  for (const [perSecond, latency] of NFS_AGGREGATES) {
    item[perSecond] = rate(`${seed}/${perSecond}`, nowMs, 500);
    item[latency] = rate(`${seed}/${latency}`, nowMs, 350);
  }
  return item;
}

function httpFields(seed: string, nowMs: number): Item {
  return {
    read_dirs_per_sec: rate(`${seed}/http-read-dirs`, nowMs, 10),
    write_dirs_per_sec: rate(`${seed}/http-write-dirs`, nowMs, 2),
    read_files_per_sec: rate(`${seed}/http-read-files`, nowMs, 80),
    write_files_per_sec: rate(`${seed}/http-write-files`, nowMs, 20),
    others_per_sec: rate(`${seed}/http-others`, nowMs, 5),
    usec_per_read_dir_op: rate(`${seed}/http-read-dir-latency`, nowMs, 900),
    usec_per_write_dir_op: rate(`${seed}/http-write-dir-latency`, nowMs, 1500),
    usec_per_read_file_op: rate(`${seed}/http-read-file-latency`, nowMs, 700),
    usec_per_write_file_op: rate(`${seed}/http-write-file-latency`, nowMs, 1100),
    usec_per_other_op: rate(`${seed}/http-other-latency`, nowMs, 400),
  };
}

/**
 * A Space object. `nulls` are the fields this object leaves null, as arrays do for fields that do
 * not apply to it (or that its Purity version predates).
 */
function space(seed: string, nowMs: number, baseBytes: number, nulls: readonly string[] = []): Item {
  const virtual = growing(`${seed}/virtual`, nowMs, baseBytes, baseBytes / 2000);
  const dataReduction = round(1.2 + 2.8 * unit(seed, 'reduction'));
  const unique = Math.round(virtual / dataReduction);
  const snapshots = Math.round(unique * 0.05 * unit(seed, 'snapshots'));
  const provisioned = Math.round(virtual * (1.5 + unit(seed, 'provisioned')));
  const destroyed = Math.round(unique * 0.01 * unit(seed, 'destroyed'));
  const fields: Item = {
    virtual,
    unique,
    snapshots,
    total_physical: unique + snapshots,
    data_reduction: dataReduction,
    total_provisioned: provisioned,
    available_provisioned: provisioned - virtual,
    available_ratio: round((provisioned - virtual) / provisioned, 4),
    destroyed,
    destroyed_virtual: Math.round(destroyed * dataReduction),
    shared: Math.round(unique * 0.02 * unit(seed, 'shared')),
    total_used: unique + snapshots,
  };
  for (const field of nulls) fields[field] = null;
  return fields;
}

/** The fields a file system leaves null when the simulator is asked for null space fields. */
const NULL_FILE_SYSTEM_SPACE = ['data_reduction', 'snapshots', 'total_provisioned', 'available_provisioned', 'available_ratio', 'destroyed', 'destroyed_virtual', 'shared'];
const NULL_BUCKET_SPACE = ['data_reduction', 'unique', 'available_ratio', 'destroyed', 'destroyed_virtual', 'shared'];

const reference = (entity: { id: string; name: string }, resourceType: string): Item => ({ id: entity.id, name: entity.name, resource_type: resourceType });

/** Options the endpoints depend on besides the inventory. */
export interface EndpointOptions {
  /** Give the array-level space of type `array` a null `total_physical` (a Purity that reports only `total_used`). */
  readonly nullArraySpace: boolean;
}

const TIME_PARAMETERS = ['start_time', 'end_time', 'resolution'];

/** The fields every endpoint's own entry needs to say; the rest have the defaults of most endpoints. */
type EndpointSpecification<TEntity> = Omit<ListEndpoint<TEntity>, 'sinceMinor' | 'paging' | 'parameters' | 'nameOf' | 'idOf'> &
  Partial<Pick<ListEndpoint<TEntity>, 'sinceMinor' | 'paging' | 'parameters'>>;

/** Builds every list endpoint over an inventory. */
export function buildEndpoints(inventory: Inventory, options: EndpointOptions): ListEndpoint[] {
  const { array } = inventory;
  const single = [array];
  const endpoints: ListEndpoint<never>[] = [];

  /** An endpoint over objects with a name and an id, REST 2.0, paged by continuation token unless it says otherwise. */
  const named = <TEntity extends { readonly id: string; readonly name: string }>(specification: EndpointSpecification<TEntity>): void => {
    const endpoint: ListEndpoint<TEntity> = { sinceMinor: 0, paging: 'continuation', parameters: [], nameOf: (entity) => entity.name, idOf: (entity) => entity.id, ...specification };
    endpoints.push(endpoint as unknown as ListEndpoint<never>);
  };

  /** A sample of the whole array (one item): its own fields, after the id, name and time every sample has. */
  const arraySample = (path: string, fields: (nowMs: number, query: URLSearchParams) => Item, checkParameters: (query: URLSearchParams) => void = () => undefined, parameters: readonly string[] = []): void => {
    named<ArrayEntity>({
      path,
      parameters: [...parameters, ...TIME_PARAMETERS],
      total: 'array',
      entities: (query) => {
        checkParameters(query);
        return single;
      },
      render: (entity, nowMs, query) => ({ id: entity.id, name: entity.name, time: sampleTime(nowMs), ...fields(nowMs, query) }),
    });
  };

  /** Live and destroyed objects, or only one kind with `destroyed=true|false`. */
  const byLiveness =
    <TEntity extends { readonly destroyed: boolean }>(entities: readonly TEntity[]) =>
    (query: URLSearchParams): readonly TEntity[] => {
      const destroyed = readBoolean(query, 'destroyed');
      return destroyed === undefined ? entities : entities.filter((entity) => entity.destroyed === destroyed);
    };

  named<ArrayEntity>({
    path: '/arrays',
    entities: () => single,
    render: (entity, nowMs) => ({
      id: entity.id,
      name: entity.name,
      os: entity.os,
      version: entity.version,
      revision: entity.revision,
      time_zone: 'UTC',
      banner: null,
      idle_timeout: 10_800_000,
      ntp_servers: ['time.example.invalid'],
      smb_mode: 'native',
      product_type: 'FlashBlade',
      eradication_config: { manual_eradication: 'all-enabled', eradication_delay: 86_400_000 },
      _as_of: nowMs,
    }),
  });

  const protocolOf = (query: URLSearchParams): Protocol => readChoice<Protocol>(query, 'protocol', PERFORMANCE_PROTOCOLS, 'all');
  arraySample(
    '/arrays/performance',
    (nowMs, query) => {
      const protocol = protocolOf(query);
      return performanceFields(`array/${protocol}`, nowMs, protocol === 'all' ? 40 : protocol === 'HTTP' ? 2 : 10);
    },
    protocolOf,
    ['protocol'],
  );
  arraySample('/arrays/s3-specific-performance', (nowMs) => s3Fields('array', nowMs, 20));
  arraySample('/arrays/http-specific-performance', (nowMs) => httpFields('array', nowMs));
  arraySample('/arrays/nfs-specific-performance', (nowMs) => nfsFields('array', nowMs));
  arraySample('/arrays/performance/replication', replicationFields, (query) => readChoice(query, 'type', ['all', 'file-system', 'object-store'], 'all'), ['type']);

  const spaceType = (query: URLSearchParams): 'array' | 'file-system' | 'object-store' => readChoice(query, 'type', ['array', 'file-system', 'object-store'], 'array');
  named<ArrayEntity>({
    path: '/arrays/space',
    parameters: ['type', ...TIME_PARAMETERS],
    entities: (query) => {
      spaceType(query);
      return single;
    },
    render: (entity, nowMs, query) => {
      const type = spaceType(query);
      const nulls = type === 'array' && options.nullArraySpace ? ['total_physical'] : [];
      return { id: entity.id, name: entity.name, time: sampleTime(nowMs), capacity: 2 * 1024 * TIB, parity: 1, space: space(`array-space/${type}`, nowMs, type === 'array' ? 600 * TIB : 300 * TIB, nulls) };
    },
  });

  named<AlertEntity>({
    path: '/alerts',
    lookup: { noun: 'alert' },
    entities: () => inventory.alerts,
    render: (alert) => ({
      id: alert.id,
      name: alert.name,
      index: alert.index,
      flagged: alert.flagged,
      code: alert.code,
      severity: alert.severity,
      component_name: alert.componentName,
      component_type: alert.componentType,
      state: alert.state,
      created: alert.created,
      updated: alert.created + 60_000,
      notified: alert.created + 5_000,
      summary: alert.summary,
      description: alert.summary,
      knowledge_base_url: `https://support.example.invalid/alerts/${alert.code}`,
      action: alert.action,
      variables: {},
    }),
  });

  named<HardwareEntity>({
    path: '/hardware',
    lookup: { noun: 'hardware component' },
    entities: () => inventory.hardware,
    render: (item) => ({
      id: item.id,
      name: item.name,
      type: item.type,
      index: item.index,
      slot: item.slot,
      status: item.status,
      details: item.status === 'unhealthy' ? 'Link down' : null,
      identify_enabled: false,
      model: item.model,
      serial: item.serial,
      part_number: null,
      speed: item.type === 'eth' ? 100_000_000_000 : null,
      temperature: null,
    }),
  });

  named<ConnectorEntity>({
    path: '/hardware-connectors/performance',
    sinceMinor: 3,
    parameters: TIME_PARAMETERS,
    paging: 'offset',
    lookup: { noun: 'hardware connector' },
    total: 'array',
    entities: () => inventory.connectors,
    render: (connector, nowMs) => ({ id: connector.id, name: connector.name, time: sampleTime(nowMs), ...connectorFields(`connector/${connector.name}`, nowMs) }),
  });

  named<FileSystemEntity>({
    path: '/file-systems',
    parameters: ['destroyed'],
    lookup: { noun: 'file system' },
    total: 'object',
    entities: byLiveness(inventory.fileSystems),
    render: (fileSystem, nowMs) => ({
      id: fileSystem.id,
      name: fileSystem.name,
      created: fileSystem.created,
      destroyed: fileSystem.destroyed,
      time_remaining: fileSystem.destroyed ? Math.max(0, 86_400_000 - ((nowMs - GROWTH_EPOCH_MS) % 86_400_000)) : null,
      provisioned: fileSystem.provisioned,
      hard_limit_enabled: false,
      fast_remove_directory_enabled: false,
      snapshot_directory_enabled: true,
      writable: true,
      promotion_status: 'promoted',
      requested_promotion_state: 'promoted',
      default_user_quota: fileSystem.defaultUserQuota,
      default_group_quota: fileSystem.defaultGroupQuota,
      nfs: {
        v3_enabled: fileSystem.nfsV3,
        v4_1_enabled: fileSystem.nfsV41,
        rules: '',
        export_policy: fileSystem.exportPolicy === null ? { id: null, name: null, resource_type: null } : reference(fileSystem.exportPolicy, 'nfs-export-policies'),
      },
      smb: { enabled: fileSystem.smb },
      http: { enabled: false },
      multi_protocol: { access_control_style: 'shared', safeguard_acls: true },
      space: space(`file-system/${fileSystem.name}`, nowMs, 2 * TIB, fileSystem.nullSpace ? NULL_FILE_SYSTEM_SPACE : []),
    }),
  });

  named<FileSystemEntity>({
    path: '/file-systems/performance',
    parameters: ['protocol', ...TIME_PARAMETERS],
    lookup: { noun: 'file system' },
    total: 'array',
    entities: (query) => {
      protocolOf(query);
      return inventory.fileSystems;
    },
    render: (fileSystem, nowMs, query) => {
      const protocol = protocolOf(query);
      const nfs = fileSystem.nfsV3 || fileSystem.nfsV41;
      const active = !fileSystem.destroyed && (protocol === 'all' ? nfs || fileSystem.smb : protocol === 'NFS' ? nfs : protocol === 'SMB' ? fileSystem.smb : false);
      return { id: fileSystem.id, name: fileSystem.name, time: sampleTime(nowMs), ...performanceFields(`file-system/${fileSystem.name}/${protocol}`, nowMs, active ? 1 : 0) };
    },
  });

  named<BucketEntity>({
    path: '/buckets',
    parameters: ['destroyed'],
    lookup: { noun: 'bucket' },
    total: 'object',
    entities: byLiveness(inventory.buckets),
    render: (bucket, nowMs) => ({
      id: bucket.id,
      name: bucket.name,
      created: bucket.created,
      destroyed: bucket.destroyed,
      time_remaining: bucket.destroyed ? 43_200_000 : null,
      versioning: 'none',
      bucket_type: 'classic',
      account: reference(bucket.account, 'object-store-accounts'),
      object_count: growing(`bucket/${bucket.name}/objects`, nowMs, 100_000, 1000),
      quota_limit: bucket.quotaLimit,
      hard_limit_enabled: bucket.hardLimitEnabled,
      retention_lock: 'unlocked',
      space: space(`bucket/${bucket.name}`, nowMs, 500 * GIB, bucket.nullSpace ? NULL_BUCKET_SPACE : []),
    }),
  });

  for (const [path, fields] of [
    ['/buckets/performance', performanceFields],
    ['/buckets/s3-specific-performance', s3Fields],
  ] as const) {
    named<BucketEntity>({
      path,
      parameters: TIME_PARAMETERS,
      lookup: { noun: 'bucket' },
      total: 'array',
      entities: () => inventory.buckets,
      render: (bucket, nowMs) => ({ id: bucket.id, name: bucket.name, time: sampleTime(nowMs), ...fields(`bucket/${bucket.name}`, nowMs, bucket.destroyed ? 0 : 0.5) }),
    });
  }

  named<AccountEntity>({
    path: '/object-store-accounts',
    lookup: { noun: 'object store account' },
    total: 'object',
    entities: () => inventory.accounts,
    render: (account, nowMs) => ({
      id: account.id,
      name: account.name,
      created: account.created,
      object_count: growing(`account/${account.name}/objects`, nowMs, 1_000_000, 10_000),
      quota_limit: null,
      hard_limit_enabled: false,
      bucket_defaults: { quota_limit: null, hard_limit_enabled: false },
      public_access_config: { block_new_public_policies: true, block_public_access: true },
      space: space(`account/${account.name}`, nowMs, 5 * TIB, account.nullSpace ? NULL_BUCKET_SPACE : []),
    }),
  });

  // Clients have no id, and the list cannot page: `limit` cuts it.
  const clients: ListEndpoint<ClientEntity> = {
    path: '/arrays/clients/performance',
    sinceMinor: 0,
    parameters: [],
    paging: 'limit',
    lookup: { noun: 'client' },
    total: 'array',
    entities: () => inventory.clients,
    nameOf: (client) => client.name,
    render: (client, nowMs) => ({ name: client.name, time: sampleTime(nowMs), ...performanceFields(`client/${client.name}`, nowMs, 0.2) }),
  };
  endpoints.push(clients as unknown as ListEndpoint<never>);

  for (const kind of ['user', 'group'] as const) {
    const idParameter = kind === 'user' ? 'uids' : 'gids';
    const nameParameter = `${kind}_names`;
    const usage: ListEndpoint<QuotaEntity> = {
      path: `/usage/${kind}s`,
      sinceMinor: 0,
      parameters: ['file_system_ids', 'file_system_names', idParameter, nameParameter],
      paging: 'continuation',
      entities: (query) => {
        const ids = query.get(idParameter)?.split(',');
        const names = query.get(nameParameter)?.split(',');
        return quotaHoldersFor(inventory, kind, query).filter((holder) => (ids === undefined || ids.includes(String(holder.id))) && (names === undefined || names.includes(holder.name)));
      },
      nameOf: (holder) => holder.name,
      render: (holder, nowMs) => ({
        name: holder.name,
        file_system: reference(holder.fileSystem, 'file-systems'),
        file_system_default_quota: kind === 'user' ? holder.fileSystem.defaultUserQuota : holder.fileSystem.defaultGroupQuota,
        quota: holder.quota,
        usage: growing(`usage/${holder.fileSystem.name}/${holder.name}`, nowMs, 5 * GIB, 100 * 1024 * 1024),
        [kind]: { id: holder.id, name: holder.name },
      }),
    };
    endpoints.push(usage as unknown as ListEndpoint<never>);
  }

  named<NfsPolicyEntity>({
    path: '/nfs-export-policies',
    sinceMinor: 3,
    lookup: { noun: 'NFS export policy' },
    entities: () => inventory.nfsPolicies,
    render: (policy) => ({
      id: policy.id,
      name: policy.name,
      enabled: policy.enabled,
      is_local: true,
      location: { id: array.id, name: array.name, resource_type: 'arrays' },
      version: '1',
      policy_type: 'nfs-export',
      rules: policy.rules.map((rule) => ({
        id: rule.id,
        name: `${policy.name}.${rule.index}`,
        index: rule.index,
        policy: reference(policy, 'nfs-export-policies'),
        policy_version: '1',
        access: rule.access,
        anongid: rule.anongid,
        anonuid: rule.anonuid,
        atime: rule.atime,
        client: rule.client,
        fileid_32bit: rule.fileid32bit,
        permission: rule.permission,
        secure: rule.secure,
        security: [...rule.security],
      })),
    }),
  });

  return endpoints;
}

/** Replication rates: periodic (file systems), continuous (buckets) with its backlog, and their sum. */
function replicationFields(nowMs: number): Item {
  const periodicReceived = rate('replication/periodic-received', nowMs, 60e6);
  const periodicTransmitted = rate('replication/periodic-transmitted', nowMs, 80e6);
  const continuousReceived = rate('replication/continuous-received', nowMs, 25e6);
  const continuousTransmitted = rate('replication/continuous-transmitted', nowMs, 35e6);
  return {
    periodic: { received_bytes_per_sec: periodicReceived, transmitted_bytes_per_sec: periodicTransmitted },
    continuous: {
      received_bytes_per_sec: continuousReceived,
      transmitted_bytes_per_sec: continuousTransmitted,
      object_backlog: {
        put_ops_count: Math.round(rate('replication/backlog-puts', nowMs, 2000)),
        delete_ops_count: Math.round(rate('replication/backlog-deletes', nowMs, 50)),
        other_ops_count: 0,
        bytes_count: Math.round(rate('replication/backlog-bytes', nowMs, 1e11)),
      },
    },
    aggregate: {
      received_bytes_per_sec: round(periodicReceived + continuousReceived),
      transmitted_bytes_per_sec: round(periodicTransmitted + continuousTransmitted),
    },
  };
}

/** A network port's packet, byte and error rates. */
function connectorFields(seed: string, nowMs: number): Item {
  const errors = {
    received_crc_errors_per_sec: rate(`${seed}/crc`, nowMs, 0.02),
    received_frame_errors_per_sec: rate(`${seed}/frame`, nowMs, 0.01),
    transmitted_carrier_errors_per_sec: rate(`${seed}/carrier`, nowMs, 0.01),
    transmitted_dropped_errors_per_sec: rate(`${seed}/dropped`, nowMs, 0.05),
    other_errors_per_sec: rate(`${seed}/other`, nowMs, 0.01),
  };
  return {
    received_packets_per_sec: rate(`${seed}/rx-packets`, nowMs, 90_000),
    transmitted_packets_per_sec: rate(`${seed}/tx-packets`, nowMs, 110_000),
    received_bytes_per_sec: rate(`${seed}/rx-bytes`, nowMs, 4e8),
    transmitted_bytes_per_sec: rate(`${seed}/tx-bytes`, nowMs, 6e8),
    ...errors,
    total_errors_per_sec: round(Object.values(errors).reduce((sum, value) => sum + value, 0)),
    link_aggregation_group: { id: null, name: null, resource_type: null },
  };
}

/**
 * The usage lists are per file system: a request names them with `file_system_ids` or
 * `file_system_names` (one of the two), and an unknown one is an error naming it.
 */
function quotaHoldersFor(inventory: Inventory, kind: 'user' | 'group', query: URLSearchParams): QuotaEntity[] {
  const ids = query.get('file_system_ids');
  const names = query.get('file_system_names');
  if (ids !== null && names !== null) throw new ApiError(400, 'file_system_ids and file_system_names cannot be given together.', 'file_system_names');
  if (ids === null && names === null) throw new ApiError(400, 'file_system_ids or file_system_names is required.', null);
  const keys = (ids ?? names ?? '').split(',');
  const table = ids !== null ? inventory.fileSystemsById : inventory.fileSystemsByName;
  const holders: QuotaEntity[] = [];
  for (const key of new Set(keys)) {
    const fileSystem = table.get(key);
    if (fileSystem === undefined) throw new ApiError(400, 'The file system does not exist.', key);
    holders.push(...inventory.quotas(kind, fileSystem));
  }
  return holders;
}
