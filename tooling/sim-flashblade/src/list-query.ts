import { ApiError } from './api-error.js';
import { compileFilter, FilterSyntaxError } from './filter.js';
import { hash32 } from './values.js';

/** A JSON object as the simulator serves it. */
export type Item = Record<string, unknown>;

/**
 * One list endpoint of the REST API (`GET /api/2.x/<path>`): which objects it lists, how it pages,
 * and how one object renders at an instant. {@link answerList} applies the parameters every list
 * shares (names, ids, filter, sort, limit, offset, continuation_token, total_only).
 */
export interface ListEndpoint<TEntity = unknown> {
  /** The path under `/api/<version>`, e.g. `/file-systems/performance`. */
  readonly path: string;
  /** The first 2.x minor version that has it (2.3 → 3). */
  readonly sinceMinor: number;
  /** Its own query parameters, besides the common ones. */
  readonly parameters: readonly string[];
  /**
   * `continuation`: `continuation_token` and `offset`; `offset`: offset but no token
   * (`hardware-connectors/performance`); `limit`: neither, a list is cut at `limit`
   * (`arrays/clients/performance`).
   */
  readonly paging: 'continuation' | 'offset' | 'limit';
  /** Whether `names` (and `ids`) select objects; the word for one object in a not-found error. */
  readonly lookup?: { readonly noun: string };
  /** `object`: one summed object (space lists); `array`: a one-element array (performance lists). */
  readonly total?: 'object' | 'array';
  /** The objects its own parameters select, in the array's order. Throws {@link ApiError} for a bad parameter. */
  entities(query: URLSearchParams): readonly TEntity[];
  nameOf(entity: TEntity): string;
  idOf?(entity: TEntity): string;
  render(entity: TEntity, nowMs: number, query: URLSearchParams): Item;
}

/** What the list engine needs from the simulator. */
export interface ListContext {
  readonly nowMs: number;
  /** The largest page the simulator serves, and the default `limit`. */
  readonly pageSize: number;
  /**
   * Totals already summed, by query and second: every page of a 10k-object list carries the same
   * `total`, and summing it once per page would make the simulator, not the client, the bottleneck.
   */
  readonly totals: Map<string, Item>;
  /** Start a continued page one object early, as when an object was created since the page before. */
  readonly shiftedPage?: boolean;
}

/** How many summed totals {@link ListContext.totals} keeps before it starts afresh. */
const TOTALS_KEPT = 256;

const COMMON_PARAMETERS = ['names', 'ids', 'filter', 'sort', 'limit', 'offset', 'continuation_token', 'total_only'];
const PAGING_PARAMETERS: Readonly<Record<ListEndpoint['paging'], ReadonlySet<string>>> = {
  continuation: new Set(COMMON_PARAMETERS),
  offset: new Set(COMMON_PARAMETERS.filter((name) => name !== 'continuation_token')),
  limit: new Set(['names', 'filter', 'sort', 'limit', 'total_only']),
};

/** Answers one GET of a list endpoint with the REST 2.x envelope. */
export function answerList<TEntity>(endpoint: ListEndpoint<TEntity>, query: URLSearchParams, context: ListContext): Item {
  const allowed = PAGING_PARAMETERS[endpoint.paging];
  for (const name of new Set(query.keys())) {
    if (!allowed.has(name) && !endpoint.parameters.includes(name)) throw new ApiError(400, `Unsupported query parameter ${name}.`, name);
    if ((name === 'names' || name === 'ids') && endpoint.lookup === undefined) throw new ApiError(400, `Unsupported query parameter ${name}.`, name);
    if (query.getAll(name).length > 1) throw new ApiError(400, `Query parameter ${name} is given more than once.`, name);
  }
  let entities = select(endpoint, query);
  const filter = query.get('filter');
  const sort = query.get('sort');
  const nowMs = context.nowMs;
  let rendered: Item[] | undefined;
  if (filter !== null || sort !== null) {
    let items = entities.map((entity) => endpoint.render(entity, nowMs, query));
    if (filter !== null) items = items.filter(compile(filter));
    if (sort !== null) items.sort(comparator(sort));
    rendered = items;
    entities = [];
  }
  const count = rendered?.length ?? entities.length;

  const limit = readCount(query, 'limit') ?? context.pageSize;
  const pageLength = Math.min(limit, context.pageSize);
  const fingerprint = fingerprintOf(endpoint.path, query);
  const token = query.get('continuation_token');
  const offset = token !== null ? Math.max(0, decodeToken(token, fingerprint) - (context.shiftedPage === true ? 1 : 0)) : (readCount(query, 'offset') ?? 0);
  const end = Math.min(count, offset + pageLength);
  const totalOnly = readBoolean(query, 'total_only') ?? false;
  const items = totalOnly ? [] : rendered !== undefined ? rendered.slice(offset, end) : entities.slice(offset, end).map((entity) => endpoint.render(entity, nowMs, query));
  const more = !totalOnly && end < count && endpoint.paging === 'continuation' && sort === null;

  const body: Item = { continuation_token: more ? encodeToken(end, fingerprint) : null, total_item_count: count, items };
  if (endpoint.total !== undefined) {
    const key = `${fingerprint} ${Math.floor(nowMs / 1000)}`;
    let total = context.totals.get(key);
    if (total === undefined) {
      total = sumItems(rendered ?? entities.map((entity) => endpoint.render(entity, nowMs, query)));
      if (context.totals.size >= TOTALS_KEPT) context.totals.clear();
      context.totals.set(key, total);
    }
    body.total = endpoint.total === 'array' ? [total] : total;
  }
  return body;
}

function select<TEntity>(endpoint: ListEndpoint<TEntity>, query: URLSearchParams): readonly TEntity[] {
  const entities = endpoint.entities(query);
  const names = query.get('names');
  const ids = query.get('ids');
  if (names !== null && ids !== null) throw new ApiError(400, 'names and ids cannot be given together.', 'ids');
  const wanted = names ?? ids;
  if (wanted === null || endpoint.lookup === undefined) return entities;
  const keyOf = names !== null ? (entity: TEntity) => endpoint.nameOf(entity) : (entity: TEntity) => endpoint.idOf?.(entity) ?? '';
  const byKey = new Map(entities.map((entity) => [keyOf(entity), entity]));
  const selected: TEntity[] = [];
  const seen = new Set<string>();
  for (const key of wanted.split(',')) {
    if (seen.has(key)) continue;
    seen.add(key);
    const entity = byKey.get(key);
    if (entity === undefined) throw new ApiError(400, `The ${endpoint.lookup.noun} does not exist.`, key);
    selected.push(entity);
  }
  return selected;
}

function compile(filter: string): (item: Item) => boolean {
  try {
    return compileFilter(filter);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw new ApiError(400, `Invalid filter: ${error.message}.`, 'filter');
    throw error;
  }
}

/** `sort=name,-created`-style orderings (a `-` suffix also means descending, as arrays accept it). */
function comparator(sort: string): (a: Item, b: Item) => number {
  const keys = sort.split(',').map((raw) => {
    const descending = raw.endsWith('-') || raw.startsWith('-');
    return { field: raw.replace(/^-|-$/g, ''), direction: descending ? -1 : 1 };
  });
  for (const { field } of keys) {
    if (!/^[a-z_][a-z0-9_]*$/.test(field)) throw new ApiError(400, `Cannot sort by ${field}.`, 'sort');
  }
  return (a, b) => {
    for (const { field, direction } of keys) {
      const left = a[field] as string | number | null | undefined;
      const right = b[field] as string | number | null | undefined;
      if (left === right) continue;
      if (left === null || left === undefined) return -direction;
      if (right === null || right === undefined) return direction;
      return (left < right ? -1 : 1) * direction;
    }
    return 0;
  };
}

function readCount(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) throw new ApiError(400, `${name} must be a non-negative integer.`, name);
  return Number(raw);
}

/** Reads a boolean parameter (`true`/`false`); anything else is a 400. */
export function readBoolean(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') throw new ApiError(400, `${name} must be true or false.`, name);
  return raw === 'true';
}

/** Reads an enumerated parameter; a value outside `values` is a 400. */
export function readChoice<T extends string>(query: URLSearchParams, name: string, values: readonly T[], fallback: T): T {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ApiError(400, `${name} must be one of ${values.join(', ')}.`, name);
  return raw as T;
}

/** Ties a continuation token to the query it continues: the path and every parameter but the paging ones. */
function fingerprintOf(path: string, query: URLSearchParams): string {
  const entries = [...query.entries()].filter(([name]) => name !== 'continuation_token' && name !== 'limit' && name !== 'offset').sort();
  return hash32(path, JSON.stringify(entries)).toString(36);
}

function encodeToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ offset, query: fingerprint })).toString('base64url');
}

function decodeToken(token: string, fingerprint: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown; query?: unknown };
    if (typeof decoded.offset === 'number' && decoded.query === fingerprint) return decoded.offset;
  } catch {
    // Falls through to the error below.
  }
  throw new ApiError(400, 'Invalid continuation token for this query.', 'continuation_token');
}

/** The `total` record: numbers summed field by field (nested objects too), everything else null. */
function sumItems(items: readonly Item[]): Item {
  const total: Item = {};
  for (const item of items) addInto(total, item);
  return total;
}

function addInto(total: Item, item: Item): void {
  for (const [key, value] of Object.entries(item)) {
    if (typeof value === 'number') total[key] = (typeof total[key] === 'number' ? total[key] : 0) + value;
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const nested = (typeof total[key] === 'object' && total[key] !== null ? total[key] : {}) as Item;
      addInto(nested, value as Item);
      total[key] = nested;
    } else if (!(key in total)) total[key] = null;
  }
}
