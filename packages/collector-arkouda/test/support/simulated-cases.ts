import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isGoldenUpdateRequested } from '@tessera/collector-testkit';
import { startArkoudaSimulator, type ArkoudaSimulator, type ArkoudaSimulatorOptions } from '@tessera/sim-arkouda';
import { parse, stringify } from 'yaml';

/** Wall-clock time of the simulated servers in golden cases (2026-01-05T10:00:00Z), so their timestamps are fixed. */
export const GOLDEN_SERVER_NOW_MS = Date.UTC(2026, 0, 5, 10);

/** Golden cases laid out for the test kit, each reaching its own simulated server. */
export interface SimulatedCases {
  /** The directory to give `describeCollector` as `casesDir`. */
  readonly casesDir: string;
  /**
   * Stops the servers and removes the directory; in update mode (`TESSERA_UPDATE_GOLDEN=1`, `vitest -u`)
   * first copies the expected files written there back to the source cases.
   */
  finish(options: { readonly update: boolean }): Promise<void>;
}

const EXPECTED_FILES = ['expected.prom', 'expected.err'];

/**
 * Arkouda's metrics daemon speaks ZeroMQ, which the test kit cannot replay from files, so a case's
 * input is a live simulated server: `test/cases/<case>/simulator.json` holds its options, and the
 * case's `config.yaml` is copied with `host` and `port` pointing at it. The servers' clock is fixed
 * and their numbers seeded, so every run answers the same bytes.
 */
export async function prepareSimulatedCases(sourceDir: string): Promise<SimulatedCases> {
  const casesDir = await mkdtemp(join(tmpdir(), 'tessera-arkouda-cases-'));
  const simulators: ArkoudaSimulator[] = [];
  const names = (await readdir(sourceDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  try {
    for (const name of names) {
      const source = join(sourceDir, name);
      const target = join(casesDir, name);
      await mkdir(target);
      const options = JSON.parse(await readFile(join(source, 'simulator.json'), 'utf8')) as ArkoudaSimulatorOptions;
      const simulator = await startArkoudaSimulator({ ...options, servers: 1, clock: () => GOLDEN_SERVER_NOW_MS });
      simulators.push(simulator);
      const config = (parse(await readFile(join(source, 'config.yaml'), 'utf8')) ?? {}) as Record<string, unknown>;
      await writeFile(join(target, 'config.yaml'), stringify({ ...config, host: '127.0.0.1', port: simulator.servers[0]!.port }));
      for (const file of EXPECTED_FILES) if (existsSync(join(source, file))) await copyFile(join(source, file), join(target, file));
    }
  } catch (error) {
    for (const simulator of simulators) simulator.close();
    await rm(casesDir, { recursive: true, force: true });
    throw error;
  }
  return {
    casesDir,
    async finish({ update }) {
      for (const simulator of simulators) simulator.close();
      if (update || isGoldenUpdateRequested()) {
        for (const name of names) {
          for (const file of EXPECTED_FILES) {
            const written = join(casesDir, name, file);
            if (existsSync(written)) await copyFile(written, join(sourceDir, name, file));
            else await rm(join(sourceDir, name, file), { force: true });
          }
        }
      }
      await rm(casesDir, { recursive: true, force: true });
    },
  };
}
