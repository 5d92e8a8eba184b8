// Plain JavaScript so that it stays outside the type-aware lint (which covers src, test and examples).
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { defineConfig } from 'vitest/config';

/**
 * Vite's TypeScript transform leaves TC39 decorators in the code and Node 20 cannot run them, so files
 * that use a decorator are lowered by TypeScript itself, exactly as `tsc` does for the published build.
 */
const lowerDecorators = {
  name: 'tessera-lower-decorators',
  enforce: 'pre',
  transform(code, id) {
    if (!id.endsWith('.ts') || id.includes('/node_modules/') || !/^\s*@[\w.]+\(/m.test(code)) return null;
    const output = ts.transpileModule(code, {
      fileName: id,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true },
    });
    return { code: output.outputText, map: output.sourceMapText };
  },
};

export default defineConfig({
  plugins: [lowerDecorators],
  resolve: {
    // The examples import the package by name, as users do; the tests run them against the source.
    alias: { '@tessera/push': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Many tests start the CLI several times; under two CI runs at once on two cores one took 9 s.
    // A hang still fails.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
