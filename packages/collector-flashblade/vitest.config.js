// Plain JavaScript so that it stays outside the type-aware lint (which covers src and test).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: these tests run real servers and processes on a shared 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
