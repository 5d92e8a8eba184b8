/**
 * Compiles a node_exporter-style pattern (Go RE2 syntax as written on its command line) into a
 * JavaScript RegExp. The two dialects agree on everything node_exporter's defaults and usual user
 * patterns contain; the one construct people paste from Go that JavaScript (Node 20) lacks is a
 * leading `(?i)`, which becomes the `i` flag. Like Go's `MatchString`, the pattern is not anchored:
 * write `^…$` to match whole names. Throws `SyntaxError` for an invalid pattern.
 */
export function compilePattern(pattern: string): RegExp {
  if (pattern.startsWith('(?i)')) return new RegExp(pattern.slice(4), 'i');
  return new RegExp(pattern);
}

/**
 * node_exporter's include/exclude device filter: with an include pattern only matching names pass;
 * otherwise names matching the exclude pattern are dropped. At most one of the two is set (the
 * config schema refuses both).
 */
export class NameFilter {
  readonly #exclude: RegExp | undefined;
  readonly #include: RegExp | undefined;

  constructor(patterns: { readonly exclude?: string | undefined; readonly include?: string | undefined }) {
    this.#exclude = patterns.exclude === undefined || patterns.exclude === '' ? undefined : compilePattern(patterns.exclude);
    this.#include = patterns.include === undefined || patterns.include === '' ? undefined : compilePattern(patterns.include);
  }

  /** True when `name` is filtered out. */
  ignores(name: string): boolean {
    if (this.#include !== undefined) return !this.#include.test(name);
    return this.#exclude !== undefined && this.#exclude.test(name);
  }
}
