import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { startTessera, TESSERA_BIN, type RunningPeer } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('../..', import.meta.url));

/** `pnpm pack`s a package directory into `destination` and returns the tarball's path. */
async function pack(packageDirectory: string, destination: string): Promise<string> {
  const before = new Set(await readdir(destination));
  await run('pnpm', ['pack', '--pack-destination', destination], { cwd: packageDirectory });
  const tarball = (await readdir(destination)).find((file) => file.endsWith('.tgz') && !before.has(file));
  if (tarball === undefined) throw new Error(`pnpm pack produced no tarball in ${destination}`);
  return join(destination, tarball);
}

// An operator's project outside the workspace: the collector API and two third-party collectors
// are packed, installed with npm, and named in a tessera.yaml that lives in that project.
describe('a third-party collector installed outside the workspace', () => {
  let project: string;
  let tessera: RunningPeer | undefined;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'tessera-operator-'));
    const tarballs = join(project, 'tarballs');
    await mkdir(tarballs);
    const packed = [
      await pack(join(repository, 'packages/collector-api'), tarballs),
      await pack(join(repository, 'test/fixtures/tessera-collector-example'), tarballs),
      await pack(join(repository, 'test/fixtures/tessera-collector-future'), tarballs),
    ];
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'operator-project', private: true }));
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...packed], { cwd: project });
  });

  afterAll(async () => {
    await tessera?.stop();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('resolves the package by its short name from the config file directory and scrapes it', async () => {
    const configFile = join(project, 'tessera.yaml');
    await writeFile(configFile, 'collectors:\n  example:\n    greeting: bonjour\n');
    tessera = await startTessera({ configFile, args: ['--no-collector.node'] });
    const text = await (await fetch(`${tessera.url}/metrics`)).text();
    // The readiness check startTessera waits for ran one collection already (the collector has no probe()).
    expect(text).toContain('example_greetings_total{greeting="bonjour"} 2\n');
    expect(text).toContain('tessera_scrape_collector_success{collector="example",collector_instance="default"} 1\n');
    expect(text).toContain('tessera_collector_info{collector="example",package="tessera-collector-example",version="1.2.3"} 1\n');
    const again = await (await fetch(`${tessera.url}/metrics`)).text();
    expect(again).toContain('example_greetings_total{greeting="bonjour"} 3\n');
  });

  it('refuses a plugin built for an unsupported specificationVersion', async () => {
    const configFile = join(project, 'future.yaml');
    await writeFile(configFile, 'collectors:\n  future: {}\n');
    const outcome = await run(process.execPath, [TESSERA_BIN, 'check-config', `--config=${configFile}`]).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/tessera-collector-future/);
    expect(outcome.stderr).toMatch(/specificationVersion "v2" is not supported/);
  });
});
