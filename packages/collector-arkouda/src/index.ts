/**
 * @tessera/collector-arkouda — Arkouda servers for Tessera, compatible with Arkouda's Prometheus
 * exporter. The default export is the collector plugin; the host loads it for `collectors: { arkouda: … }`.
 */
import { arkoudaCollectorPlugin } from './plugin.js';

export default arkoudaCollectorPlugin;
export { ArkoudaClient, type ArkoudaClientOptions } from './arkouda-client.js';
export type { ArkoudaCollectorConfig, ArkoudaCollectorConfigInput } from './config.js';
export { ArkoudaError, FAILURE_REASONS, type FailureReason } from './errors.js';
export { render, renderHealth, type PollHealth } from './render.js';
export type { ArkoudaSnapshot, ServerMetrics } from './snapshot.js';
