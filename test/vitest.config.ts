import { defineConfig } from 'vitest/config';

// Cross-package tests: they start real peers (Prometheus, node_exporter, Pushgateway) and the built
// `tessera` bin, so they run one file at a time to keep the 2-core machines unloaded.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
