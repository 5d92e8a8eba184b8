/** A key given twice in one JSON object. */
export interface DuplicateKey {
  /** JSON path of the repeated key, e.g. `$.metrics[0].labels.split`. */
  readonly path: string;
  /** 1-based lines of the first and of the repeated occurrence. */
  readonly firstLine: number;
  readonly line: number;
}

/** Deeper documents are not scanned further: no metric file nests beyond a handful of levels. */
const MAX_DEPTH = 64;

class TooDeep extends Error {}

/** The JSON path of `key` in the object at `path`: `$.labels.split`, or `$.labels["a-b"]` for a key that is no identifier. */
export function appendKey(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Finds keys given twice in one object of a JSON text that `JSON.parse` accepted. `JSON.parse` (like
 * most parsers) silently keeps the last value, so `{"value": 1, "value": 2}` would push 2 without a
 * word. Keys are compared after unescaping (`"a"` and `"\u0061"` are one key).
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const duplicates: DuplicateKey[] = [];
  let index = 0;
  const lineAt = (position: number): number => {
    let line = 1;
    for (let cursor = text.indexOf('\n'); cursor !== -1 && cursor < position; cursor = text.indexOf('\n', cursor + 1)) line++;
    return line;
  };
  const skipWhitespace = (): void => {
    while (index < text.length && (text[index] === ' ' || text[index] === '\t' || text[index] === '\n' || text[index] === '\r')) index++;
  };
  const readString = (): string => {
    const start = index++;
    while (text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    index++;
    return JSON.parse(text.slice(start, index)) as string;
  };
  const readValue = (path: string, depth: number): void => {
    if (depth > MAX_DEPTH) throw new TooDeep();
    skipWhitespace();
    const first = text[index];
    if (first === '{') {
      index++;
      const seen = new Map<string, number>();
      skipWhitespace();
      while (text[index] !== '}') {
        const keyStart = index;
        const key = readString();
        const keyPath = appendKey(path, key);
        const firstStart = seen.get(key);
        if (firstStart === undefined) seen.set(key, keyStart);
        else duplicates.push({ path: keyPath, firstLine: lineAt(firstStart), line: lineAt(keyStart) });
        skipWhitespace();
        index++; // the colon
        readValue(keyPath, depth + 1);
        skipWhitespace();
        if (text[index] === ',') index++;
        skipWhitespace();
      }
      index++;
    } else if (first === '[') {
      index++;
      skipWhitespace();
      for (let item = 0; text[index] !== ']'; item++) {
        readValue(`${path}[${item}]`, depth + 1);
        skipWhitespace();
        if (text[index] === ',') index++;
        skipWhitespace();
      }
      index++;
    } else if (first === '"') {
      readString();
    } else {
      while (index < text.length && !',]} \t\n\r'.includes(text[index] ?? '')) index++;
    }
  };
  try {
    readValue('$', 0);
  } catch (error) {
    if (!(error instanceof TooDeep)) throw error;
  }
  return duplicates;
}
