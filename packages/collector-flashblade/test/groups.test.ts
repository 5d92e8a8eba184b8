import { describe, expect, it } from 'vitest';
import { PARTS_BY_GROUP } from '../src/groups/index.js';
import { FLASHBLADE_METRICS } from '../src/metrics.js';
import { ALL_PARTS, collectParts } from './support/collect-parts.js';
import { ADDED_FAMILIES, readExporterFamilies } from './support/exporter-families.js';
import { clientOf, startSimulator } from './support/simulators.js';

/** A fixed instant, so that the simulator's values can be compared with what the parts emitted. */
const NOW = 1_700_000_000_000;
const fixedClock = (): number => NOW;

/** Labels whose every value must appear in a full collection of the simulator (the others are checked for membership). */
const COMPLETE_VOCABULARIES = new Set(['dimension', 'protocol', 'space']);

describe('the groups against the simulator', () => {
  it('emit every family of the exporter, with its label vocabularies', async () => {
    const simulator = await startSimulator({ clock: fixedClock });
    const collected = await collectParts(clientOf(simulator).client);
    for (const family of readExporterFamilies()) {
      expect(collected.series(family.name).length, `${family.name} has no series`).toBeGreaterThan(0);
      for (const [label, vocabulary] of family.vocabularies) {
        const values = collected.labelValues(family.name, label);
        if (COMPLETE_VOCABULARIES.has(label)) expect([...values].sort(), `${family.name} ${label}`).toEqual([...vocabulary].sort());
        else for (const value of values) expect(vocabulary.has(value), `${family.name}{${label}="${value}"}`).toBe(true);
      }
    }
    for (const name of ADDED_FAMILIES) expect(collected.series(name).length, name).toBeGreaterThan(0);
  });

  it('pass the API values through unconverted (latency in microseconds, rates per second)', async () => {
    const simulator = await startSimulator({ clock: fixedClock });
    const { client } = clientOf(simulator);
    const collected = await collectParts(client);
    const [sample] = await client.listNamed('/file-systems/performance', { protocol: 'NFS' }, 'names', ['fs-00002'], new AbortController().signal);
    expect(collected.value('purefb_file_systems_performance_latency_usec', { name: 'fs-00002', dimension: 'usec_per_read_op' })).toBe(sample?.usec_per_read_op);
    expect(collected.value('purefb_file_systems_performance_bandwidth_bytes', { name: 'fs-00002', dimension: 'write_bytes_per_sec' })).toBe(sample?.write_bytes_per_sec);
    const arrays = await client.first('/arrays', {}, new AbortController().signal);
    expect(collected.series('purefb_info')).toEqual([{ labels: { array_name: 'fb-sim01', os: 'Purity//FB', system_id: arrays?.id, version: '4.5.6' }, value: 1 }]);
  });

  it('report object replication from the continuous record (always 0 in the exporter)', async () => {
    const simulator = await startSimulator({ clock: fixedClock });
    const { client } = clientOf(simulator);
    const collected = await collectParts(client, PARTS_BY_GROUP.array);
    const sample = await client.first('/arrays/performance/replication', {}, new AbortController().signal);
    const continuous = sample?.continuous as { transmitted_bytes_per_sec: number; received_bytes_per_sec: number };
    expect(continuous.transmitted_bytes_per_sec).toBeGreaterThan(0);
    expect(collected.value('purefb_array_performance_replication', { dimension: 'transmitted_bytes_per_sec' })).toBe(continuous.transmitted_bytes_per_sec);
    expect(collected.value('purefb_array_performance_replication', { dimension: 'received_bytes_per_sec' })).toBe(continuous.received_bytes_per_sec);
  });

  it('leave out destroyed file systems and buckets, and never ask about them', async () => {
    const simulator = await startSimulator({ fileSystems: 3, destroyedFileSystems: 2, buckets: 3, destroyedBuckets: 2, record: true });
    const collected = await collectParts(clientOf(simulator).client);
    const everyName = [...collected.families.values()].flat().map((series) => series.labels.name ?? series.labels.file_system ?? '');
    expect(everyName.filter((name) => name.includes('destroyed'))).toEqual([]);
    expect(collected.labelValues('purefb_file_systems_space_bytes', 'name')).toEqual(new Set(['fs-00000', 'fs-00001', 'fs-00002']));
    expect(collected.labelValues('purefb_buckets_performance_latency_usec', 'name')).toEqual(new Set(['bucket-00000', 'bucket-00001', 'bucket-00002']));
    const asked = simulator.exchanges.filter((exchange) => exchange.path.includes('names=') || exchange.path.includes('file_system_ids='));
    expect(asked.filter((exchange) => exchange.path.includes('destroyed-'))).toEqual([]);
  });

  it('leave out null fields instead of reporting 0', async () => {
    const simulator = await startSimulator({ fileSystems: 3, buckets: 3, nullSpaceFields: true });
    const collected = await collectParts(clientOf(simulator).client);
    // fs-00001 and bucket-00001 have null data reduction and several null space fields.
    expect(collected.has('purefb_file_systems_space_data_reduction_ratio', { name: 'fs-00001' })).toBe(false);
    expect(collected.has('purefb_file_systems_space_data_reduction_ratio', { name: 'fs-00000' })).toBe(true);
    expect(collected.labelValues('purefb_file_systems_space_bytes', 'space')).toContain('destroyed');
    expect([...collected.series('purefb_file_systems_space_bytes')].filter((series) => series.labels.name === 'fs-00001').map((series) => series.labels.space).sort()).toEqual([
      'total_physical',
      'unique',
      'virtual',
    ]);
    expect(collected.has('purefb_buckets_space_bytes', { name: 'bucket-00001', space: 'unique' })).toBe(false);
    expect(collected.has('purefb_buckets_quota_space_bytes', { name: 'bucket-00001' })).toBe(false);
    expect(collected.has('purefb_buckets_quota_space_bytes', { name: 'bucket-00002' })).toBe(true);
    // The array's physical usage is null: no derived empty space or utilization, rather than a crash or a lie.
    expect(collected.has('purefb_array_space_bytes', { type: 'array', space: 'total_physical' })).toBe(false);
    expect(collected.has('purefb_array_space_bytes', { type: 'array', space: 'empty' })).toBe(false);
    expect(collected.series('purefb_array_space_utilization')).toEqual([]);
    expect(collected.has('purefb_array_space_bytes', { type: 'array', space: 'capacity' })).toBe(true);
  });

  it('report a user without a quota of their own without a quota series', async () => {
    const simulator = await startSimulator({ fileSystems: 4, clock: fixedClock });
    const collected = await collectParts(clientOf(simulator).client, PARTS_BY_GROUP.usage);
    // fs-00003 has three users: user1000 and user1002 with quotas, user1001 without.
    const users = collected.series('purefb_file_system_usage_users_bytes').filter((series) => series.labels.file_system === 'fs-00003');
    expect(users.map((series) => `${series.labels.user_name}/${series.labels.id}/${series.labels.dimension}`).sort()).toEqual([
      'user1000/1000/quota',
      'user1000/1000/usage',
      'user1001/1001/usage',
      'user1002/1002/quota',
      'user1002/1002/usage',
    ]);
    expect(collected.value('purefb_file_system_usage_users_bytes', { file_system: 'fs-00003', user_name: 'user1002', dimension: 'quota' })).toBe(30 * 1024 ** 3);
    expect(collected.labelValues('purefb_file_system_usage_groups_bytes', 'group_name')).toEqual(new Set(['group500', 'group501']));
  });

  it('ask for usage of many file systems per call, not one call per file system', async () => {
    const simulator = await startSimulator({ fileSystems: 400 });
    const collected = await collectParts(clientOf(simulator).client, PARTS_BY_GROUP.usage);
    expect(collected.labelValues('purefb_file_system_usage_users_bytes', 'file_system').size).toBe(300);
    expect(simulator.stats.calls('GET /usage/users')).toBeLessThanOrEqual(10);
    expect(simulator.stats.calls('GET /usage/groups')).toBeLessThanOrEqual(10);
  });

  it('count open alerts sharing a label set, on one line each, and leave closed ones out', async () => {
    const simulator = await startSimulator();
    const collected = await collectParts(clientOf(simulator).client, PARTS_BY_GROUP.array);
    const alerts = collected.series('purefb_alerts_open');
    expect(alerts).toHaveLength(3);
    expect(collected.value('purefb_alerts_open', { code: '36' })).toBe(2);
    expect(collected.series('purefb_alerts_open').find((series) => series.labels.code === '36')?.labels.component_type).toBe('');
    expect(collected.series('purefb_alerts_open').find((series) => series.labels.code === '1101')?.labels.action).toBe('Free space in the file system or raise its quota.');
    expect(collected.labelValues('purefb_alerts_open', 'summary')).not.toContain('An alert that was resolved');
  });

  it('rate hardware 1 healthy, 2 unused, 0 otherwise, and skip what is not installed', async () => {
    const simulator = await startSimulator();
    const collected = await collectParts(clientOf(simulator).client, PARTS_BY_GROUP.array);
    expect(collected.value('purefb_hardware_health', { name: 'CH1.FB1' })).toBe(1);
    expect(collected.value('purefb_hardware_health', { name: 'CH1.FB10' })).toBe(2);
    expect(collected.value('purefb_hardware_health', { name: 'CH1.FM2.ETH4' })).toBe(0);
    expect(collected.has('purefb_hardware_health', { name: 'CH1.PWR4' })).toBe(false);
    expect(collected.series('purefb_hardware_health').find((series) => series.labels.name === 'XFM1')?.labels).toEqual({ index: '0', name: 'XFM1', slot: '0', type: 'xfm' });
  });

  it('report each NFS export rule once per security flavour', async () => {
    const simulator = await startSimulator();
    const collected = await collectParts(clientOf(simulator).client, PARTS_BY_GROUP.policies);
    const rules = collected.series('purefb_nfs_export_rule');
    expect(rules.map((series) => `${series.labels.policy}#${series.labels.index}/${series.labels.security}`).sort()).toEqual([
      'nfs-default#1/sys',
      'training-data#1/krb5',
      'training-data#1/sys',
      'training-data#2/krb5p',
    ]);
    expect(rules.find((series) => series.labels.security === 'krb5p')?.labels).toEqual({
      access: 'all-squash',
      anon_gid: '100',
      anon_uid: '0',
      atime: 'true',
      client: '*',
      fid32: 'true',
      index: '2',
      permission: 'ro',
      policy: 'training-data',
      secure: 'false',
      security: 'krb5p',
    });
  });

  it('add SMB performance for the file systems that have SMB on, leaving the NFS series as they were', async () => {
    const simulator = await startSimulator({ fileSystems: 8, record: true });
    const collected = await collectParts(clientOf(simulator).client, PARTS_BY_GROUP.filesystems);
    expect(collected.labelValues('purefb_file_systems_smb_performance_latency_usec', 'name')).toEqual(new Set(['fs-00001', 'fs-00005']));
    expect(collected.labelValues('purefb_file_systems_performance_latency_usec', 'name').size).toBe(8);
    expect(collected.labelValues('purefb_file_systems_space_bytes', 'smb')).toEqual(new Set(['', '3']));
    expect(collected.labelValues('purefb_file_systems_space_bytes', 'nfs')).toEqual(new Set(['3,41', '3', '41', '']));
  });

  it('read every file system of an array with more than 1000 of them, page by page', async () => {
    const simulator = await startSimulator({ fileSystems: 1100, pageSize: 100, buckets: 0 });
    const collected = await collectParts(clientOf(simulator).client, PARTS_BY_GROUP.filesystems);
    expect(collected.labelValues('purefb_file_systems_space_bytes', 'name').size).toBe(1100);
    expect(collected.labelValues('purefb_file_systems_performance_throughput_iops', 'name').size).toBe(1100);
    expect(simulator.stats.calls('GET /file-systems')).toBe(11);
  });

  it('report an object listed twice, as pages shift under a continuation token, once', async () => {
    const simulator = await startSimulator({ fileSystems: 12, buckets: 12, pageSize: 5, record: true });
    for (const endpoint of ['/file-systems', '/buckets', '/file-systems/performance']) simulator.setFault({ kind: 'shifted-pages', endpoint });
    // The host's validating sink throws on a duplicate series.
    const collected = await collectParts(clientOf(simulator).client, [...PARTS_BY_GROUP.filesystems, ...PARTS_BY_GROUP.objectstore]);
    expect(collected.series('purefb_file_systems_space_data_reduction_ratio')).toHaveLength(12);
    expect(collected.series('purefb_buckets_object_count')).toHaveLength(12);
    expect(collected.labelValues('purefb_file_systems_performance_latency_usec', 'name').size).toBe(12);
    // The array did list some twice.
    const listed = simulator.exchanges.filter((exchange) => exchange.path.startsWith('/api/2.12/file-systems?')).flatMap((exchange) => (JSON.parse(exchange.body) as { items: unknown[] }).items);
    expect(listed.length).toBeGreaterThan(12);
  });

  it('keep every part of the table, and only families the table declares', () => {
    const declared = new Set(FLASHBLADE_METRICS.map((family) => family.name));
    expect(ALL_PARTS.map((part) => part.name)).toHaveLength(new Set(ALL_PARTS.map((part) => part.name)).size);
    expect(declared.size).toBe(FLASHBLADE_METRICS.length);
  });
});
