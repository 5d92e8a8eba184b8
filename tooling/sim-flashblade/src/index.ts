/**
 * @tessera/sim-flashblade — a Pure Storage FlashBlade REST 2.x simulator on loopback for tests,
 * benchmarks and the demo. Start one with {@link startFlashBladeSimulator}, or from the shell with
 * `pnpm --silent sim flashblade`.
 */
export type { FlashBladeFault } from './faults.js';
export { startFlashBladeSimulator, type FlashBladeSimulator, type FlashBladeSimulatorOptions, type RecordedExchange, type SimulatorCollectorConfig } from './simulator.js';
export { SimulatorStats, type CallCounts } from './stats.js';
