import { describe, expect, it } from 'vitest';
import * as json from '../src/chapel-json.js';

describe('Chapel-style JSON', () => {
  it('writes reals as C %e: six fractional digits, a two-digit exponent, seven significant digits', () => {
    expect(json.real(0)).toBe('0.000000e+00');
    expect(json.real(1)).toBe('1.000000e+00');
    expect(json.real(12_345_678)).toBe('1.234568e+07');
    expect(json.real(0.000143051147)).toBe('1.430511e-04');
    expect(json.real(-2.5e-300)).toBe('-2.500000e-300');
    // A counter past 10^7 loses its last digits, as the real server's counters do.
    expect(Number(JSON.parse(json.real(123_456_789)))).toBe(123_456_800);
  });

  it('writes non-finite reals as Chapel does, which is not JSON', () => {
    expect(json.real(Number.NaN)).toBe('nan');
    expect(json.real(Number.POSITIVE_INFINITY)).toBe('inf');
    expect(() => JSON.parse(json.array([json.real(Number.NaN)])) as unknown).toThrow();
  });

  it('separates fields and items with a comma and a space, and puts no space after the colon', () => {
    const text = json.object([
      ['name', json.string('say "hi"')],
      ['count', json.int(3)],
      ['items', json.array([json.int(1), json.int(2)])],
      ['none', json.array([])],
      ['flag', json.boolean(false)],
    ]);
    expect(text).toBe('{"name":"say \\"hi\\"", "count":3, "items":[1, 2], "none":[], "flag":false}');
    expect(JSON.parse(text)).toEqual({ name: 'say "hi"', count: 3, items: [1, 2], none: [], flag: false });
  });

  it('writes timestamps as naive local time with microseconds, leaving out a zero fraction', () => {
    const local = new Date(2026, 0, 5, 10, 0, 0, 100).getTime();
    expect(json.timestamp(local * 1000 + 1)).toBe('"2026-01-05T10:00:00.100001"');
    expect(json.timestamp(new Date(2026, 0, 5, 10, 0, 0, 0).getTime() * 1000)).toBe('"2026-01-05T10:00:00"');
    expect(() => json.int(1.5)).toThrow(RangeError);
  });
});
