import { describe, expect, it } from 'vitest';
import { diffLines } from '../src/index.js';

describe('diffLines', () => {
  it('is empty for equal texts', () => {
    expect(diffLines('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('shows changed lines with two lines of context and the expected line number', () => {
    const expected = ['h1', 'h2', 'h3', 'h4', 'x 1', 't1', 't2', 't3', ''].join('\n');
    const actual = ['h1', 'h2', 'h3', 'h4', 'x 2', 't1', 't2', 't3', ''].join('\n');
    expect(diffLines(expected, actual)).toBe(['@@ line 3 @@', '  h3', '  h4', '- x 1', '+ x 2', '  t1', '  t2'].join('\n'));
  });

  it('aligns insertions and deletions instead of reporting everything after them as changed', () => {
    const expected = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n');
    const actual = ['a', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'new', 'j'].join('\n');
    expect(diffLines(expected, actual)).toBe(['@@ line 1 @@', '  a', '- b', '  c', '  d', '@@ line 8 @@', '  h', '  i', '+ new', '  j'].join('\n'));
  });

  it('cuts a very long diff and says how much is hidden', () => {
    const expected = Array.from({ length: 200 }, (_, index) => `line ${index}`).join('\n');
    const actual = Array.from({ length: 200 }, (_, index) => `changed ${index}`).join('\n');
    const diff = diffLines(expected, actual).split('\n');
    expect(diff).toHaveLength(81);
    expect(diff.at(-1)).toMatch(/^… \d+ more diff lines$/);
  });
});
