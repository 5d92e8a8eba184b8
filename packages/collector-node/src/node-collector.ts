import { join } from 'node:path';
import { isNoDataError, type Clock, type Collector, type CollectorContext, type Logger, type MetricFamily, type MetricSink } from '@tessera/collector-api';
import { CollectionFiles } from './collection-files.js';
import { BondingCollector } from './collectors/bonding.js';
import { ConntrackCollector } from './collectors/conntrack.js';
import { CpuCollector } from './collectors/cpu.js';
import { CpufreqCollector } from './collectors/cpufreq.js';
import { DiskstatsCollector } from './collectors/diskstats.js';
import { DmiCollector } from './collectors/dmi.js';
import { EdacCollector } from './collectors/edac.js';
import { FilesystemCollector, type StatfsFunction } from './collectors/filesystem.js';
import { HwmonCollector } from './collectors/hwmon.js';
import { InfinibandCollector } from './collectors/infiniband.js';
import { LoadavgCollector } from './collectors/loadavg.js';
import { MeminfoCollector } from './collectors/meminfo.js';
import { NetdevCollector } from './collectors/netdev.js';
import { NetclassCollector } from './collectors/netclass.js';
import { NetstatCollector } from './collectors/netstat.js';
import { NfsCollector, NfsdCollector } from './collectors/nfs.js';
import { NvmeCollector } from './collectors/nvme.js';
import { PressureCollector } from './collectors/pressure.js';
import { OsReleaseCollector } from './collectors/os-release.js';
import { SchedstatCollector } from './collectors/schedstat.js';
import { SelinuxCollector } from './collectors/selinux.js';
import { ArpCollector, EntropyCollector, FilefdCollector, SoftnetCollector, UdpQueuesCollector } from './collectors/small-procfs.js';
import { SockstatCollector } from './collectors/sockstat.js';
import { RaplCollector } from './collectors/rapl.js';
import { StatCollector } from './collectors/stat.js';
import { TextfileCollector } from './collectors/textfile.js';
import { TimeCollector } from './collectors/time.js';
import { ThermalZoneCollector } from './collectors/thermal-zone.js';
import { TimexCollector } from './collectors/timex.js';
import { UnameCollector } from './collectors/uname.js';
import { VmstatCollector } from './collectors/vmstat.js';
import { ZfsCollector } from './collectors/zfs.js';
import type { NodeCollectorConfig, SubCollectorName } from './config.js';
import { NODE_METRICS, scrapeMetrics } from './metrics.js';
import { EventLoopPacer } from './pacer.js';
import { SeriesBuffer } from './series-buffer.js';
import type { SubCollector } from './sub-collector.js';

/** What tests may replace; production code passes nothing. */
export interface NodeCollectorDependencies {
  /** Replaces every statfs of the filesystem sub-collector (by default local filesystems are asked synchronously, the rest through `fs.promises.statfs`). */
  readonly statfs?: StatfsFunction;
}

/** The outcome of one sub-collector in one collection. */
interface PartResult {
  readonly name: SubCollectorName;
  /** What it emitted, or `undefined` when it failed. */
  readonly output: SeriesBuffer | undefined;
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
 * Each collection runs the enabled sub-collectors concurrently, each into a sink of its own, and
 * passes on only the output of those that succeeded, followed by node_exporter's
 * `node_scrape_collector_duration_seconds` and `node_scrape_collector_success` per sub-collector.
 * So a failing sub-collector (an unreadable `/proc/diskstats`) costs its own series only, and the
 * collection as a whole fails only when it is aborted.
 */
export class NodeCollector implements Collector {
  /** meminfo's and vmstat's families as the kernel lists them at creation (see {@link create}). */
  metrics: readonly MetricFamily[] = [];
  readonly #context: CollectorContext;
  readonly #logger: Logger;
  readonly #standard: readonly SubCollector[];
  readonly #textfile: TextfileCollector | undefined;
  readonly #filesystem: FilesystemCollector | undefined;
  /** Names of the plugin's table, which a textfile must not redefine. */
  readonly #declaredNames: ReadonlySet<string> = new Set(NODE_METRICS.map((family) => family.name));

  constructor(config: NodeCollectorConfig, context: CollectorContext, dependencies: NodeCollectorDependencies = {}) {
    this.#context = context;
    this.#logger = context.logger;
    const { roots } = context;
    const loggerFor = (name: SubCollectorName): Logger => context.logger.child({ subCollector: name });
    const enabled = new Set(config.collectors);
    const build: Record<SubCollectorName, () => SubCollector> = {
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
      textfile: () => new TextfileCollector({ ...config.textfile, logger: loggerFor('textfile'), clock: context.clock }),
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
    };
    // filesystem first: its statfs calls are asynchronous and overlap with the procfs reads of the others.
    const subCollectors = config.collectors
      .filter((name) => name !== 'textfile')
      .sort((a, b) => Number(b === 'filesystem') - Number(a === 'filesystem'))
      .map((name) => build[name]());
    this.#standard = subCollectors;
    this.#textfile = enabled.has('textfile') ? (build.textfile() as TextfileCollector) : undefined;
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
    return collector;
  }

  async collect(sink: MetricSink, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    const files = new CollectionFiles(signal);
    // The textfile starts first: its directory listing and stats go through libuv's thread pool
    // and proceed while the others read procfs; it waits for them only to merge. (`standard` is
    // assigned below before any of this callback's awaits can resume.)
    const textfile = this.#textfile;
    const textfilePart =
      textfile === undefined
        ? undefined
        : this.#run(textfile, files, async (output, stopwatch) => {
            const read = await textfile.read(files);
            stopwatch.stop();
            const others = await standard;
            stopwatch.start();
            await textfile.emit(output, read, this.#reservedNames(others), signal);
          });
    const standard = Promise.all(this.#standard.map((subCollector) => this.#run(subCollector, files, (output) => subCollector.collect(output, files))));
    // Reads on a real filesystem (a textfile on a dead NFS server) cannot all be cancelled: the
    // collection settles when its signal fires and leaves them behind, writing into buffers of their own.
    const [standardParts, ownPart] = await settleBy(signal, Promise.all([standard, textfilePart]));
    const parts = ownPart === undefined ? standardParts : [...standardParts, ownPart];
    signal.throwIfAborted();

    // A large textfile makes a long replay: it gives the event loop back now and then.
    const pacer = new EventLoopPacer(this.#context.clock, signal);
    for (const part of parts) await part.output?.replayInto(sink, pacer);
    for (const part of parts) {
      sink.add(scrapeMetrics.duration, { collector: part.name }, part.seconds);
      sink.add(scrapeMetrics.success, { collector: part.name }, part.output === undefined ? 0 : 1);
    }
  }

  /** Checks that procfs is readable: without it almost nothing works. */
  async probe(signal: AbortSignal): Promise<void> {
    await new CollectionFiles(signal).readText(join(this.#context.roots.procfs, 'stat'));
  }

  close(): void {
    this.#filesystem?.close();
  }

  /** Runs one sub-collector into a sink of its own; a failure is logged and reported, not thrown. */
  async #run(subCollector: SubCollector, files: CollectionFiles, work: (output: MetricSink, stopwatch: Stopwatch) => Promise<void>): Promise<PartResult> {
    const { name } = subCollector;
    const stopwatch = new Stopwatch(this.#context.clock);
    const output = new SeriesBuffer();
    try {
      await work(output, stopwatch);
      output.close();
      return { name, output, seconds: stopwatch.seconds };
    } catch (error) {
      output.close();
      files.signal.throwIfAborted();
      const seconds = stopwatch.seconds;
      const message = error instanceof Error ? error.message : String(error);
      if (isNoDataError(error)) this.#logger.debug({ subCollector: name, error: message }, 'sub-collector found no data');
      else this.#logger.error({ subCollector: name, durationSeconds: seconds, error: message }, 'sub-collector failed');
      return { name, output: undefined, seconds };
    }
  }

  /**
   * What a textfile must not define: the plugin's families, the dynamic ones declared at creation
   * (the kernel's meminfo and vmstat fields, in `metrics`) and those declared in this collection.
   */
  #reservedNames(parts: readonly PartResult[]): (name: string) => boolean {
    let dynamic: Set<string> | undefined;
    return (name) => {
      if (this.#declaredNames.has(name)) return true;
      dynamic ??= new Set([...this.metrics, ...parts.flatMap((part) => part.output?.declaredFamilies() ?? [])].map((family) => family.name));
      return dynamic.has(name);
    };
  }
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
