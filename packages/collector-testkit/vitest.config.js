// Plain JavaScript so that it stays outside the type-aware lint (which covers src and test).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Only the kit's own tests: test/vitest-binding.test.ts writes a throwaway suite under .tmp/.
    include: ['test/**/*.test.ts'],
    // Several tests boot the real host or run promtool: CI runs every package's tests at once on two cores.
    testTimeout: 20_000,
  },
});
