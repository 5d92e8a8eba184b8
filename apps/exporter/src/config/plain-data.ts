import type { ConfigPath } from '@tessera/collector-api';

/** A config document that cannot be read as plain data: a `__proto__` key, an alias cycle. */
export class PlainDataError extends Error {
  readonly path: ConfigPath;

  constructor(message: string, path: ConfigPath) {
    super(message);
    this.name = 'PlainDataError';
    this.path = path;
  }
}

// A key that would set an object's prototype instead of one of its properties.
const PROTOTYPE_KEY = '__proto__';

/**
 * Copies a parsed config document (YAML maps as `Map`s, or a caller's object) into plain data:
 * objects with only their own enumerable string keys, arrays, and scalars. A `__proto__` key is an
 * error (YAML and `JSON.parse` would otherwise hand it over as the object's prototype, and every
 * setting could then be injected through it), and so is a structure that contains itself (a YAML
 * alias cycle such as `web: &w {a: *w}`), so nothing downstream recurses forever.
 */
export function toPlainData(value: unknown, path: ConfigPath = [], ancestors: Set<object> = new Set()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) throw new PlainDataError('this value contains itself (a YAML alias that refers to its own ancestor)', path);
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item, index) => toPlainData(item, [...path, index], ancestors));
    const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : Object.keys(value).map((key) => [key, (value as Record<string, unknown>)[key]]);
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      if (typeof key !== 'string') throw new PlainDataError(`keys must be strings, found ${key === null ? 'null' : typeof key} key ${String(key)}`, path);
      if (key === PROTOTYPE_KEY) throw new PlainDataError(`the key ${PROTOTYPE_KEY} is not allowed`, [...path, key]);
      result[key] = toPlainData(item, [...path, key], ancestors);
    }
    return result;
  } finally {
    ancestors.delete(value);
  }
}
