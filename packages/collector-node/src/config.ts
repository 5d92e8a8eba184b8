import { z } from 'zod';
import { compilePattern } from './name-filter.js';

/** The sub-collectors, named as node_exporter names them (`--collector.<name>`). */
export const SUB_COLLECTOR_NAMES = [
  'cpu',
  'meminfo',
  'loadavg',
  'diskstats',
  'netdev',
  'filesystem',
  'uname',
  'time',
  'stat',
  'vmstat',
  'textfile',
  'infiniband',
  'hwmon',
  'pressure',
  'nfs',
  'nfsd',
  'edac',
  'nvme',
  'netclass',
  'netstat',
  'sockstat',
  'conntrack',
  'timex',
  'rapl',
  'thermal_zone',
  'cpufreq',
  'arp',
  'entropy',
  'filefd',
  'os',
  'selinux',
  'softnet',
  'udp_queues',
  'bonding',
  'zfs',
  'schedstat',
  'dmi',
  'bcache',
  'btrfs',
  'fibrechannel',
  'ipvs',
  'mdadm',
  'powersupplyclass',
  'tapestats',
  'xfs',
] as const;

/** One sub-collector name. */
export type SubCollectorName = (typeof SUB_COLLECTOR_NAMES)[number];

/** node_exporter 1.5.0's `--collector.diskstats.device-exclude` default: partitions, ram, loop and floppy devices. */
export const DEFAULT_DISK_DEVICE_EXCLUDE = '^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$';

/** node_exporter's upstream `--collector.filesystem.mount-points-exclude` default (the Debian build patches it; see the README). */
export const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';

/** node_exporter's `--collector.filesystem.fs-types-exclude` default, with `erofs` as excluded since 1.10. */
export const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|erofs|sysfs|tracefs)$';

/**
 * The largest textfile read (64 MiB): far above what batch jobs write (kilobytes), low enough that
 * one runaway writer cannot take the exporter's memory. node_exporter has no limit.
 */
export const DEFAULT_TEXTFILE_MAX_FILE_BYTES = 64 * 1024 * 1024;

/** node_exporter's `--collector.netstat.fields` default (1.7+: with TCPOFOQueue and TCPRcvQDrop). */
export const DEFAULT_NETSTAT_FIELDS =
  '^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$';

/** The labels node_exporter's ipvs collector can give its per-backend series (`--collector.ipvs.backend-labels`), all by default. */
export const IPVS_BACKEND_LABELS = ['local_address', 'local_port', 'remote_address', 'remote_port', 'proto', 'local_mark'] as const;

/** One label of the ipvs backend series. */
export type IpvsBackendLabel = (typeof IPVS_BACKEND_LABELS)[number];

/** node_exporter's `--collector.vmstat.fields` default. */
export const DEFAULT_VMSTAT_FIELDS = '^(oom_kill|pgpg|pswp|pg.*fault).*';

const pattern = z.string().superRefine((value, context) => {
  try {
    compilePattern(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/**
 * Checks node_exporter's rule for an include/exclude pair (mutually exclusive) and resolves it: the
 * default exclude pattern applies only when neither key is given.
 */
function resolvePair(
  value: Partial<Record<string, string | undefined>>,
  keys: { readonly exclude: string; readonly include: string; readonly defaultExclude?: string },
  context: z.RefinementCtx,
): { exclude: string | undefined; include: string | undefined } {
  const exclude = value[keys.exclude];
  const include = value[keys.include];
  if (exclude !== undefined && include !== undefined) {
    context.addIssue({ code: 'custom', path: [keys.include], message: `${keys.include} and ${keys.exclude} are mutually exclusive: set one of them` });
  }
  return { exclude: include === undefined ? (exclude ?? keys.defaultExclude) : undefined, include };
}

/**
 * A section of the entry (`cpu:`, `filesystem:` …). Absent or empty (`netdev:` with every line
 * under it commented out, which YAML reads as null) means all its defaults.
 */
function section<TSchema extends z.ZodType>(schema: TSchema) {
  return z.preprocess((value) => value ?? {}, schema);
}

const devicePatterns = (defaultExclude?: string) =>
  z
    .strictObject({ deviceExclude: pattern.optional(), deviceInclude: pattern.optional() })
    .transform((value, context) => {
      const { exclude, include } = resolvePair(value, { exclude: 'deviceExclude', include: 'deviceInclude', ...(defaultExclude === undefined ? {} : { defaultExclude }) }, context);
      return { deviceExclude: exclude, deviceInclude: include };
    });

/**
 * The `node` collector's config entry. Every key is optional; the defaults are node_exporter's.
 * Filesystem roots are not here: they come from the host (`paths` in tessera.yaml, `--path.*`).
 */
export const configSchema = z.strictObject({
  collectors: z
    .array(z.enum(SUB_COLLECTOR_NAMES))
    .refine((names) => new Set(names).size === names.length, { message: 'a sub-collector is listed twice' })
    .default([...SUB_COLLECTOR_NAMES]),
  cpu: section(z.strictObject({ guest: z.boolean().default(true) })),
  stat: section(z.strictObject({ softirq: z.boolean().default(false) })),
  diskstats: section(devicePatterns(DEFAULT_DISK_DEVICE_EXCLUDE)),
  netdev: section(devicePatterns()),
  infiniband: section(devicePatterns()),
  arp: section(devicePatterns()),
  netclass: section(z.strictObject({ ignoredDevices: pattern.default('^$'), ignoreInvalidSpeed: z.boolean().default(false) })),
  hwmon: section(
    z
      .strictObject({ chipExclude: pattern.optional(), chipInclude: pattern.optional(), sensorExclude: pattern.optional(), sensorInclude: pattern.optional() })
      .transform((value, context) => {
        const chips = resolvePair(value, { exclude: 'chipExclude', include: 'chipInclude' }, context);
        const sensors = resolvePair(value, { exclude: 'sensorExclude', include: 'sensorInclude' }, context);
        return { chipExclude: chips.exclude, chipInclude: chips.include, sensorExclude: sensors.exclude, sensorInclude: sensors.include };
      }),
  ),
  filesystem: section(
    z
      .strictObject({
        mountPointsExclude: pattern.optional(),
        mountPointsInclude: pattern.optional(),
        fsTypesExclude: pattern.optional(),
        fsTypesInclude: pattern.optional(),
        mountTimeoutSeconds: z.number().positive().max(3600).default(5),
        statWorkers: z.number().int().min(1).max(64).default(4),
      })
      .transform(({ mountTimeoutSeconds, statWorkers, ...patterns }, context) => {
        const mountPoints = resolvePair(patterns, { exclude: 'mountPointsExclude', include: 'mountPointsInclude', defaultExclude: DEFAULT_MOUNT_POINTS_EXCLUDE }, context);
        const fsTypes = resolvePair(patterns, { exclude: 'fsTypesExclude', include: 'fsTypesInclude', defaultExclude: DEFAULT_FS_TYPES_EXCLUDE }, context);
        return {
          mountPointsExclude: mountPoints.exclude,
          mountPointsInclude: mountPoints.include,
          fsTypesExclude: fsTypes.exclude,
          fsTypesInclude: fsTypes.include,
          mountTimeoutSeconds,
          statWorkers,
        };
      }),
  ),
  vmstat: section(z.strictObject({ fields: pattern.default(DEFAULT_VMSTAT_FIELDS) })),
  netstat: section(z.strictObject({ fields: pattern.default(DEFAULT_NETSTAT_FIELDS) })),
  rapl: section(z.strictObject({ enableZoneLabel: z.boolean().default(false) })),
  bcache: section(z.strictObject({ priorityStats: z.boolean().default(false) })),
  ipvs: section(
    z.strictObject({
      backendLabels: z
        .array(z.enum(IPVS_BACKEND_LABELS))
        .refine((labels) => new Set(labels).size === labels.length, { message: 'a label is listed twice' })
        .default([...IPVS_BACKEND_LABELS]),
    }),
  ),
  powersupplyclass: section(z.strictObject({ ignoredSupplies: pattern.default('^$') })),
  tapestats: section(z.strictObject({ ignoredDevices: pattern.default('^$') })),
  textfile: section(
    z.strictObject({
      directory: z.string().default(''),
      maxFileBytes: z.number().int().positive().default(DEFAULT_TEXTFILE_MAX_FILE_BYTES),
    }),
  ),
});

/** The validated config: defaults applied, and of each include/exclude pair at most one set. */
export type NodeCollectorConfig = z.output<typeof configSchema>;

/** What a user may write in the `node` entry. */
export type NodeCollectorConfigInput = z.input<typeof configSchema>;
