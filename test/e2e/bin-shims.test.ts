import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repository = fileURLToPath(new URL('../..', import.meta.url));

interface PackageJson {
  version: string;
  bin: Record<string, string>;
  files: string[];
}

// The bins are committed launchers (bin/<name>.js) that hand over to dist/, so pnpm links them in a
// fresh clone before anything is built; `pnpm <name>` at the root builds first, then runs them.
describe.each([
  { directory: 'apps/exporter', bin: 'tessera' },
  { directory: 'packages/push', bin: 'tessera-push' },
])('the $bin bin', ({ directory, bin }) => {
  let scratch: string;
  let pkg: PackageJson;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'tessera-bin-'));
    pkg = JSON.parse(await readFile(join(repository, directory, 'package.json'), 'utf8')) as PackageJson;
  });

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('is the committed launcher, published with the package', () => {
    expect(pkg.bin[bin]).toBe(`./bin/${bin}.js`);
    expect(pkg.files).toContain('bin');
  });

  it('says what to run, and exits 1, when the package has not been built', async () => {
    // The launcher alone in a copy of its package, without dist/.
    const copy = join(scratch, 'unbuilt');
    await mkdir(join(copy, 'bin'), { recursive: true });
    await writeFile(join(copy, 'package.json'), JSON.stringify({ type: 'module' }));
    await copyFile(join(repository, directory, pkg.bin[bin]!), join(copy, 'bin', `${bin}.js`));
    const result = await runCommand(process.execPath, [join(copy, 'bin', `${bin}.js`), '--version']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${bin}: ${join(copy, 'dist/bin', `${bin}.js`)} does not exist`);
    expect(result.stderr).toContain(`run \`pnpm ${bin} ...\` (it builds first) or \`pnpm build\``);
  });

  it('hands its arguments over to the built program, through the link pnpm made at the root', async () => {
    const result = await runCommand(join(repository, 'node_modules/.bin', bin), ['--version']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(pkg.version);
    expect(result.code).toBe(0);
  });

  it('runs from the root with `pnpm --silent <bin>`, building first and writing nothing else to stdout', async () => {
    const result = await runCommand('pnpm', ['--silent', bin, '--version'], { cwd: repository });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([expect.stringContaining(pkg.version)]);
  });
});
