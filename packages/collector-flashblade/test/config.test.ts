import { validateWithSchema } from '@tessera/collector-api';
import { describe, expect, it } from 'vitest';
import { configSchema, parseEndpoint } from '../src/config.js';

const TOKEN = 'T-0b9c7d4e-1f2a-4b3c-8d5e-6f7a8b9c0d1e';
const validate = (entry: Record<string, unknown>) => validateWithSchema(configSchema, entry, ['collectors', 'flashblade']);

describe('parseEndpoint', () => {
  it.each([
    ['fb01.example.com', 'https://fb01.example.com'],
    ['fb01.example.com:8443', 'https://fb01.example.com:8443'],
    ['10.0.0.5', 'https://10.0.0.5'],
    ['[fd00::5]', 'https://[fd00::5]'],
    ['https://FB01.example.com/', 'https://fb01.example.com'],
    ['https://fb01.example.com:443', 'https://fb01.example.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('%s is the origin %s', (endpoint, origin) => {
    expect(parseEndpoint(endpoint)).toEqual({ origin });
  });

  it.each([
    ['fb01.example.com/api', /without a path/],
    ['https://fb01.example.com/?x=1', /without a path or query/],
    ['https://user:secret@fb01.example.com', /credentials do not belong/],
    ['ftp://fb01.example.com', /ftp:\/\/ is not supported/],
    ['fb 01', /is not a host name/],
  ])('%s is refused', (endpoint, problem) => {
    const parsed = parseEndpoint(endpoint);
    expect('problem' in parsed ? parsed.problem : '').toMatch(problem);
  });
});

describe('configSchema', () => {
  it('fills in the defaults', async () => {
    expect(await validate({ endpoint: 'fb01.example.com', apiToken: TOKEN })).toEqual({
      endpoint: 'fb01.example.com',
      origin: 'https://fb01.example.com',
      apiToken: TOKEN,
      insecureSkipVerify: false,
      groups: ['array', 'filesystems', 'objectstore', 'clients', 'usage', 'policies'],
      refreshSeconds: { usage: 3600, clients: 300 },
      maxConcurrentRequests: 8,
      requestTimeoutSeconds: 30,
      pageSize: 1000,
      acceptBearerToken: false,
    });
  });

  it('requires the endpoint and exactly one token source', async () => {
    await expect(validate({ apiToken: TOKEN })).rejects.toMatchObject({ path: ['collectors', 'flashblade', 'endpoint'] });
    await expect(validate({ endpoint: 'fb01' })).rejects.toThrow(/give the API token as apiToken .* or apiTokenFile, one of the two/);
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, apiTokenFile: '/etc/token' })).rejects.toMatchObject({ path: ['collectors', 'flashblade', 'apiToken'] });
    await expect(validate({ endpoint: 'fb01', apiTokenFile: 'fb01.token' })).resolves.toMatchObject({ apiTokenFile: 'fb01.token' });
  });

  it('refuses contradictory TLS settings', async () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, ca: pem, caFile: '/etc/ca.pem' })).rejects.toThrow(/ca and caFile are mutually exclusive/);
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, caFile: '/etc/ca.pem', insecureSkipVerify: true })).rejects.toMatchObject({
      path: ['collectors', 'flashblade', 'insecureSkipVerify'],
    });
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, ca: 'not a certificate' })).rejects.toThrow(/expected PEM certificates/);
  });

  it('names the offending key of a bad group, refresh or bound', async () => {
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, groups: ['array', 'arrays'] })).rejects.toMatchObject({ path: ['collectors', 'flashblade', 'groups', 1] });
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, groups: ['array', 'array'] })).rejects.toThrow(/a group is listed twice/);
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, refreshSeconds: { users: 60 } })).rejects.toMatchObject({ path: ['collectors', 'flashblade', 'refreshSeconds'] });
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, refreshSeconds: { usage: 0 } })).rejects.toMatchObject({ path: ['collectors', 'flashblade', 'refreshSeconds', 'usage'] });
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, maxConcurrentRequests: 0 })).rejects.toMatchObject({ path: ['collectors', 'flashblade', 'maxConcurrentRequests'] });
    await expect(validate({ endpoint: 'fb01', apiToken: TOKEN, apiVersion: '1.12' })).rejects.toThrow(/REST 2\.x version/);
  });

  it('takes an explicit refresh map as it is: groups left out of it are read at every scrape', async () => {
    expect((await validate({ endpoint: 'fb01', apiToken: TOKEN, refreshSeconds: { filesystems: 120 } })).refreshSeconds).toEqual({ filesystems: 120 });
    expect((await validate({ endpoint: 'fb01', apiToken: TOKEN, refreshSeconds: {} })).refreshSeconds).toEqual({});
  });
});
