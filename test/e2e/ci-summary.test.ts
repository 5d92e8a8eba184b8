import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('../..', import.meta.url));

/** A vitest JSON report with the given counts (and, optionally, a suite that failed to load). */
function report(passed: number, failed: number, options: { unloadedSuite?: boolean } = {}): string {
  const suites = options.unloadedSuite ? [{ status: 'failed', assertionResults: [] }] : [{ status: failed > 0 ? 'failed' : 'passed', assertionResults: [{}] }];
  return JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numPendingTests: 0, numTodoTests: 0, testResults: suites });
}

// The summary script reads the reports of the checkout it sits in, so each case runs a copy of it in
// a scratch tree shaped like the repository.
describe('the closing "N passed, N failed" line of pnpm test', () => {
  let tree: string;

  beforeEach(async () => {
    tree = await mkdtemp(join(tmpdir(), 'tessera-ci-summary-'));
    await mkdir(join(tree, 'tooling/scripts'), { recursive: true });
    await copyFile(join(repository, 'tooling/scripts/ci-summary.mjs'), join(tree, 'tooling/scripts/ci-summary.mjs'));
    for (const group of ['packages/a', 'packages/b', 'apps/host', 'test-results']) await mkdir(join(tree, group), { recursive: true });
  });

  afterEach(async () => {
    await rm(tree, { recursive: true, force: true });
  });

  async function summary(...args: string[]): Promise<string[]> {
    const { stdout } = await run(process.execPath, [join(tree, 'tooling/scripts/ci-summary.mjs'), ...args]);
    return stdout.trimEnd().split('\n');
  }

  async function writeReport(directory: string, file: string, content: string): Promise<void> {
    await mkdir(join(tree, directory, 'test-results'), { recursive: true });
    await writeFile(join(tree, directory, 'test-results', file), content);
  }

  it('sums every package report and the e2e report into the last line', async () => {
    await writeReport('packages/a', 'vitest.json', report(10, 0));
    await writeReport('apps/host', 'vitest.json', report(5, 2));
    await writeReport('.', 'e2e.json', report(7, 1));
    const lines = await summary();
    expect(lines.at(-1)).toBe('22 passed, 3 failed');
    expect(lines).toContain('apps/host/test-results/vitest.json: 5 passed, 2 failed');
  });

  it('counts a suite that failed to load as a failure', async () => {
    await writeReport('packages/a', 'vitest.json', report(3, 0, { unloadedSuite: true }));
    expect((await summary()).at(-1)).toBe('3 passed, 1 failed');
  });

  it('counts a failed step without a failing test (a build or lint error) as one failure', async () => {
    await writeReport('packages/a', 'vitest.json', report(4, 0));
    await writeReport('.', 'e2e.json', report(2, 0));
    const lines = await summary('--failed', 'packages', '--failed', 'e2e-lint');
    expect(lines.at(-1)).toBe('6 passed, 2 failed');
    expect(lines).toContain('e2e-lint: failed without a failing test (a build, lint or load error; see above)');
  });

  it('does not count a failed step twice when its reports already hold the failing tests', async () => {
    await writeReport('packages/b', 'vitest.json', report(4, 2));
    await writeReport('.', 'e2e.json', report(1, 1));
    expect((await summary('--failed', 'packages', '--failed', 'e2e')).at(-1)).toBe('5 passed, 3 failed');
  });
});
