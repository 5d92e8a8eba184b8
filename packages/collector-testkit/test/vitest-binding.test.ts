import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// Runs describeCollector in a child vitest, as an author's `pnpm test` would, to see the suite
// fail on a stale golden and `vitest -u` rewrite it.
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const fixture = join(packageRoot, 'test/fixtures/example-collector');
await mkdir(join(packageRoot, '.tmp'), { recursive: true });
const work = await mkdtemp(join(packageRoot, '.tmp', 'binding-'));
const dynamic = await mkdtemp(join(packageRoot, '.tmp', 'binding-dynamic-'));
afterAll(() => Promise.all([work, dynamic].map((directory) => rm(directory, { recursive: true, force: true }))));

async function runVitest(...extra: string[]): Promise<{ exitCode: number; output: string }> {
  return runVitestIn(work, ...extra);
}

async function runVitestIn(root: string, ...extra: string[]): Promise<{ exitCode: number; output: string }> {
  const environment = { ...process.env };
  delete environment.TESSERA_UPDATE_GOLDEN;
  const child = spawn(process.execPath, [join(packageRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--root', root, '--reporter=dot', ...extra], {
    cwd: root,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exitCode = await new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? -1)));
  return { exitCode, output };
}

describe('describeCollector under vitest', () => {
  it('fails on a stale golden, and vitest -u rewrites it', { timeout: 120_000 }, async () => {
    // No TypeScript in the throwaway package: eslint, which may run meanwhile, would find it.
    for (const file of ['package.json', 'README.md', 'sample.config.yaml']) await cp(join(fixture, file), join(work, file));
    await cp(join(fixture, 'cases/basic'), join(work, 'cases/basic'), { recursive: true });
    const golden = join(work, 'cases/basic/expected.prom');
    const committed = await readFile(golden, 'utf8');
    await writeFile(golden, committed.replace('example_load5 0.58', 'example_load5 0.6'));
    await writeFile(
      join(work, 'conformance.test.js'),
      [
        `import { describeCollector } from '${join(packageRoot, 'src/vitest.js')}';`,
        `import plugin from '${join(fixture, 'example-collector.js')}';`,
        "describeCollector(plugin, { packageDir: new URL('.', import.meta.url), casesDir: 'cases' });",
        '',
      ].join('\n'),
    );

    // Its own config, so the child does not pick up this package's (which includes only test/).
    await writeFile(join(work, 'vitest.config.js'), 'export default {};\n');

    const stale = await runVitest();
    expect(stale.exitCode, stale.output).toBe(1);
    expect(stale.output).toContain('- example_load5 0.6');
    expect(stale.output).toContain('+ example_load5 0.58');

    const updated = await runVitest('-u');
    expect(updated.exitCode, updated.output).toBe(0);
    expect(await readFile(golden, 'utf8')).toBe(committed);
  });

  it('lints the families a collector declares during the smoke collection', { timeout: 120_000 }, async () => {
    for (const file of ['package.json', 'README.md', 'sample.config.yaml']) await cp(join(fixture, file), join(dynamic, file));
    // The example collector, passing through one family it learns from its source: a name in milliseconds.
    await writeFile(
      join(dynamic, 'conformance.test.js'),
      [
        `import { describeCollector } from '${join(packageRoot, 'src/vitest.js')}';`,
        `import example from '${join(fixture, 'example-collector.js')}';`,
        "const learned = { name: 'example_fetch_ms', type: 'gauge', help: 'Learned from the source.', labelNames: [] };",
        'const plugin = {',
        '  ...example,',
        '  async create(config, context) {',
        '    const inner = await example.create(config, context);',
        '    return { ...inner, async collect(sink, signal) { await inner.collect(sink, signal); sink.declare(learned); sink.add(learned, {}, 12); } };',
        '  },',
        '};',
        "describeCollector(plugin, { packageDir: new URL('.', import.meta.url), casesDir: 'cases' });",
        '',
      ].join('\n'),
    );
    await writeFile(join(dynamic, 'vitest.config.js'), 'export default {};\n');
    const run = await runVitestIn(dynamic, '-t', 'smoke collection');
    expect(run.exitCode, run.output).toBe(1);
    expect(run.output).toContain('example_fetch_ms: use base unit "seconds" instead of "ms"');
  });
});
