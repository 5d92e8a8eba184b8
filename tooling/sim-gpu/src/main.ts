/**
 * `pnpm --silent sim gpu [--gpus N] [--mig] [--scenario FILE]`: starts a simulated GPU node, prints
 * one JSON line (library and nvidia-smi paths, pod-resources socket, and `config`: the
 * `collectors.dcgm` entry that reaches them) and runs until SIGTERM or SIGINT.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startGpuSimulator } from './index.js';
import type { GpuScenario } from './scenario.js';

const usage = 'usage: pnpm --silent sim gpu [--gpus N] [--mig] [--scenario FILE.json] [--no-pod-resources]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      gpus: { type: 'string' },
      mig: { type: 'boolean', default: false },
      scenario: { type: 'string' },
      'no-pod-resources': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const gpus = values.gpus === undefined ? 1 : Number(values.gpus);
  if (!Number.isInteger(gpus) || gpus < 0 || gpus > 64) throw new Error(`--gpus must be a whole number from 0 to 64, got ${values.gpus}`);
  const scenario = values.scenario === undefined ? undefined : (JSON.parse(await readFile(values.scenario, 'utf8')) as GpuScenario);
  const simulator = await startGpuSimulator({ gpus, mig: values.mig, podResources: !values['no-pod-resources'], ...(scenario === undefined ? {} : { scenario }) });
  process.stdout.write(
    `${JSON.stringify({
      libraryPath: simulator.libraryPath,
      nvidiaSmiPath: simulator.nvidiaSmiPath,
      podResourcesSocket: simulator.podResourcesSocket ?? null,
      scenarioPath: `${simulator.directory}/scenario.txt`,
      gpus: simulator.scenario.gpus.length,
      config: simulator.config,
    })}\n`,
  );
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(`sim gpu: ${error instanceof Error ? error.message : String(error)}\n${usage}`);
  process.exit(2);
});
