import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isGoldenUpdateRequested, listGoldenCases } from '@tessera/collector-testkit';
import { describe, expect, it } from 'vitest';
import { captureCase } from './support/capture-fixtures.js';

const casesDir = fileURLToPath(new URL('cases', import.meta.url));
const captured = listGoldenCases(casesDir).filter((caseDir) => existsSync(join(caseDir, 'capture.json')));

/*
 * The golden cases' HTTP fixtures are recordings of the simulator: this test records each again and
 * requires the committed input/http.yaml to be that recording, so a fixture never drifts from what
 * the simulator (and so the REST API as the collector reads it) answers. With
 * TESSERA_UPDATE_GOLDEN=1 it writes them; run it before the conformance test's goldens.
 */
describe('golden fixtures are simulator recordings', () => {
  it('has recorded cases', () => {
    expect(captured.length).toBeGreaterThan(0);
  });

  it.each(captured.map((caseDir) => [caseDir.slice(casesDir.length + 1), caseDir] as const))('%s', async (_name, caseDir) => {
    const file = join(caseDir, 'input', 'http.yaml');
    const recording = await captureCase(caseDir);
    if (isGoldenUpdateRequested()) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, recording);
      return;
    }
    expect(existsSync(file), `${file} is missing: run TESSERA_UPDATE_GOLDEN=1 pnpm exec vitest run test/captures.test.ts`).toBe(true);
    expect(await readFile(file, 'utf8'), 'the fixture differs from a fresh recording: rerun with TESSERA_UPDATE_GOLDEN=1 and review the diff').toBe(recording);
  });
});
