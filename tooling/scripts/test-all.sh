#!/usr/bin/env bash
# Every test: build, lint and unit-test each package (turbo, cached where safe), then the
# cross-package e2e suite (linted and type-checked first) against real Prometheus, node_exporter and Pushgateway. The e2e suite
# runs even when a package failed, so one report covers everything; the exit code is the worst. The
# last line is the sum over every suite, "N passed, N failed", which CI reads.
set -uo pipefail
cd "$(dirname "$0")/../.."
export TURBO_TELEMETRY_DISABLED=1
rm -rf test-results packages/*/test-results apps/*/test-results tooling/*/test-results
pnpm exec turbo run build lint test --continue --output-logs=new-only
packages_status=$?
pnpm exec eslint test && pnpm exec tsc --noEmit -p test/tsconfig.json
e2e_lint_status=$?
pnpm exec vitest run --config test/vitest.config.ts --reporter=default --reporter=json --outputFile.json=test-results/e2e.json
e2e_status=$?
failed_steps=()
[ $packages_status -eq 0 ] || failed_steps+=(--failed packages)
[ $e2e_lint_status -eq 0 ] || failed_steps+=(--failed e2e-lint)
[ $e2e_status -eq 0 ] || failed_steps+=(--failed e2e)
echo
node tooling/scripts/ci-summary.mjs "${failed_steps[@]}"
[ $packages_status -eq 0 ] && [ $e2e_lint_status -eq 0 ] && [ $e2e_status -eq 0 ]
