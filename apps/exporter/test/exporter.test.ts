import { createServer } from 'node:http';
import { ConfigError, defineCollector, defineMetric, type CollectorPlugin } from '@tessera/collector-api';
import { parseText } from '@tessera/exposition';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { z } from 'zod';
import { createExporter } from '../src/index.js';
import { captureLogger, createProject, type Project } from './helpers.js';
import { valuePlugin } from './fixtures/plugins.js';

function collectorInfo(text: string): Record<string, string>[] {
  return (parseText(text).find((family) => family.name === 'tessera_collector_info')?.samples ?? []).map((sample) => ({ ...sample.labels }));
}

describe('createExporter', () => {
  let project: Project;
  beforeAll(async () => {
    project = await createProject();
  });
  afterAll(async () => {
    await project.remove();
  });

  it('says it listens on every interface when no host is given, and returns a loopback URL to reach it', async () => {
    const { logger, records } = captureLogger('info');
    const exporter = await createExporter({ plugins: { alpha: valuePlugin('alpha').plugin }, onlySuppliedPlugins: true, logger });
    try {
      const url = await exporter.listen(':0');
      expect(url).toMatch(/^http:\/\/(\[::1\]|127\.0\.0\.1):\d+$/);
      const line = records.find((record) => String(record.msg).startsWith('listening on'));
      expect(line?.msg).toMatch(/^listening on port \d+ on every interface \((IPv6 and IPv4|IPv4); here: http:\/\/\S+\)$/);
      expect(line?.address).toMatch(/^(\[::\]|0\.0\.0\.0):\d+$/);
      expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
    } finally {
      await exporter.close();
    }
  });

  it('listens on loopback, answers over HTTP, and closes every collector exactly once', async () => {
    const { plugin, calls } = valuePlugin('alpha');
    const { logger, records } = captureLogger('info');
    const exporter = await createExporter({ plugins: { alpha: { plugin, packageName: '@example/alpha', version: '9.9.9' } }, onlySuppliedPlugins: true, logger });
    const url = await exporter.listen('127.0.0.1:0');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(records.map((record) => record.msg)).toEqual(['enabled collectors: alpha', `listening on ${url}`]);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(collectorInfo(await response.text())).toEqual([{ collector: 'alpha', package: '@example/alpha', version: '9.9.9' }]);
    await Promise.all([exporter.close(), exporter.close()]);
    await exporter.close();
    expect(calls.close).toBe(1);
    expect(calls.create).toBe(1);
  });

  it('runs installed builtins that are enabled by default, resolved from the config file directory', async () => {
    const withBuiltins = await createExporter({
      configFile: project.configFile,
      config: { collectors: { fake: { value: 3 } } },
      overrides: { collectors: { disable: ['node'] } },
      logger: captureLogger().logger,
    });
    try {
      expect(withBuiltins.collectors).toEqual(['dcgm', 'fake']);
      const text = (await withBuiltins.app.inject({ url: '/metrics' })).body;
      expect(collectorInfo(text)).toEqual([
        { collector: 'dcgm', package: '@tessera/collector-dcgm', version: '0.0.1-fixture' },
        { collector: 'fake', package: 'tessera-collector-fake', version: '2.5.0' },
      ]);
    } finally {
      await withBuiltins.close();
    }
    const onlySupplied = await createExporter({
      configFile: project.configFile,
      plugins: { alpha: valuePlugin('alpha').plugin },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    expect(onlySupplied.collectors).toEqual(['alpha']);
    await onlySupplied.close();
  });

  it('reports a ConfigError thrown by create() with the entry path', async () => {
    const picky: CollectorPlugin = defineCollector({
      specificationVersion: 'v1',
      name: 'picky',
      description: 'Refuses its directory.',
      defaultEnabled: true,
      configSchema: z.strictObject({ directory: z.string().default('/nope') }),
      metrics: [],
      create(config) {
        throw new ConfigError(`directory ${config.directory} does not exist`, { path: ['directory'] });
      },
    });
    await expect(
      createExporter({ config: { collectors: { picky: [{ instance: 'x' }] } }, configFile: '/etc/tessera/tessera.yaml', plugins: { picky }, onlySuppliedPlugins: true, logger: captureLogger().logger }),
    ).rejects.toThrow('/etc/tessera/tessera.yaml: collectors.picky[0].directory: directory /nope does not exist');
  });

  it('lists the valid keys when a plugin entry has an unknown one (zod schemas expose their keys)', async () => {
    await expect(
      createExporter({ config: { collectors: { alpha: { sorce: 'x' } } }, configFile: 'conf/tessera.yaml', plugins: { alpha: valuePlugin('alpha').plugin }, onlySuppliedPlugins: true, logger: captureLogger().logger }),
    ).rejects.toThrow('conf/tessera.yaml: collectors.alpha.sorce: unknown key (valid keys: source, instance, enabled, timeoutSeconds, cacheTtlSeconds)');
  });

  it('refuses a supplied plugin of another specification version, naming both versions', async () => {
    const future = { ...valuePlugin('future').plugin, specificationVersion: 'v2' } as unknown as CollectorPlugin;
    await expect(createExporter({ plugins: { future }, onlySuppliedPlugins: true, logger: captureLogger().logger })).rejects.toThrow(
      'supplied plugin "future": specificationVersion "v2" is not supported (this host supports "v1")',
    );
  });

  it('hands collectors a working shared undici dispatcher', async () => {
    const server = createServer((_request, response) => response.end('17'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const fetched = defineMetric({ name: 'http_fetched_value', type: 'gauge', help: 'Value read over HTTP.', labelNames: [] });
    const httpPlugin = defineCollector({
      specificationVersion: 'v1',
      name: 'http',
      description: 'Reads a number over HTTP.',
      defaultEnabled: true,
      configSchema: z.strictObject({}),
      metrics: [fetched],
      create: (_config, context) => ({
        async collect(sink, signal) {
          const response = await request(`http://127.0.0.1:${port}/`, { dispatcher: context.dispatcher, signal });
          sink.add(fetched, {}, Number(await response.body.text()));
        },
      }),
    });
    const exporter = await createExporter({ plugins: { http: httpPlugin }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    try {
      expect((await exporter.app.inject({ url: '/metrics' })).body).toContain('http_fetched_value 17\n');
    } finally {
      await exporter.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('cancels scheduled tasks before calling close()', async () => {
    const order: string[] = [];
    let taskSignal: AbortSignal | undefined;
    const polling = defineCollector({
      specificationVersion: 'v1',
      name: 'polling',
      description: 'Samples on its own cadence.',
      defaultEnabled: true,
      configSchema: z.strictObject({}),
      metrics: [],
      create(_config, context) {
        context.scheduler.every(60_000, (signal) => {
          taskSignal = signal;
          return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        }, { runImmediately: true });
        return {
          collect: () => Promise.resolve(),
          close() {
            order.push(`close (task aborted: ${String(taskSignal?.aborted)})`);
          },
        };
      },
    });
    const exporter = await createExporter({ plugins: { polling }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    while (taskSignal === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
    await exporter.close();
    expect(order).toEqual(['close (task aborted: true)']);
  });
});
