import type { MetricFamily, MetricSink } from '@tessera/collector-api';
import type { CollectionFiles } from './collection-files.js';
import type { SubCollectorName } from './config.js';

/**
 * One of node_exporter's collectors (cpu, meminfo, …) inside the node collector. Each runs
 * concurrently with the others, writes into its own sink, and succeeds or fails on its own: a
 * failure costs only its series and sets `node_scrape_collector_success{collector=<name>} 0`.
 */
export interface SubCollector {
  /** Its node_exporter name; the families it may emit are `FAMILIES_BY_SUB_COLLECTOR[name]` (metrics.ts), plus any it declares on `output`. */
  readonly name: SubCollectorName;
  /** One collection. Throws to fail this sub-collector only. */
  collect(output: MetricSink, files: CollectionFiles): Promise<void>;
  /**
   * For sub-collectors whose family names are the kernel's field names (meminfo, vmstat, netstat):
   * reads the fields once, when the collector is created, and returns their families, which are
   * then declared up front; a field that appears later is declared when it appears. Never throws
   * (the collection will report a file it cannot read).
   */
  discoverFamilies?(files: CollectionFiles): Promise<MetricFamily[]>;
}
