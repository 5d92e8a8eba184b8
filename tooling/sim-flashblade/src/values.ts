/*
 * Deterministic values: every number the simulator serves is a function of an object's seed and
 * the simulator's clock, so two requests at the same instant agree (a page and the `total` of the
 * same list), a frozen clock gives byte-identical answers (recorded fixtures), and a running
 * clock makes rates wander and space grow the way a real array's do.
 */

/** A 32-bit hash of the parts (FNV-1a over their text, then a final avalanche). */
export function hash32(...parts: readonly (string | number)[]): number {
  let hash = 0x811c9dc5;
  const text = parts.join('\u0000');
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A stable number in [0, 1) for the parts. */
export function unit(...parts: readonly (string | number)[]): number {
  return hash32(...parts) / 2 ** 32;
}

/** A UUID-shaped identifier that is the same for the same parts on every run. */
export function stableId(...parts: readonly (string | number)[]): string {
  const hex = [0, 1, 2, 3].map((word) => hash32(...parts, word).toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Rounds to `digits` decimals, the precision the simulator serves rates with. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * A per-second rate around `scale` that drifts with a period of about ten minutes and jitters
 * from one second to the next, like a performance sample of a busy array.
 */
export function rate(seed: string, timeMs: number, scale: number): number {
  const phase = unit(seed, 'phase');
  const drift = 0.55 + 0.45 * Math.sin(2 * Math.PI * (timeMs / 600_000 + phase));
  const jitter = 0.9 + 0.2 * unit(seed, Math.floor(timeMs / 1000));
  return round(scale * (0.2 + 0.8 * unit(seed, 'scale')) * drift * jitter);
}

/** The simulated array's epoch: space grows from here. */
export const GROWTH_EPOCH_MS = 1_690_000_000_000;

/** A byte count that starts near `base` and grows by up to `perDay` bytes a day. */
export function growing(seed: string, timeMs: number, base: number, perDay: number): number {
  const days = Math.max(0, timeMs - GROWTH_EPOCH_MS) / 86_400_000;
  return Math.round(base * (0.5 + unit(seed, 'base')) + perDay * unit(seed, 'growth') * days);
}
