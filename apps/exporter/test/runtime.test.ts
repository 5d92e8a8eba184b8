import { describe, expect, it } from 'vitest';
import { acceptsGzip } from '../src/http/accepts-gzip.js';
import { baseUrl, parseListenAddress } from '../src/http/listen-address.js';
import { selectCollectors } from '../src/http/select-collectors.js';
import { collectionDeadlineSeconds } from '../src/runtime/scrape.js';

describe('collectionDeadlineSeconds', () => {
  const timeouts = { timeoutSeconds: 10, timeoutMarginSeconds: 0.5 };
  it('takes the instance timeout, else the default, shortened by the Prometheus header minus the margin', () => {
    expect(collectionDeadlineSeconds(undefined, timeouts, undefined)).toBe(10);
    expect(collectionDeadlineSeconds(3, timeouts, undefined)).toBe(3);
    expect(collectionDeadlineSeconds(undefined, timeouts, 5)).toBe(4.5);
    expect(collectionDeadlineSeconds(3, timeouts, 30)).toBe(3);
    expect(collectionDeadlineSeconds(undefined, timeouts, 0.4)).toBe(0.2);
  });
});

describe('listen addresses', () => {
  it('parses host:port, :port and [v6]:port', () => {
    expect(parseListenAddress(':8900')).toEqual({ host: undefined, port: 8900 });
    expect(parseListenAddress('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenAddress('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(parseListenAddress('localhost:80')).toEqual({ host: 'localhost', port: 80 });
    for (const bad of ['8900', 'host:', ':99999', '::1:9', 'a:b']) expect(() => parseListenAddress(bad), bad).toThrow(/expected host:port/);
    expect(baseUrl('0.0.0.0', 1)).toBe('http://127.0.0.1:1');
    expect(baseUrl('::', 2)).toBe('http://[::1]:2');
    expect(baseUrl('::1', 3)).toBe('http://[::1]:3');
  });
});

describe('acceptsGzip', () => {
  it('honours codings and q-values', () => {
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('gzip')).toBe(true);
    expect(acceptsGzip('deflate, gzip;q=0.5')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('*;q=0')).toBe(false);
    expect(acceptsGzip('GZIP')).toBe(true);
  });
});

describe('selectCollectors', () => {
  it('keeps the enabled order and refuses unknown names', () => {
    expect(selectCollectors({}, ['a', 'b'])).toEqual({ names: ['a', 'b'] });
    expect(selectCollectors({ 'collect[]': ['b', 'a'] }, ['a', 'b', 'c'])).toEqual({ names: ['a', 'b'] });
    expect(selectCollectors({ 'exclude[]': 'b' }, ['a', 'b', 'c'])).toEqual({ names: ['a', 'c'] });
    expect(selectCollectors({ 'collect[]': '' }, ['a'])).toEqual({ error: 'missing collector: "" is not an enabled collector (enabled: a)' });
  });
});
