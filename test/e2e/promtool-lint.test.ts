import { promtoolCheckMetrics, startTessera, type RunningPeer } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * promtool findings tessera may have: only those node_exporter itself has for the same families
 * (node_exporter keeps the kernel's spelling of meminfo, netstat and sockstat field names, and
 * the entropy pool in bits; promtool 2.42 flags them).
 */
const FINDINGS_NODE_EXPORTER_ALSO_HAS = [
  /^node_(memory|netstat|sockstat)_[A-Za-z0-9_]+ metric names should be written in 'snake_case' not 'camelCase'$/,
  /^node_entropy_[a-z_]+_bits use base unit "bytes" instead of "bits"$/,
];

describe('promtool check metrics on a full tessera scrape', () => {
  let tessera: RunningPeer;
  let exposition: string;

  beforeAll(async () => {
    tessera = await startTessera({ config: { collectors: { node: {} } } });
    const response = await fetch(`${tessera.url}/metrics`);
    exposition = await response.text();
  });

  afterAll(async () => {
    await tessera?.stop();
  });

  it('parses, and lints clean apart from the names node_exporter carries', async () => {
    const result = await promtoolCheckMetrics(exposition);
    expect(result.exitCode === 0 || result.exitCode === 3).toBe(true);
    const unexpected = result.findings.filter((finding) => !FINDINGS_NODE_EXPORTER_ALSO_HAS.some((pattern) => pattern.test(finding)));
    expect(unexpected).toEqual([]);
  });

  it('covers the node families and the self-metrics in that scrape', () => {
    for (const family of ['node_cpu_seconds_total', 'node_memory_MemTotal_bytes', 'tessera_scrape_collector_success', 'tessera_build_info', 'process_resident_memory_bytes']) {
      expect(exposition).toContain(`# TYPE ${family} `);
    }
  });
});
