import { NoDataError, type CollectorContext } from '@tessera/collector-api';
import type { DcgmCollectorConfig } from './config.js';
import type { DeviceValue, GpuReader } from './gpu-sample.js';
import { NvidiaSmiReader } from './nvidia-smi/nvidia-smi-reader.js';
import { NvmlLibrary, NvmlLoadError } from './nvml/nvml-library.js';
import { NvmlReader } from './nvml/nvml-reader.js';

/**
 * Opens the configured reader. `auto` prefers NVML (every field, MIG instances, XID, profiling)
 * and falls back to nvidia-smi when the library cannot be loaded; it says in one info line which
 * it chose and why. Loading the library is a dlopen: done here, at the first sample, not in create().
 */
export function openReader(config: DcgmCollectorConfig, context: CollectorContext, wanted: ReadonlySet<DeviceValue>): GpuReader {
  const { logger, clock } = context;
  const smi = (): NvidiaSmiReader => new NvidiaSmiReader({ path: config.nvidiaSmi.path, logger, now: () => clock.now() });
  if (config.backend === 'nvidia-smi') {
    logger.info({ backend: 'nvidia-smi', path: config.nvidiaSmi.path }, `reading GPUs with ${config.nvidiaSmi.path} (backend: nvidia-smi)`);
    return smi();
  }
  try {
    const library = NvmlLibrary.load(config.nvml.libraryPath, () => clock.monotonic());
    logger.info({ backend: 'nvml', library: config.nvml.libraryPath }, `reading GPUs through NVML (${config.nvml.libraryPath} loaded; backend: ${config.backend})`);
    return new NvmlReader(library, { monotonic: () => clock.monotonic(), now: () => clock.now(), wanted });
  } catch (error) {
    if (!(error instanceof NvmlLoadError)) throw error;
    // No library means no NVIDIA driver here: a node without GPUs, not a broken exporter.
    if (config.backend === 'nvml') throw new NoDataError(`NVML is not available: ${error.message}`, { cause: error });
    logger.info({ backend: 'nvidia-smi', reason: error.message }, `reading GPUs with ${config.nvidiaSmi.path}: NVML is not available (${error.message})`);
    return smi();
  }
}
