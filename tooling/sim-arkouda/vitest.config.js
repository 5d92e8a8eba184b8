// Plain JavaScript so that it stays outside the type-aware lint (which covers src and test).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: these tests wait on real sockets on a shared 2-core machine.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
