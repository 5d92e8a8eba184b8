import { join } from 'node:path';
import type { Clock, Collector, CollectorContext, Logger, MetricFamily, MetricSink } from '@tessera/collector-api';
import { CollectionFiles } from './collection-files.js';
import { BcacheCollector } from './collectors/bcache.js';
import { BondingCollector } from './collectors/bonding.js';
import { BtrfsCollector } from './collectors/btrfs.js';
import { ConntrackCollector } from './collectors/conntrack.js';
import { CpuCollector } from './collectors/cpu.js';
import { CpufreqCollector } from './collectors/cpufreq.js';
import { DiskstatsCollector } from './collectors/diskstats.js';
import { DmiCollector } from './collectors/dmi.js';
import { EdacCollector } from './collectors/edac.js';
import { FibrechannelCollector } from './collectors/fibrechannel.js';
import { FilesystemCollector, type StatfsFunction } from './collectors/filesystem.js';
import { HwmonCollector } from './collectors/hwmon.js';
import { InfinibandCollector } from './collectors/infiniband.js';
import { IpvsCollector } from './collectors/ipvs.js';
import { LoadavgCollector } from './collectors/loadavg.js';
import { MdadmCollector } from './collectors/mdadm.js';
import { MeminfoCollector } from './collectors/meminfo.js';
import { NetdevCollector } from './collectors/netdev.js';
import { NetclassCollector } from './collectors/netclass.js';
import { NetstatCollector } from './collectors/netstat.js';
import { NfsCollector, NfsdCollector } from './collectors/nfs.js';
import { NvmeCollector } from './collectors/nvme.js';
import { PowerSupplyCollector } from './collectors/power-supply.js';
import { PressureCollector } from './collectors/pressure.js';
import { OsReleaseCollector } from './collectors/os-release.js';
import { SchedstatCollector } from './collectors/schedstat.js';
import { SelinuxCollector } from './collectors/selinux.js';
import { ArpCollector, EntropyCollector, FilefdCollector, SoftnetCollector, UdpQueuesCollector } from './collectors/small-procfs.js';
import { SockstatCollector } from './collectors/sockstat.js';
import { RaplCollector } from './collectors/rapl.js';
import { StatCollector } from './collectors/stat.js';
import { TapestatsCollector } from './collectors/tapestats.js';
import { TextfileCollector } from './collectors/textfile.js';
import { TimeCollector } from './collectors/time.js';
import { ThermalZoneCollector } from './collectors/thermal-zone.js';
import { TimexCollector } from './collectors/timex.js';
import { UnameCollector } from './collectors/uname.js';
import { VmstatCollector } from './collectors/vmstat.js';
import { XfsCollector } from './collectors/xfs.js';
import { ZfsCollector } from './collectors/zfs.js';
import type { NodeCollectorConfig, SubCollectorName } from './config.js';
import { NODE_METRICS, scrapeMetrics } from './metrics.js';
import type { SubCollector } from './sub-collector.js';

/** What tests may replace; production code passes nothing. */
export interface NodeCollectorDependencies {
  /** Replaces every statfs of the filesystem sub-collector (by default local filesystems are asked synchronously, the rest through `fs.promises.statfs`). */
  readonly statfs?: StatfsFunction;
}

/** The outcome of one sub-collector in one collection, for `node_scrape_collector_*`. */
interface PartResult {
  readonly name: SubCollectorName;
  readonly success: boolean;
  /** Time it spent working (see {@link Stopwatch}). */
  readonly seconds: number;
}

/** Measures the time a sub-collector spends working, leaving out time it spends waiting for others. */
class Stopwatch {
  readonly #clock: Clock;
  #elapsedMs = 0;
  #since: number | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.start();
  }

  start(): void {
    this.#since ??= this.#clock.monotonic();
  }

  stop(): void {
    if (this.#since !== undefined) this.#elapsedMs += this.#clock.monotonic() - this.#since;
    this.#since = undefined;
  }

  get seconds(): number {
    this.stop();
    return this.#elapsedMs / 1000;
  }
}

/**
 * The node collector: node_exporter's Linux collectors (see `SUB_COLLECTOR_NAMES`) behind one
 * Tessera collector.
 *
 * Each collection runs the enabled sub-collectors concurrently, each as a part of the collection
 * (`sink.part`), so the host keeps only the series of those that succeeded; then it emits
 * node_exporter's `node_scrape_collector_duration_seconds` and `node_scrape_collector_success` per
 * sub-collector. A failing sub-collector (an unreadable `/proc/diskstats`) costs its own series
 * only; the host logs it when it starts failing and reports it as a failed part. The collection as
 * a whole fails only when it is aborted.
 */
export class NodeCollector implements Collector {
  /** meminfo's and vmstat's families as the kernel lists them at creation (see {@link create}). */
  metrics: readonly MetricFamily[] = [];
  readonly #context: CollectorContext;
  readonly #standard: readonly SubCollector[];
  readonly #textfile: TextfileCollector | undefined;
  readonly #filesystem: FilesystemCollector | undefined;
  /** Names a textfile must not redefine: the plugin's table, then the kernel's meminfo and vmstat fields learnt at creation. */
  #declaredNames: ReadonlySet<string> = new Set(NODE_METRICS.map((family) => family.name));

  constructor(config: NodeCollectorConfig, context: CollectorContext, dependencies: NodeCollectorDependencies = {}) {
    this.#context = context;
    const { roots } = context;
    const loggerFor = (name: SubCollectorName): Logger => context.logger.child({ subCollector: name });
    const enabled = new Set(config.collectors);
    const build: Record<Exclude<SubCollectorName, 'textfile'>, () => SubCollector> = {
      cpu: () => new CpuCollector({ roots, guest: config.cpu.guest, logger: loggerFor('cpu') }),
      meminfo: () => new MeminfoCollector({ roots, logger: loggerFor('meminfo') }),
      loadavg: () => new LoadavgCollector({ roots }),
      diskstats: () => new DiskstatsCollector({ roots, ...config.diskstats, logger: loggerFor('diskstats') }),
      netdev: () => new NetdevCollector({ roots, ...config.netdev }),
      filesystem: () => new FilesystemCollector({ roots, ...config.filesystem, statfs: dependencies.statfs, logger: loggerFor('filesystem') }),
      uname: () => new UnameCollector({ roots }),
      time: () => new TimeCollector({ roots, clock: context.clock }),
      stat: () => new StatCollector({ roots, softirq: config.stat.softirq }),
      vmstat: () => new VmstatCollector({ roots, fields: config.vmstat.fields, logger: loggerFor('vmstat') }),
      infiniband: () => new InfinibandCollector({ roots, ...config.infiniband }),
      hwmon: () => new HwmonCollector({ roots, ...config.hwmon, logger: loggerFor('hwmon') }),
      pressure: () => new PressureCollector({ roots }),
      nfs: () => new NfsCollector({ roots }),
      nfsd: () => new NfsdCollector({ roots }),
      edac: () => new EdacCollector({ roots }),
      nvme: () => new NvmeCollector({ roots }),
      netclass: () => new NetclassCollector({ roots, ...config.netclass }),
      netstat: () => new NetstatCollector({ roots, fields: config.netstat.fields, logger: loggerFor('netstat') }),
      sockstat: () => new SockstatCollector({ roots }),
      conntrack: () => new ConntrackCollector({ roots }),
      timex: () => new TimexCollector(),
      rapl: () => new RaplCollector({ roots, ...config.rapl }),
      thermal_zone: () => new ThermalZoneCollector({ roots, logger: loggerFor('thermal_zone') }),
      cpufreq: () => new CpufreqCollector({ roots }),
      arp: () => new ArpCollector({ roots, ...config.arp }),
      entropy: () => new EntropyCollector({ roots }),
      filefd: () => new FilefdCollector({ roots }),
      os: () => new OsReleaseCollector({ roots }),
      selinux: () => new SelinuxCollector({ roots }),
      softnet: () => new SoftnetCollector({ roots }),
      udp_queues: () => new UdpQueuesCollector({ roots }),
      bonding: () => new BondingCollector({ roots }),
      zfs: () => new ZfsCollector({ roots }),
      schedstat: () => new SchedstatCollector({ roots }),
      dmi: () => new DmiCollector({ roots }),
      bcache: () => new BcacheCollector({ roots, ...config.bcache }),
      btrfs: () => new BtrfsCollector({ roots }),
      fibrechannel: () => new FibrechannelCollector({ roots }),
      ipvs: () => new IpvsCollector({ roots, ...config.ipvs }),
      mdadm: () => new MdadmCollector({ roots }),
      powersupplyclass: () => new PowerSupplyCollector({ roots, ...config.powersupplyclass }),
      tapestats: () => new TapestatsCollector({ roots, ...config.tapestats }),
      xfs: () => new XfsCollector({ roots }),
    };
    // filesystem first: its statfs calls are asynchronous and overlap with the procfs reads of the others.
    const subCollectors = config.collectors
      .filter((name) => name !== 'textfile')
      .sort((a, b) => Number(b === 'filesystem') - Number(a === 'filesystem'))
      .map((name) => build[name]());
    this.#standard = subCollectors;
    this.#textfile = enabled.has('textfile') ? new TextfileCollector({ ...config.textfile, logger: loggerFor('textfile'), clock: context.clock }) : undefined;
    this.#filesystem = subCollectors.find((subCollector): subCollector is FilesystemCollector => subCollector instanceof FilesystemCollector);
  }

  /**
   * Creates a collector and learns the kernel's field names of meminfo, vmstat and netstat, so
   * that their families are declared once in `metrics` rather than at every collection.
   */
  static async create(config: NodeCollectorConfig, context: CollectorContext, dependencies: NodeCollectorDependencies = {}): Promise<NodeCollector> {
    const collector = new NodeCollector(config, context, dependencies);
    const files = new CollectionFiles(new AbortController().signal);
    const discovered = await Promise.all(collector.#standard.map((subCollector) => subCollector.discoverFamilies?.(files) ?? Promise.resolve([])));
    collector.metrics = discovered.flat();
    collector.#declaredNames = new Set([...collector.#declaredNames, ...collector.metrics.map((family) => family.name)]);
    return collector;
  }

  async collect(sink: MetricSink, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const files = new CollectionFiles(signal);
    // Families the sub-collectors declare as they go (a meminfo field the kernel just grew): a textfile must not redefine them either.
    const declaredHere = new Set<string>();
    const run = (subCollector: Pick<SubCollector, 'name'>, work: (output: MetricSink, stopwatch: Stopwatch) => Promise<void>): Promise<PartResult> =>
      this.#run(sink, subCollector, (output, stopwatch) => work(recordingDeclarations(output, declaredHere), stopwatch));
    // The textfile starts first: its directory listing and stats go through libuv's thread pool
    // and proceed while the others read procfs; it waits for them only to merge. (`standard` is
    // assigned below before any of this callback's awaits can resume.)
    const textfile = this.#textfile;
    const textfilePart =
      textfile === undefined
        ? undefined
        : run(textfile, async (output, stopwatch) => {
            const read = await textfile.read(files);
            stopwatch.stop();
            await standard;
            stopwatch.start();
            await textfile.emit(output, read, (name) => this.#declaredNames.has(name) || declaredHere.has(name), signal);
          });
    const standard = Promise.all(this.#standard.map((subCollector) => run(subCollector, (output) => subCollector.collect(output, files))));
    // Reads on a real filesystem (a textfile on a dead NFS server) cannot all be cancelled: the
    // collection settles when its signal fires and leaves them behind, writing into parts that are over.
    const [standardParts, ownPart] = await settleBy(signal, Promise.all([standard, textfilePart]));
    const parts = ownPart === undefined ? standardParts : [...standardParts, ownPart];
    signal.throwIfAborted();
    for (const part of parts) {
      sink.add(scrapeMetrics.duration, { collector: part.name }, part.seconds);
      sink.add(scrapeMetrics.success, { collector: part.name }, part.success ? 1 : 0);
    }
  }

  /** Checks that procfs is readable: without it almost nothing works. */
  async probe(signal: AbortSignal): Promise<void> {
    await new CollectionFiles(signal).readText(join(this.#context.roots.procfs, 'stat'));
  }

  close(): void {
    this.#filesystem?.close();
  }

  /** Runs one sub-collector as a part of the collection: its series count only if it succeeds. */
  async #run(sink: MetricSink, subCollector: Pick<SubCollector, 'name'>, work: (output: MetricSink, stopwatch: Stopwatch) => Promise<void>): Promise<PartResult> {
    const { name } = subCollector;
    const stopwatch = new Stopwatch(this.#context.clock);
    const outcome = await sink.part(name, (output) => work(output, stopwatch));
    return { name, success: outcome.success, seconds: stopwatch.seconds };
  }
}

/** `sink` as it is, except that the names of the families declared through it are added to `names`. */
function recordingDeclarations(sink: MetricSink, names: Set<string>): MetricSink {
  return {
    add: (family, labels, value) => sink.add(family, labels, value),
    addHistogram: (family, labels, value) => sink.addHistogram(family, labels, value),
    addSummary: (family, labels, value) => sink.addSummary(family, labels, value),
    part: (name, work, options) => sink.part(name, work, options),
    declare(family) {
      sink.declare(family);
      names.add(family.name);
    },
  };
}

/** `work`, or a rejection with the signal's reason as soon as the signal fires, whichever comes first. */
async function settleBy<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}
