import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Simulated GPUs are built with gcc on first use, and the host boots in-process: allow for a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
