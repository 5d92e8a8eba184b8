/** Lines of unchanged context shown around each change. */
const CONTEXT_LINES = 2;
/** Beyond this many changed lines per side, the diff lists changes without aligning them (LCS is quadratic). */
const MAX_ALIGNED_LINES = 4000;
/** A diff longer than this is cut, with a note: the first differences are what a reader needs. */
const MAX_OUTPUT_LINES = 80;

/**
 * A line diff for humans: `-` lines only in `expected`, `+` lines only in `actual`, a little
 * context, `@@ line N @@` headers with the expected file's line numbers. Empty when equal.
 */
export function diffLines(expected: string, actual: string): string {
  if (expected === actual) return '';
  const left = expected.split('\n');
  const right = actual.split('\n');
  let prefix = 0;
  while (prefix < left.length && prefix < right.length && left[prefix] === right[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < left.length - prefix &&
    suffix < right.length - prefix &&
    left[left.length - 1 - suffix] === right[right.length - 1 - suffix]
  ) {
    suffix++;
  }
  const middle = alignMiddle(left.slice(prefix, left.length - suffix), right.slice(prefix, right.length - suffix));
  const operations: Operation[] = [
    ...left.slice(0, prefix).map((text): Operation => ({ kind: ' ', text })),
    ...middle,
    ...left.slice(left.length - suffix).map((text): Operation => ({ kind: ' ', text })),
  ];
  return render(operations);
}

interface Operation {
  readonly kind: ' ' | '-' | '+';
  readonly text: string;
}

function alignMiddle(left: readonly string[], right: readonly string[]): Operation[] {
  if (left.length > MAX_ALIGNED_LINES || right.length > MAX_ALIGNED_LINES || left.length * right.length > 4_000_000) {
    return [...left.map((text): Operation => ({ kind: '-', text })), ...right.map((text): Operation => ({ kind: '+', text }))];
  }
  // Classic LCS table over the changed middle only; common prefix and suffix were trimmed first.
  const width = right.length + 1;
  const table = new Uint32Array((left.length + 1) * width);
  for (let i = left.length - 1; i >= 0; i--) {
    for (let j = right.length - 1; j >= 0; j--) {
      table[i * width + j] =
        left[i] === right[j] ? (table[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(table[(i + 1) * width + j] ?? 0, table[i * width + j + 1] ?? 0);
    }
  }
  const operations: Operation[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    if (left[i] === right[j]) {
      operations.push({ kind: ' ', text: left[i] ?? '' });
      i++;
      j++;
    } else if ((table[(i + 1) * width + j] ?? 0) >= (table[i * width + j + 1] ?? 0)) {
      operations.push({ kind: '-', text: left[i++] ?? '' });
    } else {
      operations.push({ kind: '+', text: right[j++] ?? '' });
    }
  }
  while (i < left.length) operations.push({ kind: '-', text: left[i++] ?? '' });
  while (j < right.length) operations.push({ kind: '+', text: right[j++] ?? '' });
  return operations;
}

function render(operations: readonly Operation[]): string {
  const shown = new Set<number>();
  operations.forEach((operation, index) => {
    if (operation.kind === ' ') return;
    for (let near = index - CONTEXT_LINES; near <= index + CONTEXT_LINES; near++) shown.add(near);
  });
  const output: string[] = [];
  let expectedLine = 0;
  let previous = -2;
  for (const [index, operation] of operations.entries()) {
    if (operation.kind !== '+') expectedLine++;
    if (!shown.has(index)) continue;
    if (index !== previous + 1) output.push(`@@ line ${operation.kind === '+' ? expectedLine + 1 : expectedLine} @@`);
    previous = index;
    output.push(`${operation.kind} ${operation.text}`);
  }
  if (output.length > MAX_OUTPUT_LINES) {
    const hidden = output.length - MAX_OUTPUT_LINES;
    return [...output.slice(0, MAX_OUTPUT_LINES), `… ${hidden} more diff line${hidden === 1 ? '' : 's'}`].join('\n');
  }
  return output.join('\n');
}
