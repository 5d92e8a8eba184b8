import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateWithSchema } from '@tessera/collector-api';
import { collectOnce, createTestContext } from '@tessera/collector-testkit';
import { startGpuSimulator, type GpuSimulator } from '@tessera/sim-gpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

describe('countersFile: a dcgm-exporter counters file as the field list', () => {
  let simulator: GpuSimulator;
  let configDirectory: string;
  beforeAll(async () => {
    simulator = await startGpuSimulator({ gpus: 1, podResources: false });
    configDirectory = await mkdtemp(join(tmpdir(), 'dcgm-counters-'));
    await writeFile(
      join(configDirectory, 'counters.csv'),
      [
        '# DCGM FI Field ID, Prometheus metric type, help message',
        'DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (in C).',
        'DCGM_FI_DEV_CLOCKS_EVENT_REASONS, gauge, Current clock event reasons.',
        'DCGM_EXP_XID_ERRORS_COUNT, counter, Count of XID Errors within user-specified time window.',
        'DCGM_FI_DEV_CLOCKS_EVENT_REASONS, gauge, listed twice and reported once',
        'DCGM_FI_DRIVER_VERSION, label, Driver Version',
        '',
      ].join('\n'),
    );
    await writeFile(join(configDirectory, 'broken.csv'), 'DCGM_FI_DEV_GPU_TEMP, gauge, GPU temperature (in C).\nDCGM_FI_DEV_SM_CLOCK, gauge\n');
  });
  afterAll(async () => {
    await simulator.close();
    await rm(configDirectory, { recursive: true, force: true });
  });

  it('is read relative to the config file, emits the rows tessera can read, and names the others in one warning', async () => {
    const context = createTestContext({ collector: 'dcgm', configDirectory });
    const { families } = await collectOnce(plugin, { ...simulator.config, backend: 'nvml', countersFile: 'counters.csv', hostname: 'node-a', kubernetes: { enabled: false } }, { context });
    expect(families.map((family) => family.family.name)).toEqual(['DCGM_FI_DEV_GPU_TEMP']);
    expect(families[0]?.family.labelNames).toContain('DCGM_FI_DRIVER_VERSION');
    const warnings = context.logs.filter((record) => record.level === 'warn').map((record) => record.message);
    expect(warnings).toEqual([`counters file ${join(configDirectory, 'counters.csv')}: tessera cannot read DCGM_FI_DEV_CLOCKS_EVENT_REASONS, DCGM_EXP_XID_ERRORS_COUNT; those rows are skipped`]);
  });

  it('a missing file is a ConfigError on countersFile, naming the resolved path', async () => {
    const config = await validateWithSchema(plugin.configSchema, { countersFile: 'absent.csv' });
    await expect(plugin.create(config, createTestContext({ collector: 'dcgm', configDirectory }))).rejects.toMatchObject({
      code: 'ERR_TESSERA_CONFIG',
      path: ['countersFile'],
      message: expect.stringContaining(`cannot read the counters file ${join(configDirectory, 'absent.csv')}`) as unknown,
    });
  });

  it('a malformed row is a ConfigError naming the line', async () => {
    const config = await validateWithSchema(plugin.configSchema, { countersFile: 'broken.csv' });
    await expect(plugin.create(config, createTestContext({ collector: 'dcgm', configDirectory }))).rejects.toMatchObject({
      code: 'ERR_TESSERA_CONFIG',
      path: ['countersFile'],
      message: expect.stringMatching(/broken\.csv: line 2: expected 3 cells \(field name, type, help\), found 2/) as unknown,
    });
  });
});
