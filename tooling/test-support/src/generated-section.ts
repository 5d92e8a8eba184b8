import { readFile, writeFile } from 'node:fs/promises';

/** What {@link checkGeneratedSection} found. */
export interface GeneratedSectionResult {
  /** Why the section does not match, or undefined when it does (or was just rewritten). */
  readonly problem: string | undefined;
}

/**
 * Compares the part of `file` between `<!-- <name>:start … -->` and `<!-- <name>:end -->` with
 * `expected` (a README table generated from code). With `update`, rewrites that part instead.
 */
export async function checkGeneratedSection(file: string, name: string, expected: string, update: boolean): Promise<GeneratedSectionResult> {
  const text = await readFile(file, 'utf8');
  const start = new RegExp(`<!-- ${name}:start[^\\n]*-->\\n`).exec(text);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (start === null || end === -1) return { problem: `${file} lacks the ${name} markers` };
  const startIndex = start.index + start[0].length;
  if (update) {
    await writeFile(file, `${text.slice(0, startIndex)}${expected}${text.slice(end)}`);
    return { problem: undefined };
  }
  return { problem: text.slice(startIndex, end) === expected ? undefined : `the ${name} section of ${file} is out of date: run TESSERA_UPDATE_GOLDEN=1 pnpm test` };
}
