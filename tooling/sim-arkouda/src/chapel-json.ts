/**
 * JSON written the way Arkouda's Chapel serializer writes it, so that clients meet the real bytes:
 * objects as `{"k":v, "k2":v2}` (comma and space between fields, no space after the colon), arrays
 * as `[a, b]`, reals in C's `%e` form with six fractional digits and a two-digit exponent
 * (`1.234568e+07`: large counters arrive rounded to seven significant digits), integers plain, and
 * timestamps as naive local times (`dateTime.now()`, no zone).
 *
 * Every function returns an already-encoded JSON fragment; compose them with {@link object} and
 * {@link array}.
 */

/** An encoded JSON fragment. */
export type Encoded = string & { readonly __encoded: true };

const encoded = (text: string): Encoded => text as Encoded;

/** A string value, quoted and escaped. */
export function string(value: string): Encoded {
  return encoded(JSON.stringify(value));
}

/** An integer value (Chapel `int`). */
export function int(value: number): Encoded {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an integer`);
  return encoded(String(value));
}

/**
 * A real value (Chapel `real`), as C's `%e` prints it. Non-finite values print as Chapel prints
 * them (`nan`, `inf`, `-inf`), which is not valid JSON: that is what a real server would send.
 */
export function real(value: number): Encoded {
  if (Number.isNaN(value)) return encoded('nan');
  if (!Number.isFinite(value)) return encoded(value > 0 ? 'inf' : '-inf');
  // JavaScript writes e+7 where C writes e+07.
  return encoded(value.toExponential(6).replace(/e([+-])(\d)$/, 'e$10$2'));
}

/** A boolean value. */
export function boolean(value: boolean): Encoded {
  return encoded(value ? 'true' : 'false');
}

/** An object whose fields are written in the order given (Chapel: declaration order, parent first). */
export function object(fields: readonly (readonly [key: string, value: Encoded])[]): Encoded {
  return encoded(`{${fields.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(', ')}}`);
}

/** An array; an empty one is `[]`. */
export function array(items: readonly Encoded[]): Encoded {
  return encoded(`[${items.join(', ')}]`);
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/**
 * A Chapel `dateTime` in the server's local time without a zone: `YYYY-MM-DDThh:mm:ss.ffffff`, the
 * fraction left out when the microseconds are zero. `epochMicroseconds` is the instant; the local
 * zone is the process's (`TZ`).
 */
export function timestamp(epochMicroseconds: number): Encoded {
  const wholeMicroseconds = Math.floor(epochMicroseconds);
  const date = new Date(Math.floor(wholeMicroseconds / 1000));
  const microseconds = ((wholeMicroseconds % 1_000_000) + 1_000_000) % 1_000_000;
  const text =
    `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)}` +
    `T${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)}` +
    (microseconds === 0 ? '' : `.${pad(microseconds, 6)}`);
  return string(text);
}
