// Sums the vitest JSON reports of every package and the e2e suite into the one closing line CI
// reads: "N passed, N failed". Run after the tests, whatever their outcome.
//
// `--failed <step>` (repeatable) names a step of the run that exited non-zero: `packages` (turbo's
// build, lint and test), `e2e` (the cross-package suite) or any other step that writes no report
// (e.g. `e2e-lint`). A failed step whose reports hold no failed test (a build or lint error, a suite
// that never started) counts as one failure, so the line never says "0 failed" for a failed run.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('../..', import.meta.url).pathname;
const { values } = parseArgs({ options: { failed: { type: 'string', multiple: true, default: [] } } });

const reports = [];
for (const group of ['packages', 'apps', 'tooling', '.']) {
  const base = join(root, group);
  const candidates = group === '.' ? ['.'] : readdirSync(base).filter((name) => statSync(join(base, name)).isDirectory());
  for (const name of candidates) {
    const directory = join(base, name, 'test-results');
    let files = [];
    try {
      files = readdirSync(directory).filter((file) => file.endsWith('.json'));
    } catch {
      continue;
    }
    // The root's reports are the e2e suite's; every other one belongs to a package.
    for (const file of files) reports.push({ path: join(directory, file), step: group === '.' ? 'e2e' : 'packages' });
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failedByStep = new Map();
for (const report of reports) {
  const result = JSON.parse(readFileSync(report.path, 'utf8'));
  // A suite that failed to load counts as a failure even when it registered no tests.
  const unloaded = result.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  passed += result.numPassedTests;
  failed += result.numFailedTests + unloaded;
  skipped += result.numPendingTests + result.numTodoTests;
  failedByStep.set(report.step, (failedByStep.get(report.step) ?? 0) + result.numFailedTests + unloaded);
  console.log(`${report.path.slice(root.length)}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
}
for (const step of values.failed) {
  if ((failedByStep.get(step) ?? 0) > 0) continue;
  failed += 1;
  console.log(`${step}: failed without a failing test (a build, lint or load error; see above)`);
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
