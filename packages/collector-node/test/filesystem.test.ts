import { statfsSync } from 'node:fs';
import { validateWithSchema } from '@tessera/collector-api';
import { collectOnce, createTestContext } from '@tessera/collector-testkit';
import { afterEach, describe, expect, it } from 'vitest';
import type { FilesystemUsage } from '../src/collectors/filesystem.js';
import { configSchema } from '../src/config.js';
import plugin from '../src/index.js';
import { NodeCollector } from '../src/node-collector.js';
import { createTree, mountLine, type ScratchTree } from './support/tree.js';

const USAGE: FilesystemUsage = { bsize: 4096, blocks: 1000, bfree: 500, bavail: 400, files: 100, ffree: 50 };

let tree: ScratchTree | undefined;
afterEach(async () => {
  await tree?.remove();
  tree = undefined;
});

/** A statfs whose calls the test answers by hand; it records the paths asked. */
function manualStatfs() {
  const calls: { path: string; resolve: (usage: FilesystemUsage) => void; reject: (error: Error) => void }[] = [];
  const statfs = (path: string): Promise<FilesystemUsage> =>
    new Promise((resolve, reject) => {
      calls.push({ path, resolve, reject });
    });
  return { statfs, calls };
}

async function createCollector(mountinfo: string | ((root: string) => string), statfs: (path: string) => Promise<FilesystemUsage>, filesystem: object = {}) {
  tree = await createTree();
  await tree.write({ 'proc/1/mountinfo': typeof mountinfo === 'string' ? mountinfo : mountinfo(tree.root) });
  const context = createTestContext({ collector: 'node', roots: tree.roots });
  const config = await validateWithSchema(configSchema, { collectors: ['filesystem'], filesystem });
  const collector = new NodeCollector(config, context, { statfs });
  const collect = async (signal?: AbortSignal) => (await collectOnce(plugin, undefined, { context, collector, ...(signal ? { signal } : {}) })).text;
  return { collector, collect, context, roots: tree.roots };
}

describe('filesystem sub-collector', () => {
  it('reports sizes from statfs: blocks times the block size, inodes as they are', async () => {
    const paths: string[] = [];
    const { collect, roots } = await createCollector(mountLine(1, '/', 'ext4', '/dev/sda1') + mountLine(2, '/srv', 'xfs', '/dev/sdb1', 'ro,relatime'), (path) => {
      paths.push(path);
      return Promise.resolve(USAGE);
    });
    const text = await collect();
    expect(paths.sort()).toEqual([`${roots.rootfs}/`, `${roots.rootfs}/srv`]);
    const labels = 'device="/dev/sda1",device_error="",fstype="ext4",mountpoint="/"';
    expect(text).toContain(`node_filesystem_size_bytes{${labels}} 4.096e+06\n`);
    expect(text).toContain(`node_filesystem_free_bytes{${labels}} 2.048e+06\n`);
    expect(text).toContain(`node_filesystem_avail_bytes{${labels}} 1.6384e+06\n`);
    expect(text).toContain(`node_filesystem_files{${labels}} 100\n`);
    expect(text).toContain(`node_filesystem_files_free{${labels}} 50\n`);
    expect(text).toContain(`node_filesystem_device_error{${labels}} 0\n`);
    expect(text).toContain(`node_filesystem_readonly{${labels}} 0\n`);
    expect(text).toContain('node_filesystem_readonly{device="/dev/sdb1",device_error="",fstype="xfs",mountpoint="/srv"} 1\n');
    expect(text).toContain('node_filesystem_mount_info{device="/dev/sda1",major="8",minor="1",mountpoint="/"} 1\n');
  });

  it('reports a failing statfs as a device error with the reason, and no sizes', async () => {
    const { collect } = await createCollector(mountLine(1, '/mnt/gone', 'ext4', '/dev/sdc1'), () =>
      Promise.reject(Object.assign(new Error("EACCES: permission denied, statfs '/mnt/gone'"), { code: 'EACCES' })),
    );
    const text = await collect();
    expect(text).toContain('node_filesystem_device_error{device="/dev/sdc1",device_error="permission denied",fstype="ext4",mountpoint="/mnt/gone"} 1\n');
    expect(text).not.toContain('node_filesystem_size_bytes');
    expect(text).toContain('node_scrape_collector_success{collector="filesystem"} 1\n');
  });

  it('marks a mount that does not answer as stuck, does not ask it again until it answers, then reports it again', async () => {
    const { statfs, calls } = manualStatfs();
    const { collect, context } = await createCollector(mountLine(1, '/mnt/nfs', 'nfs4', 'nas:/export'), statfs, { mountTimeoutSeconds: 0.05 });
    const stuck = 'node_filesystem_device_error{device="nas:/export",device_error="mountpoint timeout",fstype="nfs4",mountpoint="/mnt/nfs"} 1\n';

    expect(await collect()).toContain(stuck);
    expect(calls).toHaveLength(1);
    expect(context.logs.some((record) => record.level === 'warn' && /did not answer statfs in time/.test(record.message))).toBe(true);

    expect(await collect()).toContain(stuck);
    expect(calls).toHaveLength(1); // still pending: not asked again

    calls[0]?.resolve(USAGE);
    await new Promise((resolve) => setImmediate(resolve));
    const collection = collect();
    while (calls.length < 2) await new Promise((resolve) => setImmediate(resolve));
    calls[1]?.resolve(USAGE);
    const text = await collection;
    expect(text).not.toContain('mountpoint timeout');
    expect(text).toContain('node_filesystem_size_bytes{device="nas:/export",device_error="",fstype="nfs4",mountpoint="/mnt/nfs"} 4.096e+06\n');
  });

  it('stops waiting for a hanging statfs when the collection is aborted', async () => {
    const { statfs, calls } = manualStatfs();
    const { collect } = await createCollector(mountLine(1, '/mnt/nfs', 'nfs4', 'nas:/export'), statfs, { mountTimeoutSeconds: 3600 });
    const controller = new AbortController();
    const collection = collect(controller.signal);
    while (calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('scrape deadline'));
    await expect(collection).rejects.toThrow('scrape deadline');
  });

  it('asks at most statWorkers mounts at a time', async () => {
    const { statfs, calls } = manualStatfs();
    const mounts = Array.from({ length: 5 }, (_unused, index) => mountLine(index + 1, `/data${index}`, 'ext4', `/dev/sd${'abcde'[index]}1`)).join('');
    const { collect } = await createCollector(mounts, statfs, { statWorkers: 2 });
    const collection = collect();
    for (let answered = 0; answered < 5; answered++) {
      while (calls.length <= answered) await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls.length - answered).toBeLessThanOrEqual(2);
      calls[answered]?.resolve(USAGE);
    }
    expect((await collection).match(/^node_filesystem_size_bytes\{/gm)).toHaveLength(5);
  });

  it('reports mount points relative to the root filesystem', async () => {
    const paths: string[] = [];
    const { collect, roots } = await createCollector(
      (root) => mountLine(1, `${root}/root/home`, 'ext4', '/dev/sda2') + mountLine(2, `${root}/root`, 'ext4', '/dev/sda1') + mountLine(3, '/elsewhere', 'ext4', '/dev/sda3'),
      (path) => {
        paths.push(path);
        return Promise.resolve(USAGE);
      },
    );
    const text = await collect();
    expect(text).toContain('node_filesystem_size_bytes{device="/dev/sda2",device_error="",fstype="ext4",mountpoint="/home"} 4.096e+06\n');
    expect(text).toContain('node_filesystem_size_bytes{device="/dev/sda1",device_error="",fstype="ext4",mountpoint="/"} 4.096e+06\n');
    expect(text).toContain('mountpoint="/elsewhere"');
    expect(paths.sort()).toEqual([`${roots.rootfs}/`, `${roots.rootfs}/elsewhere`, `${roots.rootfs}/home`]);
  });

  it('asks local filesystems with the real statfs, and network ones through the thread pool', async () => {
    tree = await createTree({ 'proc/1/mountinfo': mountLine(1, '/', 'ext4', '/dev/sda1') + mountLine(2, '/srv', 'nfs4', 'nas:/export') });
    await tree.write({ 'root/srv/.keep': '' });
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const collector = new NodeCollector(await validateWithSchema(configSchema, { collectors: ['filesystem'] }), context);
    const { families } = await collectOnce(plugin, undefined, { context, collector });
    const sizes = families.find(({ family }) => family.name === 'node_filesystem_size_bytes')?.series ?? [];
    const { blocks, bsize } = statfsSync(tree.roots.rootfs);
    expect(sizes.map(({ labels, value }) => [labels.mountpoint, value])).toEqual([
      ['/', blocks * bsize],
      ['/srv', blocks * bsize],
    ]);
  });

  it('falls back to self/mountinfo when PID 1 is hidden', async () => {
    tree = await createTree({ 'proc/self/mountinfo': mountLine(1, '/', 'ext4', '/dev/sda1') });
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const config = await validateWithSchema(configSchema, { collectors: ['filesystem'] });
    const collector = new NodeCollector(config, context, { statfs: () => Promise.resolve(USAGE) });
    const { text } = await collectOnce(plugin, undefined, { context, collector });
    expect(text).toContain('node_filesystem_size_bytes{device="/dev/sda1",device_error="",fstype="ext4",mountpoint="/"} 4.096e+06\n');
  });
});
