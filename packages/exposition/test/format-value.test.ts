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

describe('anchor value formats', () => {
  it('writes Go %d and %f as dcgm-exporter does, and non-finite values as Prometheus reads them', async () => {
    const { formatFixed6, formatInteger, renderText } = await import('../src/index.js');
    expect([312.48, 0, -1.5, 1e-7, 98765432100].map(formatFixed6)).toEqual(['312.480000', '0.000000', '-1.500000', '0.000000', '98765432100.000000']);
    expect([98765432100, 42.9, -42.9, 0].map(formatInteger)).toEqual(['98765432100', '42', '-42', '0']);
    expect([NaN, Infinity, -Infinity].map(formatFixed6)).toEqual(['NaN', '+Inf', '-Inf']);
    const { defineMetric } = await import('@tessera/collector-api');
    const power = defineMetric({ name: 'DCGM_FI_DEV_POWER_USAGE', type: 'gauge', help: 'Power draw (in W).', labelNames: ['gpu'], valueFormat: 'fixed6' });
    expect(renderText([{ family: power, series: [{ labels: { gpu: '0' }, value: 312.48 }] }])).toContain('DCGM_FI_DEV_POWER_USAGE{gpu="0"} 312.480000\n');
    expect(() => defineMetric({ name: 'demo', type: 'gauge', help: 'x', labelNames: [], valueFormat: 'hex' as 'integer' })).toThrow('metric demo: unknown valueFormat "hex"');
  });
});
