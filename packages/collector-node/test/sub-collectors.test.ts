import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { validateWithSchema } from '@tessera/collector-api';
import { collectOnce, createTestContext, type CollectOnceResult } from '@tessera/collector-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../src/config.js';
import plugin from '../src/index.js';
import { NodeCollector } from '../src/node-collector.js';
import { createTree, type ScratchTree } from './support/tree.js';

// Behaviour of single sub-collectors that their golden cases do not show: settings, kernel
// variants, and input that must cost only the sub-collector that reads it.

let tree: ScratchTree | undefined;
afterEach(async () => {
  await tree?.remove();
  tree = undefined;
});

/** Collects once over a tree of `files` with the node collector's `config`. */
async function collectTree(files: Readonly<Record<string, string>>, config: unknown): Promise<CollectOnceResult> {
  tree = await createTree(files);
  const context = createTestContext({ collector: 'node', roots: tree.roots });
  const collector = await NodeCollector.create(await validateWithSchema(configSchema, config), context);
  return collectOnce(plugin, undefined, { context, collector });
}

/** The sample lines of `text` (no comments, no self-metrics). */
function samples(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('node_scrape_collector_'));
}

describe('bcache', () => {
  const set = 'sys/fs/bcache/0e2b6a3c-5f1d-4b7e-9c8a-2d4f6e8a0b1c';
  const files = {
    [`${set}/average_key_size`]: '8.0k\n',
    [`${set}/bdev0/dirty_data`]: '0.0k\n',
    [`${set}/bdev0/writeback_rate_debug`]: 'rate:\t\t4.0k/sec\ndirty:\t\t0.0k\ntarget:\t\t1.0G\nproportional:\t0.0k\nintegral:\t0.0k\nchange:\t\t0.0k/sec\nnext io:\t-1ms\n',
    [`${set}/bdev0/stats_total/cache_hits`]: '10\n',
    [`${set}/cache0/written`]: '2.0M\n',
    // Unreadable as a percentage: only read with priorityStats.
    [`${set}/cache0/priority_stats`]: 'Unused:\t\tsome%\n',
  };

  it('reads priority_stats only when asked, and leaves out the readahead count a Linux 5.13+ kernel does not keep', async () => {
    const { text } = await collectTree(files, { collectors: ['bcache'] });
    expect(text).toContain('node_scrape_collector_success{collector="bcache"} 1\n');
    expect(text).toContain('node_bcache_cache_hits_total{backing_device="bdev0",uuid="0e2b6a3c-5f1d-4b7e-9c8a-2d4f6e8a0b1c"} 10\n');
    expect(text).toContain('node_bcache_written_bytes_total{cache_device="cache0",uuid="0e2b6a3c-5f1d-4b7e-9c8a-2d4f6e8a0b1c"} 2.097152e+06\n');
    // Attributes this tree lacks read as 0, as in node_exporter.
    expect(text).toContain('node_bcache_tree_depth{uuid="0e2b6a3c-5f1d-4b7e-9c8a-2d4f6e8a0b1c"} 0\n');
    expect(text).not.toContain('node_bcache_cache_readaheads_total');
    expect(text).not.toContain('node_bcache_priority_stats_');
  });

  it('fails alone on a value it cannot read, naming the file', async () => {
    const { text, parts } = await collectTree(files, { collectors: ['bcache', 'edac'], bcache: { priorityStats: true } });
    expect(text).toContain('node_scrape_collector_success{collector="bcache"} 0\n');
    expect(text).toContain('node_scrape_collector_success{collector="edac"} 1\n');
    expect(samples(text).filter((line) => line.startsWith('node_bcache_'))).toEqual([]);
    expect(parts.find((part) => part.name === 'bcache')?.error).toMatch(/cache0\/priority_stats Unused: invalid number "some"/);
  });
});

describe('btrfs', () => {
  const fs = 'sys/fs/btrfs/5c7d9e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f';
  const olderKernel = {
    'sys/fs/btrfs/features/raid1c34': '0\n',
    [`${fs}/label`]: 'scratch\n',
    [`${fs}/devices/vdb/size`]: '2097152\n',
    [`${fs}/allocation/global_rsv_size`]: '16777216\n',
    // A small filesystem made with mixed block groups: data and metadata share `mixed`.
    [`${fs}/allocation/mixed/bytes_reserved`]: '0\n',
    [`${fs}/allocation/mixed/single/total_bytes`]: '536870912\n',
    [`${fs}/allocation/system/bytes_reserved`]: '0\n',
    [`${fs}/allocation/system/single/total_bytes`]: '4194304\n',
    [`${fs}/allocation/system/single/used_bytes`]: '4096\n',
  };

  it('names a filesystem of a kernel without metadata_uuid by its directory, leaves out commit statistics it does not keep and block group types it does not have', async () => {
    const { text } = await collectTree(olderKernel, { collectors: ['btrfs'] });
    expect(samples(text)).toEqual([
      'node_btrfs_allocation_ratio{block_group_type="system",mode="single",uuid="5c7d9e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"} 1',
      'node_btrfs_device_size_bytes{device="vdb",uuid="5c7d9e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"} 1.073741824e+09',
      'node_btrfs_global_rsv_size_bytes{uuid="5c7d9e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"} 1.6777216e+07',
      'node_btrfs_info{label="scratch",uuid="5c7d9e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"} 1',
      'node_btrfs_reserved_bytes{block_group_type="system",uuid="5c7d9e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"} 0',
      'node_btrfs_size_bytes{block_group_type="system",mode="single",uuid="5c7d9e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"} 4.194304e+06',
      'node_btrfs_used_bytes{block_group_type="system",mode="single",uuid="5c7d9e1f-2a3b-4c5d-9e8f-7a6b5c4d3e2f"} 4096',
    ]);
  });

  it('fails alone on a value that is not a number, or a filesystem without its devices directory', async () => {
    const broken = await collectTree({ ...olderKernel, [`${fs}/commit_stats`]: 'commits many\n' }, { collectors: ['btrfs', 'edac'] });
    expect(broken.text).toContain('node_scrape_collector_success{collector="btrfs"} 0\n');
    expect(broken.text).toContain('node_scrape_collector_success{collector="edac"} 1\n');
    expect(broken.parts.find((part) => part.name === 'btrfs')?.error).toMatch(/commit_stats commits: invalid number "many"/);
    await tree?.remove();
    const { [`${fs}/devices/vdb/size`]: _device, ...withoutDevices } = olderKernel;
    const incomplete = await collectTree(withoutDevices, { collectors: ['btrfs'] });
    expect(incomplete.parts.find((part) => part.name === 'btrfs')?.error).toMatch(/ENOENT.*devices/);
  });
});

describe('fibrechannel', () => {
  it('fails alone on a statistic that is not a number, naming the file', async () => {
    const host = 'sys/class/fc_host/host0';
    const { text, parts } = await collectTree(
      { [`${host}/port_state`]: 'Online\n', [`${host}/statistics/rx_frames`]: '0x10\n', [`${host}/statistics/tx_frames`]: '0xzz\n' },
      { collectors: ['fibrechannel', 'edac'] },
    );
    expect(text).toContain('node_scrape_collector_success{collector="fibrechannel"} 0\n');
    expect(text).toContain('node_scrape_collector_success{collector="edac"} 1\n');
    expect(samples(text)).toEqual([]);
    expect(parts.find((part) => part.name === 'fibrechannel')?.error).toMatch(/host0\/statistics\/tx_frames: invalid number "0xzz"/);
  });
});

describe('ipvs', () => {
  const stats = '   Total Incoming Outgoing         Incoming         Outgoing\n   Conns  Packets  Packets            Bytes            Bytes\n       3        A        B              3E8              7D0\n\n';
  const header = 'IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n';

  it('gives an SCTP service its own backends, and declares the backend families even when created without create()', async () => {
    tree = await createTree({
      'proc/net/ip_vs_stats': stats,
      'proc/net/ip_vs': `${header}TCP  0A000001:0050 rr\n  -> 0A000101:1F90      Masq    1      2          0\nSCTP  0A000001:0B59 rr\n  -> 0A000102:0B59      Masq    3      1          4\n`,
    });
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const collector = new NodeCollector(await validateWithSchema(configSchema, { collectors: ['ipvs'], ipvs: { backendLabels: ['proto', 'remote_port'] } }), context);
    const { text } = await collectOnce(plugin, undefined, { context, collector });
    expect(samples(text).filter((line) => line.startsWith('node_ipvs_backend_'))).toEqual([
      'node_ipvs_backend_connections_active{proto="SCTP",remote_port="2905"} 1',
      'node_ipvs_backend_connections_active{proto="TCP",remote_port="8080"} 2',
      'node_ipvs_backend_connections_inactive{proto="SCTP",remote_port="2905"} 4',
      'node_ipvs_backend_connections_inactive{proto="TCP",remote_port="8080"} 0',
      'node_ipvs_backend_weight{proto="SCTP",remote_port="2905"} 3',
      'node_ipvs_backend_weight{proto="TCP",remote_port="8080"} 1',
    ]);
    expect(text).toContain('node_ipvs_incoming_bytes_total 1000\n');
  });

  it('fails alone on an address it cannot read, and refuses an unknown or repeated backend label at startup', async () => {
    const { text, parts } = await collectTree(
      { 'proc/net/ip_vs_stats': stats, 'proc/net/ip_vs': `${header}TCP  0A000001:0050 rr\n  -> 10.0.1.1:8080      Masq    1      2          0\n` },
      { collectors: ['ipvs', 'edac'] },
    );
    expect(text).toContain('node_scrape_collector_success{collector="ipvs"} 0\n');
    expect(text).toContain('node_scrape_collector_success{collector="edac"} 1\n');
    expect(parts.find((part) => part.name === 'ipvs')?.error).toMatch(/ip_vs: unexpected address "10\.0\.1\.1:8080"/);
    await expect(validateWithSchema(configSchema, { ipvs: { backendLabels: ['local_address', 'namespace'] } })).rejects.toThrow(/expected one of "local_address"/);
    await expect(validateWithSchema(configSchema, { ipvs: { backendLabels: ['proto', 'proto'] } })).rejects.toThrow(/a label is listed twice/);
  });
});

describe('mdadm', () => {
  const mdstat = 'Personalities : [raid1]\nmd0 : active raid1 sdb1[1] sda1[0]\n      1000 blocks super 1.2 [2/1] [U_]\n      \nunused devices: <none>\n';

  it('reads the member counts from sysfs, skipping a block device named md… that is no md array', async () => {
    const { text } = await collectTree(
      { 'proc/mdstat': mdstat, 'sys/block/md0/md/level': 'raid1\n', 'sys/block/md0/md/raid_disks': '2\n', 'sys/block/md0/md/degraded': '1\n', 'sys/block/mdisk0/size': '8\n' },
      { collectors: ['mdadm'] },
    );
    expect(samples(text).filter((line) => /^node_md_(raid_disks|degraded|disks\{)/.test(line))).toEqual([
      'node_md_degraded{device="md0"} 1',
      'node_md_disks{device="md0",state="active"} 1',
      'node_md_disks{device="md0",state="failed"} 0',
      'node_md_disks{device="md0",state="spare"} 0',
      'node_md_raid_disks{device="md0"} 2',
    ]);
  });

  it('fails alone on an mdstat it cannot read', async () => {
    const { text, parts } = await collectTree({ 'proc/mdstat': mdstat.replace('[2/1] [U_]', '[2/1]') }, { collectors: ['mdadm', 'edac'] });
    expect(text).toContain('node_scrape_collector_success{collector="mdadm"} 0\n');
    expect(text).toContain('node_scrape_collector_success{collector="edac"} 1\n');
    expect(parts.find((part) => part.name === 'mdadm')?.error).toMatch(/mdstat: md0: unexpected status line/);
  });
});

describe('powersupplyclass', () => {
  it('succeeds with nothing when the class has no supplies, and fails alone on a value that is not a number', async () => {
    tree = await createTree();
    await mkdir(join(tree.roots.sysfs, 'class/power_supply'), { recursive: true });
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const empty = await collectOnce(plugin, undefined, { context, collector: await NodeCollector.create(await validateWithSchema(configSchema, { collectors: ['powersupplyclass'] }), context) });
    expect(empty.text).toContain('node_scrape_collector_success{collector="powersupplyclass"} 1\n');
    expect(samples(empty.text)).toEqual([]);
    await tree.remove();
    const { text, parts } = await collectTree({ 'sys/class/power_supply/BAT0/capacity': 'full\n' }, { collectors: ['powersupplyclass', 'edac'] });
    expect(text).toContain('node_scrape_collector_success{collector="powersupplyclass"} 0\n');
    expect(text).toContain('node_scrape_collector_success{collector="edac"} 1\n');
    expect(parts.find((part) => part.name === 'powersupplyclass')?.error).toMatch(/BAT0\/capacity: invalid number "full"/);
  });
});

describe('tapestats', () => {
  it('leaves out ignored drives, reads a statistic the kernel lacks as 0, and fails alone on one that is not a number', async () => {
    const stats = 'sys/class/scsi_tape/st0/stats';
    const { text } = await collectTree(
      { [`${stats}/write_cnt`]: '7\n', [`${stats}/write_ns`]: '2500000000\n', 'sys/class/scsi_tape/st1/stats/write_cnt': '9\n' },
      { collectors: ['tapestats'], tapestats: { ignoredDevices: '^st1$' } },
    );
    expect(text).toContain('node_tape_writes_completed_total{device="st0"} 7\n');
    expect(text).toContain('node_tape_write_time_seconds_total{device="st0"} 2.5\n');
    expect(text).toContain('node_tape_read_bytes_total{device="st0"} 0\n');
    expect(text).not.toContain('device="st1"');
    await tree?.remove();
    const broken = await collectTree({ [`${stats}/write_cnt`]: 'seven\n' }, { collectors: ['tapestats', 'edac'] });
    expect(broken.text).toContain('node_scrape_collector_success{collector="tapestats"} 0\n');
    expect(broken.text).toContain('node_scrape_collector_success{collector="edac"} 1\n');
    expect(broken.parts.find((part) => part.name === 'tapestats')?.error).toMatch(/st0\/stats\/write_cnt: invalid number "seven"/);
  });
});

describe('xfs', () => {
  it('reads a group the kernel does not have as 0, and fails alone on a group of the wrong length', async () => {
    const stats = 'sys/fs/xfs/sdb1/stats/stats';
    const { text } = await collectTree({ [stats]: 'rw 5 9\n', 'sys/fs/xfs/stats/stats': 'rw 50 90\n' }, { collectors: ['xfs'] });
    expect(text).toContain('node_xfs_read_calls_total{device="sdb1"} 9\n');
    expect(text).toContain('node_xfs_write_calls_total{device="sdb1"} 5\n');
    expect(text).toContain('node_xfs_vnode_active_total{device="sdb1"} 0\n');
    expect(text).not.toContain('device="stats"');
    await tree?.remove();
    const broken = await collectTree({ [stats]: 'rw 5\n' }, { collectors: ['xfs', 'edac'] });
    expect(broken.text).toContain('node_scrape_collector_success{collector="xfs"} 0\n');
    expect(broken.text).toContain('node_scrape_collector_success{collector="edac"} 1\n');
    expect(broken.parts.find((part) => part.name === 'xfs')?.error).toMatch(/sdb1\/stats\/stats: rw has 1 values, expected 2/);
  });
});
