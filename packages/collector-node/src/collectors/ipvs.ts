import { join } from 'node:path';
import type { FilesystemRoots, MetricFamily, MetricSink } from '@tessera/collector-api';
import { readOrNoData, type CollectionFiles } from '../collection-files.js';
import type { IpvsBackendLabel } from '../config.js';
import { ipvsBackendFamilies, ipvsMetrics, type IpvsBackendFamilies } from '../metrics.js';
import { NO_LABELS } from '../no-labels.js';
import { parseIpvsBackends, parseIpvsStats, type IpvsBackend } from '../parsers/ipvs.js';
import type { SubCollector } from '../sub-collector.js';

/** Each backend label's value. */
const LABEL_VALUES: Readonly<Record<IpvsBackendLabel, (backend: IpvsBackend) => string>> = {
  local_address: (backend) => backend.localAddress,
  local_port: (backend) => String(backend.localPort),
  remote_address: (backend) => backend.remoteAddress,
  remote_port: (backend) => String(backend.remotePort),
  proto: (backend) => backend.proto,
  local_mark: (backend) => backend.localMark,
};

/** The sums of the backends that share one set of label values. */
interface BackendSums {
  readonly labels: Record<string, string>;
  active: number;
  inactive: number;
  weight: number;
}

/**
 * ipvs: the Linux IP Virtual Server (the kernel load balancer behind kube-proxy's IPVS mode and
 * keepalived): its totals from `<procfs>/net/ip_vs_stats`, and per real server its active and
 * inactive connections and weight from `<procfs>/net/ip_vs`. `backendLabels` chooses the labels
 * of the per-backend series; backends that then look alike are summed, as node_exporter's
 * `--collector.ipvs.backend-labels` does. Without the ip_vs module there is no data.
 */
export class IpvsCollector implements SubCollector {
  readonly name = 'ipvs';
  readonly #directory: string;
  readonly #labelNames: readonly IpvsBackendLabel[];
  readonly #families: IpvsBackendFamilies;
  /** True when the backend families were declared up front (see {@link discoverFamilies}). */
  #declaredUpFront = false;

  constructor(options: { readonly roots: FilesystemRoots; readonly backendLabels: readonly IpvsBackendLabel[] }) {
    this.#directory = join(options.roots.procfs, 'net');
    this.#labelNames = options.backendLabels;
    this.#families = ipvsBackendFamilies(options.backendLabels);
  }

  /** The per-backend families, whose labels come from the config: declared once, at creation. */
  discoverFamilies(): Promise<MetricFamily[]> {
    this.#declaredUpFront = true;
    return Promise.resolve(this.#familyList());
  }

  #familyList(): MetricFamily[] {
    return [this.#families.active, this.#families.inactive, this.#families.weight];
  }

  async collect(output: MetricSink, files: CollectionFiles): Promise<void> {
    const statsPath = join(this.#directory, 'ip_vs_stats');
    const stats = parseIpvsStats(await readOrNoData(files, statsPath, 'the ip_vs module is not loaded'), statsPath);
    output.add(ipvsMetrics.connections, NO_LABELS, stats.connections);
    output.add(ipvsMetrics.incomingPackets, NO_LABELS, stats.incomingPackets);
    output.add(ipvsMetrics.outgoingPackets, NO_LABELS, stats.outgoingPackets);
    output.add(ipvsMetrics.incomingBytes, NO_LABELS, stats.incomingBytes);
    output.add(ipvsMetrics.outgoingBytes, NO_LABELS, stats.outgoingBytes);
    const backendsPath = join(this.#directory, 'ip_vs');
    const sums = new Map<string, BackendSums>();
    for (const backend of parseIpvsBackends(await files.readKernelFile(backendsPath), backendsPath)) {
      const labels = Object.fromEntries(this.#labelNames.map((label) => [label, LABEL_VALUES[label](backend)]));
      const key = JSON.stringify(this.#labelNames.map((label) => labels[label]));
      let sum = sums.get(key);
      if (sum === undefined) sums.set(key, (sum = { labels, active: 0, inactive: 0, weight: 0 }));
      sum.active += backend.activeConnections;
      sum.inactive += backend.inactiveConnections;
      sum.weight += backend.weight;
    }
    if (!this.#declaredUpFront) for (const family of this.#familyList()) output.declare(family);
    for (const { labels, active, inactive, weight } of sums.values()) {
      output.add(this.#families.active, labels, active);
      output.add(this.#families.inactive, labels, inactive);
      output.add(this.#families.weight, labels, weight);
    }
  }
}
