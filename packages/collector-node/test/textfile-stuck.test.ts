import type * as FsPromises from 'node:fs/promises';
import { join } from 'node:path';
import { validateWithSchema } from '@tessera/collector-api';
import { collectOnce, createTestContext } from '@tessera/collector-testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../src/config.js';
import plugin from '../src/index.js';
import { NodeCollector } from '../src/node-collector.js';
import { createTree, type ScratchTree } from './support/tree.js';

/**
 * A textfile on a dead NFS server: its stat() does not return until the test releases it. The real
 * thing cannot be staged without root, so `stat` of node:fs/promises is wrapped for the paths in
 * `stuck`; every other call goes to the real function. `waiting` holds the release of each call
 * that is hanging.
 */
const stuck = new Set<string>();
const waiting = new Map<string, () => void>();
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const stat = (async (...args: Parameters<typeof actual.stat>) => {
    const path = String(args[0]);
    if (stuck.has(path)) await new Promise<void>((resolve) => waiting.set(path, resolve));
    return actual.stat(...args);
  }) as typeof actual.stat;
  return { ...actual, default: { ...actual, stat }, stat };
});

function release(): void {
  stuck.clear();
  for (const resolve of waiting.values()) resolve();
  waiting.clear();
}

let tree: ScratchTree | undefined;
afterEach(async () => {
  release();
  await tree?.remove();
  tree = undefined;
});

describe('a textfile that does not answer', () => {
  it('fails only the aborted collection; later ones skip the textfile until its read returns', async () => {
    tree = await createTree({ 'proc/loadavg': '0.5 0.25 0.125 1/100 42\n', 'textfile/job.prom': 'job_runs 1\n', 'textfile/nfs.prom': 'nfs_up 1\n' });
    const directory = join(tree.root, 'textfile');
    const nfsFile = join(directory, 'nfs.prom');
    stuck.add(nfsFile);
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const collector = await NodeCollector.create(await validateWithSchema(configSchema, { collectors: ['loadavg', 'textfile'], textfile: { directory } }), context);

    // The host aborts a collection at its deadline and starts no other while it still runs.
    const controller = new AbortController();
    const reason = new Error('deadline');
    const aborted = collectOnce(plugin, undefined, { context, collector, signal: controller.signal });
    await vi.waitFor(() => expect(waiting.has(nfsFile)).toBe(true), { timeout: 5000 });
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);

    const whileStuck = (await collectOnce(plugin, undefined, { context, collector })).text;
    expect(whileStuck).toContain('node_load1 0.5\n');
    expect(whileStuck).toContain('node_textfile_scrape_error 1\n');
    expect(whileStuck).not.toContain('job_runs');
    expect(context.logs.map((record) => record.message)).toContain('the previous read of the textfile directory has not returned; skipping the directory until it does');

    release();
    const recovered = await vi.waitFor(async () => {
      const { text } = await collectOnce(plugin, undefined, { context, collector });
      expect(text).toContain('node_textfile_scrape_error 0\n');
      return text;
    }, { timeout: 5000 });
    expect(recovered).toContain('job_runs 1\n');
    expect(recovered).toContain('nfs_up 1\n');
  });
});
