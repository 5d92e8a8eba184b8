import { ConfigError, validateWithSchema } from '@tessera/collector-api';
import { describe, expect, it } from 'vitest';
import { configSchema, DEFAULT_DISK_DEVICE_EXCLUDE, DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE, SUB_COLLECTOR_NAMES } from '../src/config.js';
import { compilePattern, NameFilter } from '../src/name-filter.js';

const validate = (value: unknown) => validateWithSchema(configSchema, value, ['collectors', 'node']);

async function configErrorOf(value: unknown): Promise<ConfigError> {
  try {
    await validate(value);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config schema', () => {
  it('defaults to node_exporter defaults', async () => {
    const config = await validate({});
    expect(config.collectors).toEqual([...SUB_COLLECTOR_NAMES]);
    expect(config.cpu.guest).toBe(true);
    expect(config.stat.softirq).toBe(false);
    expect(config.diskstats).toEqual({ deviceExclude: DEFAULT_DISK_DEVICE_EXCLUDE, deviceInclude: undefined });
    expect(config.netdev).toEqual({ deviceExclude: undefined, deviceInclude: undefined });
    expect(config.filesystem).toEqual({
      mountPointsExclude: DEFAULT_MOUNT_POINTS_EXCLUDE,
      mountPointsInclude: undefined,
      fsTypesExclude: DEFAULT_FS_TYPES_EXCLUDE,
      fsTypesInclude: undefined,
      mountTimeoutSeconds: 5,
      statWorkers: 4,
    });
    expect(config.vmstat.fields).toBe('^(oom_kill|pgpg|pswp|pg.*fault).*');
    expect(config.textfile.directory).toBe('');
  });

  it('reads an empty section (YAML null) as its defaults', async () => {
    expect(await validate({ netdev: null, filesystem: null, cpu: null })).toEqual(await validate({}));
  });

  it('drops the default exclude pattern when an include pattern is given', async () => {
    expect((await validate({ diskstats: { deviceInclude: '^sd[a-z]$' } })).diskstats).toEqual({ deviceExclude: undefined, deviceInclude: '^sd[a-z]$' });
    expect((await validate({ filesystem: { fsTypesInclude: '^ext4$' } })).filesystem).toMatchObject({ fsTypesExclude: undefined, mountPointsExclude: DEFAULT_MOUNT_POINTS_EXCLUDE });
  });

  it('refuses an include and an exclude pattern together, naming the key', async () => {
    const error = await configErrorOf({ netdev: { deviceExclude: '^lo$', deviceInclude: '^eth' } });
    expect(error.path).toEqual(['collectors', 'node', 'netdev', 'deviceInclude']);
    expect(error.message).toMatch(/mutually exclusive/);
  });

  it('refuses an invalid regular expression with its path', async () => {
    const error = await configErrorOf({ filesystem: { mountPointsExclude: '^/(dev' } });
    expect(error.path).toEqual(['collectors', 'node', 'filesystem', 'mountPointsExclude']);
    expect(error.message).toMatch(/Invalid regular expression/);
    expect((await configErrorOf({ vmstat: { fields: '[' } })).path).toEqual(['collectors', 'node', 'vmstat', 'fields']);
  });

  it('refuses unknown keys, unknown and repeated sub-collectors, and bad numbers', async () => {
    expect((await configErrorOf({ cpu: { guest: true, info: true } })).path).toEqual(['collectors', 'node', 'cpu']);
    expect((await configErrorOf({ collectors: ['cpu', 'systemd'] })).path).toEqual(['collectors', 'node', 'collectors', 1]);
    expect((await configErrorOf({ collectors: ['cpu', 'cpu'] })).message).toMatch(/listed twice/);
    expect((await configErrorOf({ filesystem: { mountTimeoutSeconds: 0 } })).path).toEqual(['collectors', 'node', 'filesystem', 'mountTimeoutSeconds']);
    expect((await configErrorOf({ filesystem: { statWorkers: 1.5 } })).path).toEqual(['collectors', 'node', 'filesystem', 'statWorkers']);
    expect((await configErrorOf({ procfs: '/host/proc' })).message).toMatch(/procfs/);
  });
});

describe('patterns', () => {
  it('are unanchored like Go and accept a leading (?i)', () => {
    expect(compilePattern('da').test('sda1')).toBe(true);
    expect(compilePattern('(?i)^ETH').test('eth0')).toBe(true);
  });

  it('filter by include first, else by exclude', () => {
    const exclude = new NameFilter({ exclude: DEFAULT_DISK_DEVICE_EXCLUDE });
    expect(['sda', 'sda1', 'nvme0n1', 'nvme0n1p2', 'loop3', 'ram0', 'zram0', 'dm-0', 'md127', 'xvda', 'xvda1'].filter((name) => !exclude.ignores(name))).toEqual([
      'sda',
      'nvme0n1',
      'zram0',
      'dm-0',
      'md127',
      'xvda',
    ]);
    const include = new NameFilter({ include: '^eth' });
    expect(include.ignores('eth0')).toBe(false);
    expect(include.ignores('lo')).toBe(true);
    expect(new NameFilter({}).ignores('anything')).toBe(false);
  });
});
