import { describe, expect, test } from 'vitest';
import { buildGroupingPath } from '../src/grouping-path.js';

describe('buildGroupingPath', () => {
  test('plain values are percent-encoded path segments', () => {
    expect(buildGroupingPath('nightly_train', { model: 'resnet50', note: 'a b' })).toBe('/metrics/job/nightly_train/model/resnet50/note/a%20b');
  });

  test('a value with "/" uses the @base64 form with URL-safe base64', () => {
    expect(buildGroupingPath('train', { path: '/data/x?' })).toBe(`/metrics/job/train/path@base64/${Buffer.from('/data/x?').toString('base64url')}`);
  });

  test('an empty value is sent as "=" in the @base64 form', () => {
    expect(buildGroupingPath('train', { shard: '' })).toBe('/metrics/job/train/shard@base64/=');
  });

  test('"." and ".." would be cleaned out of the path, so they are base64-encoded too', () => {
    expect(buildGroupingPath('train', { a: '.', b: '..' })).toBe('/metrics/job/train/a@base64/Lg/b@base64/Li4');
  });

  test('the job name follows the same rules', () => {
    expect(buildGroupingPath('team/train', {})).toBe(`/metrics/job@base64/${Buffer.from('team/train').toString('base64url')}`);
  });
});
