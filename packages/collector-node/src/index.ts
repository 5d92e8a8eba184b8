/**
 * @tessera/collector-node — node_exporter-compatible host statistics for Tessera. The default export
 * is the collector plugin; the host loads it for `collectors: { node: … }`.
 */
import { nodeCollectorPlugin } from './plugin.js';

export default nodeCollectorPlugin;
export type { NodeCollectorConfig, NodeCollectorConfigInput, SubCollectorName } from './config.js';
