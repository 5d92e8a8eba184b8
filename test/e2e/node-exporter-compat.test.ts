import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseText, type ParsedFamily } from '@tessera/exposition';
import { startNodeExporter, startTessera, type RunningPeer } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The Debian node_exporter (1.5.0) runs beside tessera with the same collectors. Every family it
// emits, tessera emits with the same name, type and label names, and stable values agree.
const UPSTREAM_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
const COLLECTORS = ['cpu', 'meminfo', 'loadavg', 'diskstats', 'netdev', 'filesystem', 'uname', 'time', 'stat', 'vmstat', 'textfile'];

/**
 * Deliberate differences from node_exporter 1.5.0, each with its reason (also listed in
 * packages/collector-node/README.md). Keys are family names; `extraLabels` are labels tessera adds.
 */
const ALLOWED_DIFFERENCES: Record<string, { readonly reason: string; readonly missing?: true; readonly extraLabels?: readonly string[] }> = {
  node_exporter_build_info: { reason: 'host-level build info; tessera has tessera_build_info', missing: true },
  promhttp_metric_handler_errors_total: { reason: 'a scrape counter; Prometheus already records scrape failures (writing-exporters)', missing: true },
  node_disk_info: { reason: 'node_exporter 1.7+ adds rotational', extraLabels: ['rotational'] },
  node_network_info: { reason: 'node_exporter 1.7+ adds adminstate', extraLabels: ['adminstate'] },
  node_nvme_info: { reason: 'node_exporter 1.9+ adds cntlid', extraLabels: ['cntlid'] },
  node_filesystem_avail_bytes: { reason: 'node_exporter 1.8+ adds device_error', extraLabels: ['device_error'] },
  node_filesystem_device_error: { reason: 'node_exporter 1.8+ adds device_error', extraLabels: ['device_error'] },
  node_filesystem_files: { reason: 'node_exporter 1.8+ adds device_error', extraLabels: ['device_error'] },
  node_filesystem_files_free: { reason: 'node_exporter 1.8+ adds device_error', extraLabels: ['device_error'] },
  node_filesystem_free_bytes: { reason: 'node_exporter 1.8+ adds device_error', extraLabels: ['device_error'] },
  node_filesystem_readonly: { reason: 'node_exporter 1.8+ adds device_error', extraLabels: ['device_error'] },
  node_filesystem_size_bytes: { reason: 'node_exporter 1.8+ adds device_error', extraLabels: ['device_error'] },
};

const textfileContent = [
  '# HELP ml_nightly_last_success_timestamp_seconds Last time the nightly job succeeded.',
  '# TYPE ml_nightly_last_success_timestamp_seconds gauge',
  'ml_nightly_last_success_timestamp_seconds{pipeline="train"} 1.7e+09',
  '',
].join('\n');

function byName(text: string): Map<string, ParsedFamily> {
  return new Map(parseText(text).map((family) => [family.name, family]));
}

function labelNames(family: ParsedFamily): string[] {
  const names = new Set<string>();
  for (const sample of family.samples) for (const name of Object.keys(sample.labels)) names.add(name);
  for (const reserved of ['le', 'quantile']) names.delete(reserved);
  return [...names].sort();
}

function valuesBy(family: ParsedFamily | undefined, label: string): Map<string, number> {
  return new Map((family?.samples ?? []).map((sample) => [sample.labels[label] ?? '', sample.value]));
}

/** Scrapes both back to back, so that counters and gauges are as close in time as they can be. */
async function scrapeBoth(nodeExporter: RunningPeer, tessera: RunningPeer): Promise<{ theirs: Map<string, ParsedFamily>; ours: Map<string, ParsedFamily> }> {
  const [theirText, ourText] = await Promise.all([
    fetch(`${nodeExporter.url}/metrics`).then((response) => response.text()),
    fetch(`${tessera.url}/metrics`).then((response) => response.text()),
  ]);
  return { theirs: byName(theirText), ours: byName(ourText) };
}

/** Every family of `theirs` that `ours` lacks or has with another type or label names, less the allowed differences. */
function familyProblems(theirs: Map<string, ParsedFamily>, ours: Map<string, ParsedFamily>): string[] {
  const problems: string[] = [];
  for (const [name, family] of theirs) {
    const allowed = ALLOWED_DIFFERENCES[name];
    const mine = ours.get(name);
    if (mine === undefined) {
      if (!allowed?.missing) problems.push(`${name}: missing`);
      continue;
    }
    if (mine.type !== family.type) problems.push(`${name}: type ${mine.type}, node_exporter ${family.type}`);
    const expected = labelNames(family);
    const actual = labelNames(mine).filter((label) => !(allowed?.extraLabels ?? []).includes(label));
    if (expected.join(',') !== actual.join(',')) problems.push(`${name}: labels [${actual.join(',')}], node_exporter [${expected.join(',')}]`);
  }
  return problems;
}

describe('compatibility with the Debian node_exporter', () => {
  let textfileDirectory: string;
  let nodeExporter: RunningPeer;
  let tessera: RunningPeer;
  let theirs: Map<string, ParsedFamily>;
  let ours: Map<string, ParsedFamily>;

  beforeAll(async () => {
    textfileDirectory = await mkdtemp(join(tmpdir(), 'tessera-textfile-'));
    await writeFile(join(textfileDirectory, 'nightly.prom'), textfileContent);
    nodeExporter = await startNodeExporter([
      '--collector.disable-defaults',
      ...COLLECTORS.map((collector) => `--collector.${collector}`),
      `--collector.textfile.directory=${textfileDirectory}`,
      // Debian patches this default to also hide /mnt, /media and /run; compare with upstream's.
      `--collector.filesystem.mount-points-exclude=${UPSTREAM_MOUNT_POINTS_EXCLUDE}`,
      '--web.disable-exporter-metrics',
    ]);
    tessera = await startTessera({
      config: { collectors: { node: { collectors: COLLECTORS, textfile: { directory: textfileDirectory } } } },
      args: ['--web.disable-exporter-metrics'],
    });
    ({ theirs, ours } = await scrapeBoth(nodeExporter, tessera));
  });

  afterAll(async () => {
    await nodeExporter?.stop();
    await tessera?.stop();
    if (textfileDirectory) await rm(textfileDirectory, { recursive: true, force: true });
  });

  it('emits every node_exporter family with the same type and label names', () => {
    const problems = familyProblems(theirs, ours);
    expect(problems).toEqual([]);
    expect(theirs.size).toBeGreaterThan(50);
  });

  it('agrees on memory total, CPU count, boot time and uname', () => {
    expect(ours.get('node_memory_MemTotal_bytes')?.samples[0]?.value).toBe(theirs.get('node_memory_MemTotal_bytes')?.samples[0]?.value);
    const idleCpus = (families: Map<string, ParsedFamily>): string[] =>
      (families.get('node_cpu_seconds_total')?.samples ?? []).filter((sample) => sample.labels.mode === 'idle').map((sample) => sample.labels.cpu ?? '').sort();
    expect(idleCpus(ours)).toEqual(idleCpus(theirs));
    expect(idleCpus(ours).length).toBeGreaterThan(0);
    expect(ours.get('node_boot_time_seconds')?.samples[0]?.value).toBe(theirs.get('node_boot_time_seconds')?.samples[0]?.value);
    expect(ours.get('node_uname_info')?.samples[0]?.labels).toEqual(theirs.get('node_uname_info')?.samples[0]?.labels);
  });

  it('agrees on filesystem sizes for every mount point node_exporter reports', () => {
    const theirSizes = valuesBy(theirs.get('node_filesystem_size_bytes'), 'mountpoint');
    const ourSizes = valuesBy(ours.get('node_filesystem_size_bytes'), 'mountpoint');
    expect(theirSizes.size).toBeGreaterThan(0);
    expect(Object.fromEntries(ourSizes)).toEqual(Object.fromEntries(theirSizes));
  });

  it('serves the same textfile metrics', () => {
    const family = 'ml_nightly_last_success_timestamp_seconds';
    expect(ours.get(family)?.samples).toEqual(theirs.get(family)?.samples.map((sample) => ({ ...sample, lineNumber: expect.any(Number) })));
    expect(ours.get('node_textfile_scrape_error')?.samples[0]?.value).toBe(0);
    expect(ours.get('node_textfile_mtime_seconds')?.samples.map((sample) => sample.labels.file)).toEqual(
      theirs.get('node_textfile_mtime_seconds')?.samples.map((sample) => sample.labels.file),
    );
  });
});

/**
 * node_exporter's default collectors that tessera's node collector does not have, each with why.
 * Their families would be missing; on this machine they emit none.
 */
const COLLECTORS_NOT_IMPLEMENTED: Record<string, string> = {
  systemd: 'talks to systemd over D-Bus; the Debian build enables it, upstream does not',
};

describe('compatibility with the Debian node_exporter, every default collector of each', () => {
  let nodeExporter: RunningPeer;
  let tessera: RunningPeer;
  let theirs: Map<string, ParsedFamily>;
  let ours: Map<string, ParsedFamily>;

  beforeAll(async () => {
    // Each with its own defaults: node_exporter's default collectors, tessera's default sub-collectors.
    nodeExporter = await startNodeExporter(['--web.disable-exporter-metrics']);
    tessera = await startTessera({ config: {}, args: ['--web.disable-exporter-metrics'] });
    ({ theirs, ours } = await scrapeBoth(nodeExporter, tessera));
  });

  afterAll(async () => {
    await nodeExporter?.stop();
    await tessera?.stop();
  });

  it('emits every family node_exporter emits, with the same type and label names', () => {
    const problems = familyProblems(theirs, ours);
    expect(problems).toEqual([]);
    expect(theirs.size).toBeGreaterThan(150);
  });

  it('runs every default collector node_exporter runs, with the same outcome on this machine', () => {
    const outcomes = (families: Map<string, ParsedFamily>): Map<string, number> =>
      new Map((families.get('node_scrape_collector_success')?.samples ?? []).map((sample) => [sample.labels.collector ?? '', sample.value]));
    const mine = outcomes(ours);
    const problems: string[] = [];
    for (const [collector, success] of outcomes(theirs)) {
      if (COLLECTORS_NOT_IMPLEMENTED[collector] !== undefined) continue;
      if (mine.get(collector) !== success) problems.push(`${collector}: success ${String(mine.get(collector))}, node_exporter ${success}`);
    }
    expect(problems).toEqual([]);
    expect(mine.size).toBeGreaterThanOrEqual(41);
  });
});
