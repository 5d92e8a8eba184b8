import { describe, expect, it } from 'vitest';
import { ArkoudaError } from '../src/errors.js';
import { parseArkoudaTimestamp, parseMetricRecords, parseServerConfig, parseServerInfo, readsJsonArguments } from '../src/messages.js';

// Documents written in the daemon's format (Chapel serializer: ", " separators, %e reals).
const RECORDS = JSON.parse(
  '[{"name":"sort", "category":"NUM_REQUESTS", "scope":"GLOBAL", "timestamp":"2026-03-01T08:15:30.000250", "value":1.200000e+01}, ' +
    '{"name":"arkouda_memory_used_per_locale", "category":"SYSTEM", "scope":"LOCALE", "timestamp":"2026-03-01T08:15:30", "value":2.097152e+06, "locale_num":1, "locale_name":"n1", "locale_hostname":"n1.cluster"}, ' +
    '{"name":"total", "category":"NUM_REQUESTS", "scope":"USER", "timestamp":"not a time", "value":3.000000e+00, "user":"alice", "extra":true}]',
) as unknown;

function failure(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ArkoudaError);
    expect((error as ArkoudaError).reason).toBe('malformed_reply');
    return (error as Error).message;
  }
  throw new Error('expected a malformed_reply');
}

describe('metric records', () => {
  it('reads global, locale and user records, ignoring fields it does not know', () => {
    const [global, locale, user] = parseMetricRecords(RECORDS, 'metrics ALL');
    expect(global).toEqual({ name: 'sort', category: 'NUM_REQUESTS', scope: 'GLOBAL', value: 12, timestampMs: new Date(2026, 2, 1, 8, 15, 30).getTime() + 0.25 });
    expect(locale).toMatchObject({ value: 2_097_152, locale: { num: '1', name: 'n1', hostname: 'n1.cluster' } });
    expect(user).toMatchObject({ user: 'alice', timestampMs: undefined });
  });

  it.each([
    ['an object instead of an array', { name: 'x' }, 'metrics ALL: the metrics are not a JSON array'],
    ['a record that is not an object', [1], 'metrics ALL: record 0 is not a JSON object'],
    ['a record without a value', [{ name: 'sort', category: 'NUM_REQUESTS', scope: 'GLOBAL' }], 'metrics ALL: record 0 (NUM_REQUESTS sort) has no number value'],
    ['a value that is a string', [{ name: 'sort', category: 'NUM_REQUESTS', scope: 'GLOBAL', value: '3' }], 'metrics ALL: record 0 (NUM_REQUESTS sort) has no number value (found "3")'],
    [
      'a locale record without its locale name',
      [{ name: 'arkouda_memory_used_per_locale', category: 'SYSTEM', scope: 'LOCALE', value: 1, locale_num: 0, locale_hostname: 'h' }],
      'metrics ALL: record 0 (SYSTEM arkouda_memory_used_per_locale) has no string locale_name',
    ],
    ['a locale number that is not an integer', [{ name: 'm', category: 'SYSTEM', scope: 'LOCALE', value: 1, locale_num: 0.5, locale_name: 'n', locale_hostname: 'h' }], 'metrics ALL: record 0 (SYSTEM m) has no integer locale_num (found 0.5)'],
    ['a user record without its user', [{ name: 'total', category: 'NUM_REQUESTS', scope: 'USER', value: 1 }], 'metrics ALL: record 0 (NUM_REQUESTS total) has no string user'],
  ])('refuses %s, naming the record', (_, document, message) => {
    expect(failure(() => parseMetricRecords(document, 'metrics ALL'))).toBe(message);
  });
});

describe('SERVER_INFO and getconfig', () => {
  const info = {
    hostname: 'n0',
    version: 'v2025.01.13',
    server_port: 5555,
    locales: [
      { name: 'n0', id: '0', hostname: 'n0.cluster', number_of_processing_units: 48, physical_memory: 270_000_000_000, max_number_of_tasks: 48 },
      { name: 'n1', id: '1', hostname: 'n1.cluster', number_of_processing_units: 48, physical_memory: 270_000_000_000, max_number_of_tasks: 48 },
    ],
    number_of_locales: 2,
  };

  it('reads the server and its locales, whose ids are strings', () => {
    expect(parseServerInfo(info, 'metrics SERVER_INFO')).toEqual({
      hostname: 'n0',
      version: 'v2025.01.13',
      serverPort: 5555,
      locales: [
        { num: '0', name: 'n0', hostname: 'n0.cluster', processingUnits: 48, physicalMemoryBytes: 270_000_000_000, maxTasks: 48 },
        { num: '1', name: 'n1', hostname: 'n1.cluster', processingUnits: 48, physicalMemoryBytes: 270_000_000_000, maxTasks: 48 },
      ],
    });
  });

  it('refuses locales repeating an id (their series would collide) and a missing locales array', () => {
    const repeated = { ...info, locales: [info.locales[0], info.locales[0]] };
    expect(failure(() => parseServerInfo(repeated, 'metrics SERVER_INFO'))).toBe('metrics SERVER_INFO: locale 1 repeats id 0');
    expect(failure(() => parseServerInfo({ ...info, locales: undefined }, 'metrics SERVER_INFO'))).toBe('metrics SERVER_INFO: the server info has no locales array');
  });

  it('reads the version and locale count of getconfig', () => {
    expect(parseServerConfig({ arkoudaVersion: 'v2024.10.02', numLocales: 4, LocaleConfigs: [] }, 'getconfig')).toEqual({ arkoudaVersion: 'v2024.10.02', numLocales: 4 });
    expect(failure(() => parseServerConfig({ numLocales: 4 }, 'getconfig'))).toBe('getconfig: the server config has no string arkoudaVersion');
  });
});

describe('versions and timestamps', () => {
  it('knows which releases read JSON arguments', () => {
    expect(readsJsonArguments('v2022.08.30')).toBe(false);
    expect(readsJsonArguments('v2022.09.30')).toBe(true);
    expect(readsJsonArguments('v2026.07.15')).toBe(true);
    expect(readsJsonArguments('2024.10.02.post12+gdeadbee')).toBe(true);
    expect(readsJsonArguments('1.0.0-dev')).toBeUndefined();
  });

  it('reads naive local timestamps with or without microseconds, and nothing else', () => {
    expect(parseArkoudaTimestamp('2026-01-05T10:00:00')).toBe(new Date(2026, 0, 5, 10).getTime());
    expect(parseArkoudaTimestamp('2026-01-05T10:00:00.100001')).toBeCloseTo(new Date(2026, 0, 5, 10, 0, 0, 100).getTime() + 0.001, 6);
    expect(parseArkoudaTimestamp('2026-02-30T10:00:00')).toBeUndefined();
    expect(parseArkoudaTimestamp('2026-01-05 10:00:00')).toBeUndefined();
    expect(parseArkoudaTimestamp('2026-01-05T10:00:00Z')).toBeUndefined();
  });
});
