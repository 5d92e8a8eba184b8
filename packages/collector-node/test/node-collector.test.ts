import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { cp, rm, utimes } from 'node:fs/promises';
import { machine } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isNoDataError, validateWithSchema } from '@tessera/collector-api';
import { collectOnce, createTestContext, type TestContext } from '@tessera/collector-testkit';
import { renderText, SampleCollection, sortCollectedFamilies } from '@tessera/exposition';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema, SUB_COLLECTOR_NAMES } from '../src/config.js';
import plugin from '../src/index.js';
import { FAMILIES_BY_SUB_COLLECTOR } from '../src/metrics.js';
import { NodeCollector } from '../src/node-collector.js';
import { createTree, type ScratchTree } from './support/tree.js';

const PROC = {
  'proc/stat': 'cpu0 100 0 50 1000 1 0 2 3 0 0\nbtime 1700000000\nctxt 10\nintr 5 0\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n',
  'proc/meminfo': 'MemTotal: 1000 kB\nMemFree: 500 kB\n',
  'proc/loadavg': '0.5 0.25 0.125 1/100 42\n',
  'proc/diskstats': '   8       0 sda 1 2 3 4 5 6 7 8 0 10 11\n',
  'proc/vmstat': 'pgfault 12\nnr_free_pages 3\n',
  'proc/sys/kernel/ostype': 'Linux\n',
  'proc/sys/kernel/osrelease': '6.1.0-test\n',
  'proc/sys/kernel/version': '#1 SMP PREEMPT_DYNAMIC Debian 6.1.0\n',
  'proc/sys/kernel/hostname': 'box\n',
  'proc/sys/kernel/domainname': '(none)\n',
};

/** Sub-collectors whose files exist only with some hardware or kernel features. */
const NO_DATA_WITHOUT_FILES = ['infiniband', 'hwmon', 'pressure', 'nfs', 'nfsd', 'nvme', 'conntrack', 'rapl', 'udp_queues', 'os', 'bonding', 'zfs', 'schedstat', 'dmi', 'fibrechannel', 'ipvs', 'mdadm', 'powersupplyclass', 'tapestats'] as const;

/** Sub-collectors that, like node_exporter's, succeed with nothing to report when their files are absent. */
const EMPTY_WITHOUT_FILES = ['edac', 'sockstat', 'thermal_zone', 'cpufreq', 'bcache', 'btrfs', 'xfs'] as const;

const casesDir = fileURLToPath(new URL('cases/', import.meta.url));

/** The golden case that runs only `name` (or a few sub-collectors including it) and has an input tree. */
function caseFor(name: string): string | undefined {
  return readdirSync(casesDir)
    .sort((a, b) => Number(b === name) - Number(a === name))
    .find((directory) => {
      const config = join(casesDir, directory, 'config.yaml');
      if (!existsSync(config) || !existsSync(join(casesDir, directory, 'input'))) return false;
      const listed = /^collectors: \[([^\]]*)\]$/m.exec(readFileSync(config, 'utf8'))?.[1]?.split(',').map((entry) => entry.trim());
      return listed !== undefined && listed.length < 10 && listed.includes(name);
    });
}

let tree: ScratchTree | undefined;
afterEach(async () => {
  await tree?.remove();
  tree = undefined;
});

interface SetUp {
  readonly context: TestContext;
  readonly collector: NodeCollector;
  readonly collect: () => Promise<string>;
  /** Another collector on the same tree and context. */
  readonly another: (config: unknown) => Promise<() => Promise<string>>;
}

/** A tree with `files`, and a collector with `config` (a function of the tree's root when it needs paths). */
async function setUp(files: Readonly<Record<string, string>>, config: unknown): Promise<SetUp> {
  tree = await createTree(files);
  const root = tree.root;
  const context = createTestContext({ collector: 'node', roots: tree.roots });
  const create = async (entry: unknown) => {
    const collector = new NodeCollector(await validateWithSchema(configSchema, typeof entry === 'function' ? (entry as (root: string) => unknown)(root) : entry), context);
    return { collector, collect: async () => (await collectOnce(plugin, undefined, { context, collector })).text };
  };
  const { collector, collect } = await create(config);
  return { context, collector, collect, another: async (entry) => (await create(entry)).collect };
}

describe('node collector', () => {
  it.each(SUB_COLLECTOR_NAMES)('%s emits only the families metrics.ts groups under it (and ones it declares)', async (name) => {
    tree = await createTree();
    await cp(join(casesDir, 'basic/input'), tree.root, { recursive: true });
    await cp(join(casesDir, 'textfile/input/textfile'), join(tree.root, 'textfile'), { recursive: true });
    // This machine lacks the hardware of some sub-collectors: a golden case of theirs has a tree for them.
    const own = caseFor(name);
    if (own !== undefined) await cp(join(casesDir, own, 'input'), tree.root, { recursive: true, verbatimSymlinks: true });
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const config = await validateWithSchema(configSchema, { collectors: [name], textfile: { directory: join(tree.root, 'textfile') } });
    const collector = await NodeCollector.create(config, context);
    // Only this group's families and the self-metrics: anything else would be refused by this sink.
    const sink = new SampleCollection([...FAMILIES_BY_SUB_COLLECTOR.scrape, ...FAMILIES_BY_SUB_COLLECTOR[name], ...collector.metrics]);
    await collector.collect(sink, new AbortController().signal);
    const families = sink.seal();
    expect(families.find(({ family }) => family.name === 'node_scrape_collector_success')?.series[0]?.value).toBe(1);
    expect(families.length).toBeGreaterThan(2);
  });

  // Hardware and kernel features a machine may lack: like node_exporter, no data (success 0,
  // logged at debug level), never an error.
  it.each(NO_DATA_WITHOUT_FILES)('%s reports no data when the machine lacks what it reads', async (name) => {
    const { collector, context } = await setUp({ 'proc/stat': PROC['proc/stat'] }, { collectors: [name] });
    const failures: unknown[] = [];
    const sink = new SampleCollection([...plugin.metrics, ...collector.metrics], 'collector node', { onPartFailed: (_outcome, error) => failures.push(error) });
    await collector.collect(sink, new AbortController().signal);
    const text = renderText(sortCollectedFamilies(sink.seal()));
    expect(text).toContain(`node_scrape_collector_success{collector="${name}"} 0\n`);
    expect(context.logs.filter((record) => record.level === 'error')).toEqual([]);
    // A NoDataError: the host logs the part at debug level, not as a failure.
    expect(failures.map((error) => isNoDataError(error))).toEqual([true]);
  });

  // node_exporter globs for these, so a machine without them is a success with nothing to report.
  it.each(EMPTY_WITHOUT_FILES)('%s reports nothing and succeeds when the machine lacks what it reads', async (name) => {
    const { collect, context } = await setUp({ 'proc/stat': PROC['proc/stat'] }, { collectors: [name] });
    const text = await collect();
    expect(text).toContain(`node_scrape_collector_success{collector="${name}"} 1\n`);
    expect(text.split('\n').filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('node_scrape_collector_'))).toEqual([]);
    expect(context.logs.filter((record) => record.level === 'error')).toEqual([]);
  });

  it('keeps the other sub-collectors when one fails, and says which failed', async () => {
    const { collector, context } = await setUp({ ...PROC, 'proc/diskstats': ' x 0 sda 1 2 3 4 5 6 7 8 9 10 11\n' }, { collectors: ['cpu', 'diskstats', 'loadavg', 'meminfo'] });
    const { text, parts } = await collectOnce(plugin, undefined, { context, collector });
    expect(text).toContain('node_scrape_collector_success{collector="diskstats"} 0\n');
    expect(text).toContain('node_scrape_collector_success{collector="loadavg"} 1\n');
    expect(text).toContain('node_load1 0.5\n');
    expect(text).toContain('node_memory_MemTotal_bytes 1.024e+06\n');
    expect(text).toContain('node_cpu_seconds_total{cpu="0",mode="user"} 1\n');
    expect(text).not.toContain('node_disk_');
    // Each sub-collector is a part: the host reports the failed one (and logs it when it starts failing).
    expect(parts.map((part) => [part.name, part.success])).toEqual([
      ['cpu', true],
      ['diskstats', false],
      ['loadavg', true],
      ['meminfo', true],
    ]);
    expect(parts.find((part) => part.name === 'diskstats')?.error).toMatch(/invalid device numbers/);
  });

  it('drops an unplugged CPU at once and reports it afresh when it returns', async () => {
    const { collect } = await setUp({ 'proc/stat': 'cpu0 100 0 0 1000 0 0 0 0 0 0\ncpu1 500 0 0 9000 0 0 0 0 0 0\n' }, { collectors: ['cpu'] });
    expect(await collect()).toContain('node_cpu_seconds_total{cpu="1",mode="user"} 5\n');
    await tree?.write({ 'proc/stat': 'cpu0 110 0 0 1010 0 0 0 0 0 0\n' });
    const unplugged = await collect();
    expect(unplugged).not.toContain('cpu="1"');
    expect(unplugged).toContain('node_cpu_seconds_total{cpu="0",mode="user"} 1.1\n');
    await tree?.write({ 'proc/stat': 'cpu0 120 0 0 1020 0 0 0 0 0 0\ncpu1 7 0 0 20 0 0 0 0 0 0\n' });
    const back = await collect();
    expect(back).toContain('node_cpu_seconds_total{cpu="1",mode="user"} 0.07\n');
    expect(back).toContain('node_cpu_seconds_total{cpu="1",mode="idle"} 0.2\n');
  });

  it('declares the kernel\'s meminfo and vmstat fields up front, and a field that appears later when it appears', async () => {
    tree = await createTree(PROC);
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const collector = await NodeCollector.create(await validateWithSchema(configSchema, { collectors: ['meminfo', 'vmstat', 'cpu'] }), context);
    expect(collector.metrics.map((family) => family.name)).toEqual(['node_memory_MemTotal_bytes', 'node_memory_MemFree_bytes', 'node_vmstat_pgfault']);
    await tree.write({ 'proc/meminfo': `${PROC['proc/meminfo']}Zswap: 8 kB\n` });
    const { text } = await collectOnce(plugin, undefined, { context, collector });
    expect(text).toContain('# HELP node_memory_Zswap_bytes Memory information field Zswap_bytes.\n# TYPE node_memory_Zswap_bytes gauge\nnode_memory_Zswap_bytes 8192\n');
    expect(text).toContain('node_memory_MemTotal_bytes 1.024e+06\n');
  });

  it('creates without meminfo or vmstat to read, and reports their failure when collecting', async () => {
    tree = await createTree({});
    const context = createTestContext({ collector: 'node', roots: tree.roots });
    const collector = await NodeCollector.create(await validateWithSchema(configSchema, { collectors: ['meminfo', 'vmstat'] }), context);
    expect(collector.metrics).toEqual([]);
    const { text } = await collectOnce(plugin, undefined, { context, collector });
    expect(text).toContain('node_scrape_collector_success{collector="meminfo"} 0\n');
  });

  it('serves cpu and stat from one /proc/stat', async () => {
    const { collect } = await setUp(PROC, { collectors: ['cpu', 'stat'] });
    const text = await collect();
    expect(text).toContain('node_boot_time_seconds 1.7e+09\n');
    expect(text).toContain('node_cpu_seconds_total{cpu="0",mode="idle"} 10\n');
  });

  it('refuses a textfile that redefines a family another sub-collector emits, even a dynamic one', async () => {
    const { collect, context, another } = await setUp({ ...PROC, 'textfile/memory.prom': 'node_memory_MemTotal_bytes 1\n' }, (root: string) => ({
      collectors: ['meminfo', 'textfile'],
      textfile: { directory: join(root, 'textfile') },
    }));
    const text = await collect();
    expect(text).toContain('node_memory_MemTotal_bytes 1.024e+06\n');
    expect(text).toContain('node_textfile_scrape_error 1\n');
    const refusal = context.logs.find((record) => record.level === 'error');
    expect(refusal?.fields).toMatchObject({ file: expect.stringMatching(/memory\.prom$/), error: 'node_memory_MemTotal_bytes is a family of the node collector itself' });

    // Without meminfo running, nothing else owns the name.
    const alone = await another((root: string) => ({ collectors: ['textfile'], textfile: { directory: join(root, 'textfile') } }));
    const served = await alone();
    expect(served).toContain('node_memory_MemTotal_bytes 1\n');
    expect(served).toContain('node_textfile_scrape_error 0\n');
  });

  it('reads a textfile again when it changes, and forgets a removed one', async () => {
    const { collect } = await setUp({ 'textfile/job.prom': 'job_runs 1\n' }, (root: string) => ({ collectors: ['textfile'], textfile: { directory: join(root, 'textfile') } }));
    const file = join(tree?.root ?? '', 'textfile/job.prom');
    expect(await collect()).toContain('job_runs 1\n');
    await tree?.write({ 'textfile/job.prom': 'job_runs 22\n' });
    await utimes(file, 1_800_000_000, 1_800_000_000);
    const changed = await collect();
    expect(changed).toContain('job_runs 22\n');
    expect(changed).toContain(`node_textfile_mtime_seconds{file="${file}"} 1.8e+09\n`);
    await rm(file);
    const removed = await collect();
    expect(removed).not.toContain('job_runs');
    expect(removed).not.toContain('node_textfile_mtime_seconds');
    expect(removed).toContain('node_textfile_scrape_error 0\n');
  });

  it('skips a *.prom that is not a regular file (a FIFO would block its reader forever), and serves the rest', async () => {
    const { collect, context } = await setUp({ 'textfile/job.prom': 'job_runs 1\n' }, (root: string) => ({ collectors: ['textfile'], textfile: { directory: join(root, 'textfile') } }));
    const fifo = join(tree?.root ?? '', 'textfile/stuck.prom');
    execFileSync('mkfifo', [fifo]);
    try {
      const text = await collect();
      expect(text).toContain('job_runs 1\n');
      expect(text).toContain('node_textfile_scrape_error 1\n');
      expect(text).not.toContain('stuck.prom');
      const skipped = context.logs.find((record) => record.level === 'error');
      expect(skipped?.fields).toMatchObject({ file: fifo, error: 'not a regular file' });
    } finally {
      // A reader blocked in open() on the FIFO holds a thread-pool thread until a writer comes.
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // ENXIO: nobody is reading it.
      }
    }
  });

  it('takes the machine from os.machine() when the kernel has no sys/kernel/arch', async () => {
    const { collect } = await setUp(PROC, { collectors: ['uname'] });
    expect(await collect()).toContain(
      `node_uname_info{domainname="(none)",machine="${machine()}",nodename="box",release="6.1.0-test",sysname="Linux",version="#1 SMP PREEMPT_DYNAMIC Debian 6.1.0"} 1\n`,
    );
  });

  it('reads the hostname at every collection', async () => {
    const { collect } = await setUp(PROC, { collectors: ['uname'] });
    await collect();
    await tree?.write({ 'proc/sys/kernel/hostname': 'renamed\n' });
    expect(await collect()).toContain('nodename="renamed"');
  });

  it('reports the local time zone and its offset', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const { collect } = await setUp({}, { collectors: ['time'] });
      // 1 700 000 000 s is in November: Eastern Standard Time, 5 hours behind UTC.
      expect(await collect()).toContain('node_time_zone_offset_seconds{time_zone="EST"} -18000\n');
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('probes procfs', async () => {
    const { collector } = await setUp(PROC, {});
    await expect(collector.probe(new AbortController().signal)).resolves.toBeUndefined();
    await tree?.remove();
    await expect(collector.probe(new AbortController().signal)).rejects.toThrow(/ENOENT/);
  });

  it('honours the vmstat field pattern and the softirq switch', async () => {
    const { collect } = await setUp({ ...PROC, 'proc/stat': `${PROC['proc/stat']}softirq 10 1 2 3 4 5 6 7 8 9 10\n` }, { collectors: ['vmstat', 'stat'], vmstat: { fields: '^nr_' }, stat: { softirq: true } });
    const text = await collect();
    expect(text).toContain('node_vmstat_nr_free_pages 3\n');
    expect(text).not.toContain('node_vmstat_pgfault');
    expect(text).toContain('node_softirqs_total{vector="rcu"} 10\n');
  });
});
