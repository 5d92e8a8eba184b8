/*
 * The `filter` query parameter of REST 2.x lists: comparisons of a (dotted) field with a quoted
 * string, a number, true, false or null, joined by `and` / `or` (`and` binds tighter), with
 * parentheses. Enough for what exporters send (`state='open'`); anything else is a 400, as on an
 * array, so a client that sends a malformed filter finds out in tests.
 */

type Literal = string | number | boolean | null;
type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** A compiled filter: true for the items to keep. */
export type FilterPredicate = (item: Readonly<Record<string, unknown>>) => boolean;

/** A filter that cannot be parsed; the message says where. */
export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

type Token = { readonly kind: 'word'; readonly text: string } | { readonly kind: 'literal'; readonly value: Literal } | { readonly kind: 'operator'; readonly text: Operator } | { readonly kind: 'paren'; readonly text: '(' | ')' };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < source.length) {
    const rest = source.slice(position);
    const space = /^\s+/.exec(rest);
    if (space !== null) {
      position += space[0].length;
      continue;
    }
    if (rest.startsWith("'")) {
      const end = source.indexOf("'", position + 1);
      if (end === -1) throw new FilterSyntaxError(`unterminated string at position ${position}`);
      tokens.push({ kind: 'literal', value: source.slice(position + 1, end) });
      position = end + 1;
      continue;
    }
    const operator = /^(!=|<=|>=|=|<|>)/.exec(rest);
    if (operator !== null) {
      tokens.push({ kind: 'operator', text: operator[0] as Operator });
      position += operator[0].length;
      continue;
    }
    if (rest[0] === '(' || rest[0] === ')') {
      tokens.push({ kind: 'paren', text: rest[0] });
      position++;
      continue;
    }
    const number = /^-?\d+(\.\d+)?/.exec(rest);
    if (number !== null) {
      tokens.push({ kind: 'literal', value: Number(number[0]) });
      position += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][\w.]*/.exec(rest);
    if (word === null) throw new FilterSyntaxError(`unexpected ${JSON.stringify(rest[0])} at position ${position}`);
    const text = word[0];
    tokens.push(text === 'true' || text === 'false' ? { kind: 'literal', value: text === 'true' } : text === 'null' ? { kind: 'literal', value: null } : { kind: 'word', text });
    position += text.length;
  }
  return tokens;
}

/** Parses `source` into a predicate over rendered items. Throws {@link FilterSyntaxError}. */
export function compileFilter(source: string): FilterPredicate {
  const tokens = tokenize(source);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const isKeyword = (token: Token | undefined, keyword: string): boolean => token?.kind === 'word' && token.text.toLowerCase() === keyword;

  /** Terms joined by `keyword`: `or` (any term) over `and` (every term) over comparisons. */
  const parseJoined = (keyword: 'and' | 'or', parseTerm: () => FilterPredicate): FilterPredicate => {
    const terms = [parseTerm()];
    while (isKeyword(peek(), keyword)) {
      position++;
      terms.push(parseTerm());
    }
    if (terms.length === 1) return terms[0] as FilterPredicate;
    return keyword === 'or' ? (item) => terms.some((term) => term(item)) : (item) => terms.every((term) => term(item));
  };
  const parseOr = (): FilterPredicate => parseJoined('or', parseAnd);
  const parseAnd = (): FilterPredicate => parseJoined('and', parsePrimary);
  const parsePrimary = (): FilterPredicate => {
    const token = tokens[position++];
    if (token?.kind === 'paren' && token.text === '(') {
      const inner = parseOr();
      const close = tokens[position++];
      if (close?.kind !== 'paren' || close.text !== ')') throw new FilterSyntaxError('missing )');
      return inner;
    }
    if (token?.kind !== 'word') throw new FilterSyntaxError('expected a field name');
    const operator = tokens[position++];
    if (operator?.kind !== 'operator') throw new FilterSyntaxError(`expected a comparison after ${token.text}`);
    const literal = tokens[position++];
    if (literal?.kind !== 'literal') throw new FilterSyntaxError(`expected a value after ${token.text}${operator.text}`);
    const path = token.text.split('.');
    return (item) => compare(readPath(item, path), operator.text, literal.value);
  };

  const predicate = parseOr();
  if (position !== tokens.length) throw new FilterSyntaxError(`unexpected input after position ${position}`);
  return predicate;
}

function readPath(item: unknown, path: readonly string[]): unknown {
  let value = item;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function compare(actual: unknown, operator: Operator, expected: Literal): boolean {
  if (operator === '=') return actual === expected;
  if (operator === '!=') return actual !== expected;
  if (typeof actual !== typeof expected || (typeof actual !== 'number' && typeof actual !== 'string')) return false;
  const left = actual;
  const right = expected as number | string;
  if (operator === '<') return left < right;
  if (operator === '<=') return left <= right;
  if (operator === '>') return left > right;
  return left >= right;
}
