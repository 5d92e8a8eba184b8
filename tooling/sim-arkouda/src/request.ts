import type { Category, Era } from './eras.js';

/** A request the daemon can answer. */
export type AnsweredRequest =
  | { readonly cmd: 'connect' | 'getconfig'; readonly user: string }
  | { readonly cmd: 'metrics'; readonly user: string; readonly category: Category }
  /** Any other command: the daemon's `select` has no `otherwise`, so it answers an empty NORMAL message. */
  | { readonly cmd: 'other'; readonly user: string; readonly name: string };

/**
 * The outcome of reading one request frame. `key` names it in the server's request tally:
 * the command (`getconfig`), `metrics:<CATEGORY>` (also when the category is refused), or `invalid`.
 */
export type ReadRequest =
  | { readonly ok: true; readonly request: AnsweredRequest; readonly key: string }
  /** What would throw out of the daemon's loop, which has no try/catch: the daemon stops answering. */
  | { readonly ok: false; readonly reason: string; readonly key: string };

const REQUEST_FIELDS = ['user', 'token', 'cmd', 'format', 'args', 'size'] as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const fail = (reason: string, key = 'invalid'): ReadRequest => ({ ok: false, reason, key });

/**
 * Reads one request frame as the metrics daemon of `era` does: a RequestMsg with all six fields
 * (Chapel's deserializer throws on a missing one), and for `metrics` the double-encoded JSON
 * arguments (`args` is a JSON string holding an array of JSON strings, each one parameter object),
 * of which exactly `size` are read, or before v2022.09.30 the category as the plain `args` string. A category that is not an enum name of the era, or one the
 * era has no case for (RESPONSE_TIME, always), fails like every other malformed request.
 */
export function readRequest(frame: Uint8Array, era: Era): ReadRequest {
  let text: string;
  try {
    text = utf8.decode(frame);
  } catch {
    return fail('the request is not valid UTF-8');
  }
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return fail('the request is not JSON');
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return fail('the request is not a JSON object');
  const fields = message as Record<string, unknown>;
  for (const field of REQUEST_FIELDS) {
    if (!Object.hasOwn(fields, field)) return fail(`field '${field}' not found`);
    const expected = field === 'size' ? 'number' : 'string';
    if (typeof fields[field] !== expected) return fail(`field '${field}' is not a ${expected === 'number' ? 'number' : 'string'}`);
  }
  const user = fields.user as string;
  const cmd = fields.cmd as string;
  if (cmd === 'connect' || cmd === 'getconfig') return { ok: true, request: { cmd, user }, key: cmd };
  if (cmd !== 'metrics') return { ok: true, request: { cmd: 'other', user, name: cmd }, key: cmd };

  let category: string | undefined;
  if (era.arguments === 'string') {
    // Until v2022.08.30 the whole args string is the category, e.g. "ALL"; its first word is cast.
    category = (fields.args as string).split(' ')[0];
  } else {
    const parameters = readParameters(fields.args as string, fields.size as number);
    if (typeof parameters === 'string') return fail(parameters, 'metrics');
    category = parameters.get('category');
  }
  if (category === undefined) return fail("key 'category' not found", 'metrics');
  const key = `metrics:${category}`;
  if (!(era.categories as readonly string[]).includes(category)) return fail(`illegal cast from ${category} to MetricCategory`, key);
  if (!(era.answered as readonly string[]).includes(category)) return fail(`Invalid MetricType ${category}`, key);
  return { ok: true, request: { cmd: 'metrics', user, category: category as Category }, key };
}

/** The `{key, dtype, val}` parameters of a JSON-args request, or why they cannot be read. */
function readParameters(args: string, size: number): Map<string, string> | string {
  if (!Number.isInteger(size) || size < 1) return `size ${size} says there are no arguments`;
  let list: unknown;
  try {
    list = JSON.parse(args);
  } catch {
    return 'args is not a JSON array';
  }
  if (!Array.isArray(list) || list.length < size) return `args does not hold ${size} elements`;
  const parameters = new Map<string, string>();
  for (const element of list.slice(0, size)) {
    if (typeof element !== 'string') return 'an args element is not a string';
    let parameter: unknown;
    try {
      parameter = JSON.parse(element);
    } catch {
      return 'an args element is not a JSON object';
    }
    const { key, dtype, val } = (typeof parameter === 'object' && parameter !== null ? parameter : {}) as Record<string, unknown>;
    if (typeof key !== 'string' || typeof dtype !== 'string' || typeof val !== 'string') return 'an args element lacks key, dtype or val';
    parameters.set(key, val);
  }
  return parameters;
}
