/**
 * @tessera/collector-flashblade — Pure Storage FlashBlade arrays for Tessera, compatible with
 * pure-fb-openmetrics-exporter. The default export is the collector plugin; the host loads it for
 * `collectors: { flashblade: … }`.
 */
import { flashBladeCollectorPlugin } from './plugin.js';

export default flashBladeCollectorPlugin;
export { FlashBladeConnectionError, FlashBladeError, FlashBladeHttpError, FlashBladeLoginError, FlashBladeResponseError, FlashBladeTimeoutError } from './client/errors.js';
export { FlashBladeClient, type FlashBladeClientOptions } from './client/flashblade-client.js';
export type { FlashBladeCollectorConfig, FlashBladeCollectorConfigInput } from './config.js';
export { GROUP_NAMES, type GroupName } from './parts.js';
