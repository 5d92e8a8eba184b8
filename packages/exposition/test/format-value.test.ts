import { describe, expect, it } from 'vitest';
import { formatValue } from '../src/index.js';

describe('formatValue matches Go strconv.FormatFloat(v, g, -1, 64)', () => {
  it.each([
    [25150341120, '2.515034112e+10'],
    [1234567, '1.234567e+06'],
    [999999, '999999'],
    [1000000, '1e+06'],
    [0.5, '0.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-3.2e7, '-3.2e+07'],
    [123456.789, '123456.789'],
    [1.5e300, '1.5e+300'],
    [42, '42'],
    [0, '0'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%d → %s', (value, expected) => {
    expect(formatValue(value)).toBe(expected);
  });
});
