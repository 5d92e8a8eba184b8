import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOnce, createTestContext } from '@tessera/collector-testkit';
import { parseText, type ParsedFamily } from '@tessera/exposition';
import { startNodeExporter, type RunningPeer } from '@tessera/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE } from '../src/config.js';
import plugin from '../src/index.js';

// The Debian node_exporter 1.5.0 and this collector read the same captured tree (node_exporter's
// --path.* flags and our roots), so every value node_exporter reports must come out the same here.
// This checks parsing, unit conversion and labels against the real thing, value by value.

const casesDir = fileURLToPath(new URL('cases/', import.meta.url));

/** Families whose values come from the running machine rather than the tree, or that are node_exporter's own. */
const NOT_FROM_THE_TREE = new Set([
  'node_time_seconds',
  'node_time_zone_offset_seconds',
  'node_uname_info', // uname(2) in node_exporter, the captured sys/kernel files here
  'node_scrape_collector_duration_seconds',
  'node_exporter_build_info',
  'promhttp_metric_handler_errors_total',
]);

/** HELP texts that newer node_exporter versions changed, which this collector follows. */
const NEWER_HELP: Readonly<Record<string, string>> = {
  // 1.5.0 wrote "cpu"; 1.6+ "CPU".
  node_cpu_frequency_hertz: 'Current CPU thread frequency in hertz.',
  node_cpu_frequency_min_hertz: 'Minimum CPU thread frequency in hertz.',
  node_cpu_frequency_max_hertz: 'Maximum CPU thread frequency in hertz.',
};

/** Labels we add on purpose (README, "Differences from node_exporter 1.5.0"). */
const ADDED_LABELS: Readonly<Record<string, readonly string[]>> = {
  node_disk_info: ['rotational'],
  node_nvme_info: ['cntlid'],
  node_network_info: ['adminstate'],
  ...Object.fromEntries(
    ['avail_bytes', 'device_error', 'files', 'files_free', 'free_bytes', 'readonly', 'size_bytes'].map((name) => [`node_filesystem_${name}`, ['device_error']]),
  ),
};

function seriesKey(name: string, labels: Readonly<Record<string, string>>, omit: readonly string[]): string {
  const names = Object.keys(labels)
    .filter((label) => !omit.includes(label))
    .sort();
  return `${name}{${names.map((label) => `${label}=${JSON.stringify(labels[label])}`).join(',')}}`;
}

/** Every difference between node_exporter's families and ours, one line each; only node_exporter's families are compared. */
function compare(theirs: readonly ParsedFamily[], ours: readonly ParsedFamily[]): string[] {
  const ourFamilies = new Map(ours.map((family) => [family.name, family]));
  const differences: string[] = [];
  for (const family of theirs) {
    if (NOT_FROM_THE_TREE.has(family.name)) continue;
    const mine = ourFamilies.get(family.name);
    if (mine === undefined) {
      differences.push(`${family.name}: missing`);
      continue;
    }
    if (mine.type !== family.type) differences.push(`${family.name}: type ${mine.type}, node_exporter ${family.type}`);
    if (mine.help !== family.help && NEWER_HELP[family.name] !== mine.help) differences.push(`${family.name}: HELP ${JSON.stringify(mine.help)}, node_exporter ${JSON.stringify(family.help)}`);
    const omit = ADDED_LABELS[family.name] ?? [];
    const ourValues = new Map(mine.samples.map((sample) => [seriesKey(sample.name, sample.labels, omit), sample.value]));
    for (const sample of family.samples) {
      const key = seriesKey(sample.name, sample.labels, omit);
      const value = ourValues.get(key);
      if (value === undefined) differences.push(`${key}: missing, node_exporter ${sample.value}`);
      else if (!Object.is(value, sample.value)) differences.push(`${key}: ${value}, node_exporter ${sample.value}`);
      ourValues.delete(key);
    }
    for (const [key, value] of ourValues) differences.push(`${key}: ${value}, not in node_exporter`);
  }
  return differences;
}

interface Scrapes {
  readonly theirs: ParsedFamily[];
  readonly ours: ParsedFamily[];
}

/** What a case needs besides its tree: textfiles, node_exporter flags, and the same settings for this collector. */
interface ScrapeSettings {
  readonly textfiles?: readonly string[];
  readonly args?: readonly string[];
  readonly config?: Readonly<Record<string, unknown>>;
}

/** Lays the case's input out in a scratch directory and scrapes both exporters over it. */
async function scrapeBoth(caseName: string, collectors: readonly string[], extra: ScrapeSettings = {}): Promise<Scrapes> {
  const root = await mkdtemp(join(tmpdir(), 'tessera-parity-'));
  let nodeExporter: RunningPeer | undefined;
  try {
    await cp(join(casesDir, caseName, 'input'), root, { recursive: true, verbatimSymlinks: true });
    const textfileDirectory = join(root, 'textfiles');
    await mkdir(textfileDirectory);
    for (const file of extra.textfiles ?? []) await cp(join(casesDir, 'textfile/input/textfile', file), join(textfileDirectory, file));
    const roots = { procfs: join(root, 'proc'), sysfs: join(root, 'sys'), rootfs: join(root, 'root'), udevData: join(root, 'root', 'run/udev/data') };
    nodeExporter = await startNodeExporter([
      `--path.procfs=${roots.procfs}`,
      `--path.sysfs=${roots.sysfs}`,
      `--path.rootfs=${roots.rootfs}`,
      `--path.udev.data=${roots.udevData}`,
      '--collector.disable-defaults',
      ...collectors.map((collector) => `--collector.${collector}`),
      '--web.disable-exporter-metrics',
      // node_exporter reads netlink by default, i.e. this machine's interfaces, not the tree's.
      '--no-collector.netdev.netlink',
      // The Debian build patches these defaults (README, "Differences"): use the upstream ones on both sides.
      '--collector.netdev.device-exclude=',
      `--collector.filesystem.mount-points-exclude=${DEFAULT_MOUNT_POINTS_EXCLUDE}`,
      `--collector.filesystem.fs-types-exclude=${DEFAULT_FS_TYPES_EXCLUDE}`,
      `--collector.textfile.directory=${textfileDirectory}`,
      ...(extra.args ?? []),
    ]);
    const response = await fetch(`${nodeExporter.url}/metrics`);
    const theirs = parseText(await response.text());
    const context = createTestContext({ collector: 'node', roots });
    const { text } = await collectOnce(plugin, { ...extra.config, collectors, textfile: { directory: textfileDirectory } }, { context });
    return { theirs, ours: parseText(text) };
  } finally {
    await nodeExporter?.stop();
    await rm(root, { recursive: true, force: true });
  }
}

describe('same values as node_exporter 1.5.0 over the same captured tree', () => {
  describe('basic: this machine, every sub-collector but time and uname', () => {
    let scrapes: Scrapes;
    beforeAll(async () => {
      scrapes = await scrapeBoth('basic', ['cpu', 'meminfo', 'loadavg', 'diskstats', 'netdev', 'filesystem', 'stat', 'vmstat', 'textfile'], {
        textfiles: ['apt.prom', 'backup.prom'],
      });
    }, 30_000);

    it('has no differences', () => {
      expect(compare(scrapes.theirs, scrapes.ours)).toEqual([]);
    });

    it('compared a meaningful scrape', () => {
      const names = scrapes.theirs.map((family) => family.name);
      for (const name of ['node_cpu_seconds_total', 'node_memory_MemTotal_bytes', 'node_disk_read_bytes_total', 'node_network_receive_bytes_total', 'node_filesystem_device_error', 'node_load1', 'node_boot_time_seconds', 'node_vmstat_pgfault', 'backup_duration_seconds', 'apt_fetch_seconds', 'node_textfile_mtime_seconds']) {
        expect(names).toContain(name);
      }
      expect(scrapes.theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples.every((sample) => sample.value === 1)).toBe(true);
    });
  });

  it('many-disks: the only differences are the serials node_exporter 1.8+ reads from more udev properties', async () => {
    const { theirs, ours } = await scrapeBoth('many-disks', ['diskstats']);
    expect(compare(theirs, ours).sort()).toEqual(
      [
        // SCSI_IDENT_SERIAL (the serial on the label) before ID_SERIAL_SHORT.
        'node_disk_info{device="sdb",major="8",minor="16",model="PERC_H730",path="pci-0000:03:00.0-scsi-0:2:1:0",revision="",serial="00a1b2c3",wwn=""}: missing, node_exporter 1',
        'node_disk_info{device="sdb",major="8",minor="16",model="PERC_H730",path="pci-0000:03:00.0-scsi-0:2:1:0",revision="",serial="PHYS-LABEL-42",wwn=""}: 1, not in node_exporter',
        // ID_SERIAL when there is no short form (virtio, some NVMe).
        'node_disk_info{device="vda",major="252",minor="0",model="",path="",revision="",serial="",wwn=""}: missing, node_exporter 1',
        'node_disk_info{device="vda",major="252",minor="0",model="",path="",revision="",serial="virtio-disk0",wwn=""}: 1, not in node_exporter',
        'node_disk_info{device="nvme0n1",major="259",minor="0",model="SAMSUNG MZVL21T0HCLR-00B00",path="pci-0000:01:00.0-nvme-1",revision="",serial="",wwn="eui.002538b11150a123"}: missing, node_exporter 1',
        'node_disk_info{device="nvme0n1",major="259",minor="0",model="SAMSUNG MZVL21T0HCLR-00B00",path="pci-0000:01:00.0-nvme-1",revision="",serial="SAMSUNG MZVL21T0HCLR-00B00_S676NF0R123456",wwn="eui.002538b11150a123"}: 1, not in node_exporter',
      ].sort(),
    );
    expect(theirs.find((family) => family.name === 'node_disk_reads_completed_total')?.samples.length).toBeGreaterThan(30);
  }, 30_000);

  it('meminfo-odd: unit-less fields, parenthesised names, blank lines and repeated fields read alike', async () => {
    const { theirs, ours } = await scrapeBoth('meminfo-odd', ['meminfo']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.filter((family) => family.name.startsWith('node_memory_')).length).toBe(14);
  }, 30_000);

  it('infiniband: HCAs with standard, 64-bit legacy and driver counters', async () => {
    const { theirs, ours } = await scrapeBoth('infiniband', ['infiniband']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_infiniband_port_data_received_bytes_total')?.samples.length).toBe(4);
    expect(theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples[0]?.value).toBe(1);
  }, 30_000);

  it('hwmon: temperatures, fans, voltages, power, energy, alarms and labels of five chips', async () => {
    const { theirs, ours } = await scrapeBoth('hwmon', ['hwmon']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.filter((family) => family.name.startsWith('node_hwmon_')).length).toBeGreaterThan(30);
    expect(theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples[0]?.value).toBe(1);
  }, 30_000);

  it.each(['pressure', 'pressure-kernel-variants'])('%s: pressure stall totals', async (caseName) => {
    const { theirs, ours } = await scrapeBoth(caseName, ['pressure']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.filter((family) => family.name.startsWith('node_pressure_')).length).toBe(5);
  }, 30_000);

  it.each(['nfs', 'nfs-older-kernel'])('%s: NFS client statistics; only GetDeviceInfo and LayoutGet differ (newer node_exporter un-swapped them)', async (caseName) => {
    const { theirs, ours } = await scrapeBoth(caseName, ['nfs']);
    const differences = compare(theirs, ours);
    // prometheus/procfs #726: 1.5.0 reads each of the two from the other's position.
    expect(differences.every((line) => /method="(GetDeviceInfo|LayoutGet)",proto="4"/.test(line)), differences.join('\n')).toBe(true);
    const value = (families: typeof theirs, method: string): number | undefined =>
      families.find((family) => family.name === 'node_nfs_requests_total')?.samples.find((sample) => sample.labels.method === method && sample.labels.proto === '4')?.value;
    expect(value(ours, 'GetDeviceInfo')).toBe(value(theirs, 'LayoutGet'));
    expect(value(ours, 'LayoutGet')).toBe(value(theirs, 'GetDeviceInfo'));
    expect(theirs.find((family) => family.name === 'node_nfs_requests_total')?.samples.length).toBe(99);
  }, 30_000);

  it('nfsd: NFS server statistics; NFSv4 operations from SetClientID on are read at the kernel\'s positions', async () => {
    const { theirs, ours } = await scrapeBoth('nfsd', ['nfsd']);
    const v4 = (families: typeof theirs): Map<string, number> =>
      new Map((families.find((family) => family.name === 'node_nfsd_requests_total')?.samples ?? []).filter((sample) => sample.labels.proto === '4').map((sample) => [sample.labels.method ?? '', sample.value]));
    // 1.5.0 (prometheus/procfs before 0.12) skipped SETCLIENTID and SETCLIENTID_CONFIRM (operations
    // 35 and 36), so it reports operation 35 as Verify, 36 as Write and 37 as RelLockOwner.
    expect(v4(theirs).get('Verify')).toBe(v4(ours).get('SetClientID'));
    expect(v4(theirs).get('Write')).toBe(v4(ours).get('SetClientIDConfirm'));
    expect(v4(theirs).get('RelLockOwner')).toBe(v4(ours).get('Verify'));
    const shifted = /method="(SetClientID|SetClientIDConfirm|Verify|Write|RelLockOwner|WdelegGetattr)",proto="4"/;
    expect(compare(theirs, ours).filter((line) => !shifted.test(line))).toEqual([]);
    expect(v4(theirs).size).toBe(33);
  }, 30_000);

  it('edac: controllers, chip-select rows and their unattributed errors', async () => {
    const { theirs, ours } = await scrapeBoth('edac', ['edac']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_edac_csrow_correctable_errors_total')?.samples.length).toBe(6);
    // The per-channel families are node_exporter 1.9+'s: 1.5.0 has none to compare.
    expect(ours.find((family) => family.name === 'node_edac_channel_correctable_errors_total')?.samples.length).toBe(8);
  }, 30_000);

  it('nvme: controllers (1.5.0 has no cntlid label and no namespace families)', async () => {
    const { theirs, ours } = await scrapeBoth('nvme', ['nvme']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_nvme_info')?.samples.length).toBe(3);
  }, 30_000);

  it.each(['netclass', 'netclass-datacenter'])('%s: link state, speed and properties of every interface', async (caseName) => {
    const { theirs, ours } = await scrapeBoth(caseName, ['netclass']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_network_up')?.samples.length).toBeGreaterThanOrEqual(4);
    expect(theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples[0]?.value).toBe(1);
  }, 30_000);

  it('netstat: the default fields of netstat, snmp and snmp6 (newer node_exporter adds TCPOFOQueue and TCPRcvQDrop)', async () => {
    const { theirs, ours } = await scrapeBoth('netstat', ['netstat']);
    expect(compare(theirs, ours)).toEqual([]);
    const names = (families: typeof theirs): string[] => families.filter((family) => family.name.startsWith('node_netstat_')).map((family) => family.name);
    expect(names(theirs).length).toBeGreaterThan(30);
    expect(names(ours).filter((name) => !names(theirs).includes(name)).sort()).toEqual(['node_netstat_TcpExt_TCPOFOQueue', 'node_netstat_TcpExt_TCPRcvQDrop']);
  }, 30_000);

  it.each([
    ['sockstat', 'sockstat'],
    ['sockstat-ipv4-only', 'sockstat'],
    ['conntrack', 'conntrack'],
  ])('%s: socket and connection tracking counts', async (caseName, collector) => {
    const { theirs, ours } = await scrapeBoth(caseName, [collector]);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.filter((family) => /^node_(sockstat|nf_conntrack)_/.test(family.name)).length).toBeGreaterThanOrEqual(10);
  }, 30_000);

  it('conntrack-busy: per-CPU lines of 16 columns, which 1.5.0 refuses and newer node_exporter sums', async () => {
    const { theirs, ours } = await scrapeBoth('conntrack-busy', ['conntrack']);
    const success = (families: typeof theirs): number | undefined => families.find((family) => family.name === 'node_scrape_collector_success')?.samples[0]?.value;
    expect(success(theirs)).toBe(0);
    expect(success(ours)).toBe(1);
    expect(ours.find((family) => family.name === 'node_nf_conntrack_stat_found')?.samples[0]?.value).toBe(0xc35a1 + 0xb12f0);
  }, 30_000);

  it.each([
    ['rapl', 'rapl'],
    ['thermal_zone', 'thermal_zone'],
  ])('%s: energy counters, temperatures and CPU frequencies', async (caseName, collector) => {
    const { theirs, ours } = await scrapeBoth(caseName, [collector]);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples[0]?.value).toBe(1);
    expect(theirs.filter((family) => !family.name.startsWith('node_scrape_')).length).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('cpufreq: CPU frequencies; an offline CPU is left out, as newer node_exporter does (prometheus/procfs 0.10)', async () => {
    const { theirs, ours } = await scrapeBoth('cpufreq', ['cpufreq']);
    const differences = compare(theirs, ours);
    expect(differences.length).toBe(6);
    expect(differences.every((line) => /\{cpu="3"\}: missing, node_exporter/.test(line)), differences.join('\n')).toBe(true);
  }, 30_000);

  it.each([
    // selinux reads this machine's selinuxfs in node_exporter (go-selinux), not the tree: only the captured case shares it.
    ['host-basics', ['arp', 'entropy', 'filefd', 'os', 'selinux', 'softnet', 'udp_queues']],
    ['host-basics-other', ['arp', 'entropy', 'filefd', 'os', 'softnet', 'udp_queues']],
  ])('%s: ARP, entropy, file handles, os-release, softnet and UDP queues', async (caseName, collectors) => {
    const { theirs, ours } = await scrapeBoth(caseName, collectors);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples.every((sample) => sample.value === 1)).toBe(true);
  }, 30_000);

  it('bonding: slaves and active slaves, a failed one among them', async () => {
    const { theirs, ours } = await scrapeBoth('bonding', ['bonding']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_bonding_active')?.samples.map((sample) => sample.value).sort()).toEqual([1, 2]);
  }, 30_000);

  it('zfs: ARC and other kstats, pools and datasets; 1.5.0 cuts a dataset name at its first space and has no suspended state', async () => {
    const { theirs, ours } = await scrapeBoth('zfs', ['zfs']);
    const differences = compare(theirs, ours);
    const expected = (line: string): boolean =>
      /^node_zfs_zpool_state\{state="suspended",zpool="(scratch|tank)"\}: 0, not in node_exporter$/.test(line) ||
      /^node_zfs_zpool_dataset_\w+\{dataset="tank\/datasets imagenet",zpool="tank"\}: \d+, not in node_exporter$/.test(line) ||
      /^node_zfs_zpool_dataset_\w+\{dataset="tank\/datasets",zpool="tank"\}: missing, node_exporter \d+$/.test(line);
    expect(differences.filter((line) => !expected(line))).toEqual([]);
    expect(differences.length).toBe(2 + 2 * 6);
    expect(theirs.filter((family) => family.name.startsWith('node_zfs_')).length).toBeGreaterThan(20);
  }, 30_000);

  it.each([
    ['schedstat', 'schedstat'],
    ['dmi', 'dmi'],
  ])('%s: scheduler statistics and the firmware\'s identity', async (caseName, collector) => {
    const { theirs, ours } = await scrapeBoth(caseName, [collector]);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples[0]?.value).toBe(1);
  }, 30_000);

  it('bcache: a cache set, two backing devices and a cache device; the btree read time is fixed, a zero readahead count left out as newer node_exporter does', async () => {
    const { theirs, ours } = await scrapeBoth('bcache', ['bcache'], { args: ['--collector.bcache.priorityStats'], config: { bcache: { priorityStats: true } } });
    const average = (families: readonly ParsedFamily[]): number | undefined =>
      families.find((family) => family.name === 'node_bcache_btree_read_average_duration_seconds')?.samples[0]?.value;
    const differences = compare(theirs, ours);
    expect(differences.filter((line) => !line.startsWith('node_bcache_btree_read_average_duration_seconds{'))).toEqual([
      // node_exporter 1.6+ (its issue 2103: Linux 5.13 dropped readahead accounting).
      'node_bcache_cache_readaheads_total{backing_device="bdev1",uuid="6f5a8b1e-3c2d-4e9f-a1b0-7d4c2e9f1a35"}: missing, node_exporter 0',
    ]);
    expect(differences.length).toBe(2);
    expect(average(ours)).toBe(0.002843);
    expect(average(theirs)).toBeCloseTo(0.002843 / 1000, 15);
    expect(theirs.filter((family) => family.name.startsWith('node_bcache_')).length).toBe(28);
    expect(theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples[0]?.value).toBe(1);
  }, 30_000);

  it('btrfs: two filesystems, one mid-conversion; 1.5.0 lacks the commit statistics and the raid1c3 and raid1c4 ratios', async () => {
    const { theirs, ours } = await scrapeBoth('btrfs', ['btrfs']);
    // prometheus/procfs 0.8 knew no raid1c3 or raid1c4 profile (Linux 5.5) and gave them ratio 0.
    expect(compare(theirs, ours).sort()).toEqual([
      'node_btrfs_allocation_ratio{block_group_type="metadata",mode="raid1c3",uuid="9b8a7c6d-5e4f-4a3b-b2c1-d0e9f8a7b6c5"}: 3, node_exporter 0',
      'node_btrfs_allocation_ratio{block_group_type="system",mode="raid1c4",uuid="9b8a7c6d-5e4f-4a3b-b2c1-d0e9f8a7b6c5"}: 4, node_exporter 0',
    ]);
    expect(theirs.filter((family) => family.name.startsWith('node_btrfs_')).length).toBe(7);
    expect(theirs.find((family) => family.name === 'node_btrfs_device_size_bytes')?.samples.length).toBe(5);
    expect(theirs.find((family) => family.name === 'node_scrape_collector_success')?.samples[0]?.value).toBe(1);
  }, 30_000);

  it('fibrechannel: an HBA port logged in to the fabric and one whose link is down; counters the HBA does not keep left out', async () => {
    const { theirs, ours } = await scrapeBoth('fibrechannel', ['fibrechannel']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_fibrechannel_info')?.samples.length).toBe(2);
    expect(theirs.find((family) => family.name === 'node_fibrechannel_rx_words_total')?.samples.length).toBe(2);
    expect(theirs.some((family) => family.name === 'node_fibrechannel_dumped_frames_total' || family.name === 'node_fibrechannel_nos_total')).toBe(false);
  }, 30_000);

  it('ipvs: IPv4, IPv6, IPv4-mapped and firewall-mark services with their backends', async () => {
    const { theirs, ours } = await scrapeBoth('ipvs', ['ipvs']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_ipvs_backend_weight')?.samples.length).toBe(9);
    expect(theirs.find((family) => family.name === 'node_ipvs_incoming_bytes_total')?.samples[0]?.value).toBe(0xb38c7d2e1f40);
  }, 30_000);

  it('ipvs with fewer backend labels: backends that then look alike are summed alike', async () => {
    const { theirs, ours } = await scrapeBoth('ipvs', ['ipvs'], {
      args: ['--collector.ipvs.backend-labels=local_address,local_port,proto'],
      config: { ipvs: { backendLabels: ['local_address', 'local_port', 'proto'] } },
    });
    expect(compare(theirs, ours)).toEqual([]);
    const active = theirs.find((family) => family.name === 'node_ipvs_backend_connections_active');
    expect(active?.samples.length).toBe(5);
    expect(active?.samples.find((sample) => sample.labels.local_port === '443' && sample.labels.local_address === '10.96.0.10')?.value).toBe(5);
  }, 30_000);

  it('mdadm: arrays in every state; only the reshaping array differs (1.5.0 does not see a reshape)', async () => {
    const { theirs, ours } = await scrapeBoth('mdadm', ['mdadm']);
    // prometheus/procfs 0.17+ reads a reshape's progress (node_exporter 1.10+); 1.5.0 reports the array active and in sync.
    expect(compare(theirs, ours).sort()).toEqual([
      'node_md_blocks_synced{device="md8"}: 485024768, node_exporter 11720536064',
      'node_md_state{device="md8",state="active"}: 0, node_exporter 1',
    ]);
    expect(theirs.find((family) => family.name === 'node_md_state')?.samples.length).toBe(11 * 5);
    // node_md_raid_disks and node_md_degraded are node_exporter 1.10+'s.
    expect(ours.find((family) => family.name === 'node_md_degraded')?.samples.find((sample) => sample.labels.device === 'md1')?.value).toBe(1);
  }, 30_000);

  it('powersupplyclass: mains, two batteries and a USB-C port, one supply ignored; info labels only for the attributes a supply has', async () => {
    const { theirs, ours } = await scrapeBoth('powersupplyclass', ['powersupplyclass'], {
      args: ['--collector.powersupply.ignored-supplies=^hid-'],
      config: { powersupplyclass: { ignoredSupplies: '^hid-' } },
    });
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_power_supply_info')?.samples.map((sample) => sample.labels.power_supply).sort()).toEqual([
      'AC',
      'BAT0',
      'BAT1',
      'ucsi-source-psy-USBC000:001',
    ]);
    expect(theirs.filter((family) => family.name.startsWith('node_power_supply_')).length).toBeGreaterThan(15);
  }, 30_000);

  it('tapestats: two tape drives, their other modes skipped', async () => {
    const { theirs, ours } = await scrapeBoth('tapestats', ['tapestats']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_tape_io_time_seconds_total')?.samples.map((sample) => sample.labels.device).sort()).toEqual(['st0', 'st1']);
    expect(theirs.filter((family) => family.name.startsWith('node_tape_')).length).toBe(10);
  }, 30_000);

  it('xfs: two filesystems in a recent kernel\'s format; the system-wide file is not a device', async () => {
    const { theirs, ours } = await scrapeBoth('xfs', ['xfs']);
    expect(compare(theirs, ours)).toEqual([]);
    expect(theirs.find((family) => family.name === 'node_xfs_read_calls_total')?.samples.map((sample) => [sample.labels.device, sample.value])).toEqual([
      ['dm-3', 30112],
      ['nvme0n1p1', 4811201],
    ]);
    expect(theirs.filter((family) => family.name.startsWith('node_xfs_')).length).toBe(39);
  }, 30_000);
});
