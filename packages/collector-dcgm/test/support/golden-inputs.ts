import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installGpuSimulator, type GpuScenario } from '@tessera/sim-gpu';

/**
 * Lays the simulated `libnvidia-ml.so.1`, `nvidia-smi` and `scenario.txt` beside every
 * `scenario.json` of the golden cases (input/ or steps/<n>/), so that a case's config can reach them
 * as `${inputDir}/libnvidia-ml.so.1`. The copies are git-ignored; each case's run copies them again
 * into its own directory, so every case loads its own library instance and reads its own scenario.
 */
export async function prepareGoldenInputs(casesDir: string): Promise<void> {
  for (const caseName of readdirSync(casesDir)) {
    const caseDir = join(casesDir, caseName);
    const stepsDir = join(caseDir, 'steps');
    const inputs = existsSync(stepsDir) ? readdirSync(stepsDir).map((step) => join(stepsDir, step)) : [join(caseDir, 'input')];
    for (const input of inputs) {
      const file = join(input, 'scenario.json');
      if (!existsSync(file)) continue;
      await installGpuSimulator(input, JSON.parse(await readFile(file, 'utf8')) as GpuScenario);
    }
  }
}
