// Plain JavaScript so that it stays outside the type-aware lint (which covers src and test).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests that start the real bin or a Debian peer take seconds when CI runs every package's tests
    // at once on two cores; a hang still fails, just not a slow start.
    testTimeout: 20_000,
  },
});
