import { join } from 'node:path';
import type { FilesystemRoots, Logger, MetricSink } from '@tessera/collector-api';
import { isMissingFile, listIfPresent, type CollectionFiles } from '../collection-files.js';
import { cpuMetrics } from '../metrics.js';
import { parseCpuList } from '../parsers/cpu-list.js';
import { stripNewline } from '../parsers/fields.js';
import { CPU_TIME_FIELDS, parseProcStat, type CpuTimes } from '../parsers/proc-stat.js';
import type { SubCollector } from '../sub-collector.js';

/** An idle counter that falls back by this many seconds or more means the CPU was replaced (hot-plug), not a glitch. */
export const IDLE_JUMP_BACK_SECONDS = 3;

const MODES: readonly [field: keyof CpuTimes, mode: string][] = [
  ['user', 'user'],
  ['nice', 'nice'],
  ['system', 'system'],
  ['idle', 'idle'],
  ['iowait', 'iowait'],
  ['irq', 'irq'],
  ['softirq', 'softirq'],
  ['steal', 'steal'],
];

/** Where a CPU sits, and whether it has thermal throttle counters. */
interface CpuTopology {
  readonly packageId: string;
  readonly coreId: string;
  readonly throttleCounters: boolean;
}

/**
 * cpu: `node_cpu_seconds_total` and `node_cpu_guest_seconds_total` from `/proc/stat`, thermal
 * throttle counters per core and package, and isolated CPUs.
 *
 * Counters are guarded the way node_exporter guards them, because the kernel's per-CPU times can
 * step back (a known iowait quirk, and CPU hot-plug): a value below the last one reported keeps
 * the last one, except that an idle drop of {@link IDLE_JUMP_BACK_SECONDS} or more resets that
 * CPU, and a CPU that leaves `/proc/stat` is forgotten, so it reappears from its new values.
 */
export class CpuCollector implements SubCollector {
  readonly name = 'cpu';
  readonly #roots: FilesystemRoots;
  readonly #guest: boolean;
  readonly #logger: Logger;
  /** The last times reported per CPU number: the counter guard's memory. */
  readonly #lastTimes = new Map<string, CpuTimes>();
  /** Topology per online CPU: static while the CPU stays online, so read once. `null`: sysfs lacks it. */
  readonly #topology = new Map<string, CpuTopology | null>();
  /** The isolated CPUs, read at the first collection: they are fixed at boot (`isolcpus=`). */
  #isolated: readonly number[] | undefined;

  constructor(options: { readonly roots: FilesystemRoots; readonly guest: boolean; readonly logger: Logger }) {
    this.#roots = options.roots;
    this.#guest = options.guest;
    this.#logger = options.logger;
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const stat = await files.readParsedKernelFile(join(this.#roots.procfs, 'stat'), parseProcStat);
    const times = this.#guard(stat.cpus);
    for (const [cpu, values] of times) {
      for (const [field, mode] of MODES) output.add(cpuMetrics.seconds, { cpu, mode }, values[field]);
      if (this.#guest) {
        // Guest time is also counted in user and nice; node_exporter exposes it separately as well.
        output.add(cpuMetrics.guestSeconds, { cpu, mode: 'user' }, values.guest);
        output.add(cpuMetrics.guestSeconds, { cpu, mode: 'nice' }, values.guestNice);
      }
    }
    const [isolated] = await Promise.all([this.#readIsolated(files), this.#collectThrottles(output, files, [...times.keys()]), this.#collectOnline(output, files)]);
    for (const cpu of isolated) output.add(cpuMetrics.isolated, { cpu: String(cpu) }, 1);
  }

  /**
   * `node_cpu_online` for every CPU sysfs lists, online or not (node_exporter 1.7+), unless the
   * first one has no `online` file: then the kernel does not let CPUs go offline (x86 keeps cpu0),
   * and nothing is reported, as in node_exporter.
   */
  async #collectOnline(output: MetricSink, files: CollectionFiles): Promise<void> {
    const directory = join(this.#roots.sysfs, 'devices/system/cpu');
    const cpus = ((await listIfPresent(files, directory)) ?? []).filter((name) => /^cpu[0-9]/.test(name));
    const states = await Promise.all(cpus.map((cpu) => files.readOptionalKernelFile(join(directory, cpu, 'online')).catch(() => '')));
    if (states[0] === undefined) return;
    for (const [index, cpu] of cpus.entries()) output.add(cpuMetrics.online, { cpu: cpu.slice(3) }, states[index]?.trim() === '1' ? 1 : 0);
  }

  /** Applies the counter guard to fresh times and returns what to report. */
  #guard(current: ReadonlyMap<string, CpuTimes>): Map<string, CpuTimes> {
    for (const [cpu, fresh] of current) {
      let last = this.#lastTimes.get(cpu);
      if (last !== undefined && last.idle - fresh.idle >= IDLE_JUMP_BACK_SECONDS) {
        this.#logger.debug({ cpu, previous: last.idle, current: fresh.idle }, 'CPU idle counter jumped back, assuming a hot-plug and resetting the CPU');
        last = undefined;
      }
      if (last === undefined) {
        this.#lastTimes.set(cpu, { ...fresh });
        continue;
      }
      for (const field of CPU_TIME_FIELDS) {
        if (fresh[field] >= last[field]) last[field] = fresh[field];
        else this.#logger.debug({ cpu, field, previous: last[field], current: fresh[field] }, 'CPU counter jumped back, keeping the previous value');
      }
    }
    for (const cpu of this.#lastTimes.keys()) {
      if (!current.has(cpu)) {
        this.#lastTimes.delete(cpu);
        this.#topology.delete(cpu);
      }
    }
    return this.#lastTimes;
  }

  async #readIsolated(files: CollectionFiles): Promise<readonly number[]> {
    if (this.#isolated !== undefined) return this.#isolated;
    try {
      this.#isolated = parseCpuList(await files.readKernelFile(join(this.#roots.sysfs, 'devices/system/cpu/isolated')));
    } catch (error) {
      if (files.signal.aborted) throw error;
      if (!isMissingFile(error)) this.#logger.warn({ error: (error as Error).message }, 'cannot read the isolated CPU list; node_cpu_isolated is not reported');
      this.#isolated = [];
    }
    return this.#isolated;
  }

  /**
   * Thermal throttle counters: one per (package, core) and one per package, read from the first
   * online CPU of each, as node_exporter does. CPUs without topology or counters are skipped.
   */
  async #collectThrottles(output: MetricSink, files: CollectionFiles, cpus: readonly string[]): Promise<void> {
    const topologies = await Promise.all(cpus.map((cpu) => this.#readTopology(files, cpu)));
    const cores = new Map<string, string>();
    const packages = new Map<string, string>();
    for (const [index, topology] of topologies.entries()) {
      if (topology === null || !topology.throttleCounters) continue;
      const cpu = cpus[index] ?? '';
      const core = `${topology.packageId}\u0000${topology.coreId}`;
      if (!cores.has(core)) cores.set(core, cpu);
      if (!packages.has(topology.packageId)) packages.set(topology.packageId, cpu);
    }
    const readCount = async (cpu: string, file: string): Promise<number | undefined> => {
      const text = await readUnsigned(files, join(this.#roots.sysfs, 'devices/system/cpu', `cpu${cpu}`, 'thermal_throttle', file));
      return text === undefined ? undefined : Number(text);
    };
    await Promise.all([
      ...[...cores].map(async ([core, cpu]) => {
        const count = await readCount(cpu, 'core_throttle_count');
        const [packageId = '', coreId = ''] = core.split('\u0000');
        if (count !== undefined) output.add(cpuMetrics.coreThrottles, { core: coreId, package: packageId }, count);
      }),
      ...[...packages].map(async ([packageId, cpu]) => {
        const count = await readCount(cpu, 'package_throttle_count');
        if (count !== undefined) output.add(cpuMetrics.packageThrottles, { package: packageId }, count);
      }),
    ]);
  }

  async #readTopology(files: CollectionFiles, cpu: string): Promise<CpuTopology | null> {
    const known = this.#topology.get(cpu);
    if (known !== undefined) return known;
    const directory = join(this.#roots.sysfs, 'devices/system/cpu', `cpu${cpu}`);
    const [packageId, coreId, coreThrottles] = await Promise.all([
      readUnsigned(files, join(directory, 'topology/physical_package_id')),
      readUnsigned(files, join(directory, 'topology/core_id')),
      readUnsigned(files, join(directory, 'thermal_throttle/core_throttle_count')),
    ]);
    const topology = packageId === undefined || coreId === undefined ? null : { packageId, coreId, throttleCounters: coreThrottles !== undefined };
    this.#topology.set(cpu, topology);
    return topology;
  }
}

/**
 * Reads a sysfs file holding one unsigned integer and returns it in canonical decimal form, or
 * `undefined` when the file is missing or holds something else (a package id of -1 on some
 * platforms): node_exporter skips such CPUs rather than failing.
 */
async function readUnsigned(files: CollectionFiles, path: string): Promise<string | undefined> {
  let text: string;
  try {
    text = stripNewline(await files.readKernelFile(path)).trim();
  } catch (error) {
    if (files.signal.aborted) throw error;
    return undefined;
  }
  return /^\d+$/.test(text) ? String(Number(text)) : undefined;
}
