import { requireBinary } from '@tessera/test-support';
import { describe, expect, it } from 'vitest';
import { checkWithPromtool } from '../src/index.js';

// The real promtool from the Debian prometheus package (CI installs it; no skipping).
const binary = requireBinary('promtool');
const lintable = ['# HELP demo_ok_total Fine.', '# TYPE demo_ok_total counter', 'demo_ok_total 1', '# HELP demo_fooBar_ms Bad.', '# TYPE demo_fooBar_ms gauge', 'demo_fooBar_ms 1', ''].join('\n');

describe('checkWithPromtool', () => {
  it('returns nothing for clean text', async () => {
    expect(await checkWithPromtool('# HELP demo_ok_total Fine.\n# TYPE demo_ok_total counter\ndemo_ok_total 1\n', { binary })).toEqual([]);
  });

  it("returns promtool's findings", async () => {
    expect(await checkWithPromtool(lintable, { binary })).toEqual([
      "demo_fooBar_ms metric names should be written in 'snake_case' not 'camelCase'",
      'demo_fooBar_ms metric names should not contain abbreviated units',
    ]);
  });

  it('drops findings covered by allow: a name exactly, or a RegExp on the finding line', async () => {
    expect(await checkWithPromtool(lintable, { binary, allow: ['demo_fooBar_ms'] })).toEqual([]);
    expect(await checkWithPromtool(lintable, { binary, allow: [/camelCase/] })).toEqual(['demo_fooBar_ms metric names should not contain abbreviated units']);
  });

  it('reports a parse error, which no allow entry hides', async () => {
    const problems = await checkWithPromtool('demo{x="1" 1\n', { binary, allow: [/.*/] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^promtool check metrics exited with 1: error while linting: text format parsing error in line 1/);
  });

  it('rejects when the binary cannot be started', async () => {
    await expect(checkWithPromtool('a 1\n', { binary: '/nonexistent/promtool' })).rejects.toThrow('cannot run /nonexistent/promtool check metrics');
  });
});
