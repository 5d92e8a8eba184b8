import { validateWithSchema } from '@tessera/collector-api';
import { describe, expect, it } from 'vitest';
import { configSchema, metricsEndpoint, resolveServerName } from '../src/config.js';

describe('config', () => {
  it('has the defaults of Arkouda\'s exporter: localhost, port 5556, a poll every 5 s', async () => {
    expect(await validateWithSchema(configSchema, {})).toEqual({ host: 'localhost', port: 5556, pollIntervalSeconds: 5, requestTimeoutSeconds: 4 });
  });

  it('takes numbers as strings, which is what ${ENV} substitution yields', async () => {
    expect(await validateWithSchema(configSchema, { host: 'arkouda-metrics.ml', port: '5557', pollIntervalSeconds: '30', requestTimeoutSeconds: '2.5' })).toEqual({
      host: 'arkouda-metrics.ml',
      port: 5557,
      pollIntervalSeconds: 30,
      requestTimeoutSeconds: 2.5,
    });
  });

  it.each([
    [{ port: 'http' }, 'port'],
    [{ port: 70_000 }, 'port'],
    [{ port: 5556.5 }, 'port'],
    [{ pollIntervalSeconds: 0 }, 'pollIntervalSeconds'],
    [{ host: '  ' }, 'host'],
    [{ serverName: '' }, 'serverName'],
    [{ timeoutSeconds: 3 }, ''],
  ])('refuses %j at its key', async (entry, key) => {
    const error = (await validateWithSchema(configSchema, entry).then(
      () => undefined,
      (failure: unknown) => failure,
    )) as { code?: string; path?: readonly (string | number)[]; message: string } | undefined;
    expect(error?.code).toBe('ERR_TESSERA_CONFIG');
    if (key === '') expect(error?.message).toContain('timeoutSeconds');
    else expect(error?.path).toEqual([key]);
  });

  it('names the server after the instance, or the default of Arkouda\'s exporter for a single unnamed entry', async () => {
    const config = await validateWithSchema(configSchema, {});
    expect(resolveServerName(config, 'default')).toBe('arkouda-metrics');
    expect(resolveServerName(config, 'research')).toBe('research');
    expect(resolveServerName({ ...config, serverName: 'ark-prod' }, 'research')).toBe('ark-prod');
  });

  it('writes the endpoint ZeroMQ connects to, with an IPv6 address in brackets', () => {
    expect(metricsEndpoint({ host: 'arkouda.ml.svc', port: 5556 })).toBe('tcp://arkouda.ml.svc:5556');
    expect(metricsEndpoint({ host: 'fd00::12', port: 5556 })).toBe('tcp://[fd00::12]:5556');
    expect(metricsEndpoint({ host: '[fd00::12]', port: 5556 })).toBe('tcp://[fd00::12]:5556');
  });
});
