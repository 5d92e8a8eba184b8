// Sums the vitest JSON reports of every package and the e2e suite into the one closing line CI
// reads: "N passed, N failed". Run after the tests, whatever their outcome.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
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
    for (const file of files) reports.push(join(directory, file));
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of reports) {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + result.numTodoTests;
  // A suite that failed to load counts as a failure even when it registered no tests.
  failed += result.testResults.filter((suite) => suite.status === 'failed' && suite.assertionResults.length === 0).length;
  console.log(`${report.slice(root.length)}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
}
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
