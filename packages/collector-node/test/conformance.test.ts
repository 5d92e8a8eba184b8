import { fileURLToPath } from 'node:url';
import { describeCollector } from '@tessera/collector-testkit/vitest';
import plugin from '../src/index.js';

// Golden outputs include node_time_zone_offset_seconds: pin the zone so they do not depend on the machine.
process.env.TZ = 'UTC';

/** Names kept for compatibility with node_exporter, which Prometheus' naming rules would refuse. */
const NODE_EXPORTER_NAMES = [
  // meminfo, netstat and sockstat keep the kernel's spelling of its field names
  // (node_memory_MemTotal_bytes, node_netstat_TcpExt_ListenOverflows, node_sockstat_TCP_inuse).
  /^node_memory_/,
  /^node_netstat_/,
  /^node_sockstat_/,
  // node_exporter reports the entropy pool in bits, as the kernel does.
  /^node_entropy_\w+_bits$/,
  // bcache's percentages are node_exporter's, as the kernel prints them.
  /^node_bcache_\w+_percent$/,
  // node_exporter's own self-metrics carry a `collector` label, like the host's tessera_scrape_collector_*.
  'node_scrape_collector_duration_seconds',
  'node_scrape_collector_success',
];

describeCollector(plugin, {
  packageDir: new URL('..', import.meta.url),
  // The real /proc and /sys, plus a directory with one textfile: the smoke collection then declares
  // textfile families during collection, which the kit lints, and aborts with a textfile read under way.
  smokeConfig: { textfile: { directory: fileURLToPath(new URL('fixtures/smoke-textfile', import.meta.url)) } },
  lintAllow: NODE_EXPORTER_NAMES,
  promtool: {
    allow: [/^node_(memory|netstat|sockstat)_\w+ metric names should be written in 'snake_case' not 'camelCase'$/, /^node_entropy_\w+_bits use base unit "bytes" instead of "bits"$/],
  },
});
