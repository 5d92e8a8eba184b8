import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defineCollector, defineMetric } from '@tessera/collector-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, main } from '../src/index.js';
import { captureStreams } from './helpers.js';

// Two secrets: one in a token file named relative to the config file, one from the environment.
const FILE_TOKEN = 'T-6f1c2a9e-file-0000-token';
const ENV_TOKEN = 'T-84bd0c11-env-1111-token';
const environment = { ARRAY_TOKEN: ENV_TOKEN };

const requests = defineMetric({ name: 'array_requests_total', type: 'counter', help: 'Requests made to the array.', labelNames: [] });

/** Reads its token file, logs its whole config and both tokens at trace, and fails with the URL it used. */
const leaky = defineCollector({
  specificationVersion: 'v1',
  name: 'leaky',
  description: 'Careless with secrets, to prove the host is not.',
  defaultEnabled: false,
  configSchema: z.strictObject({ endpoint: z.string(), apiToken: z.string().optional(), apiTokenFile: z.string().optional(), mode: z.enum(['fail', 'refuse']).default('fail') }),
  metrics: [requests],
  async create(config, context) {
    const fileToken = config.apiTokenFile === undefined ? '' : await context.files.readSecret(config.apiTokenFile);
    context.logger.trace({ config, headers: { 'x-auth-token': fileToken, 'api-token': config.apiToken } }, `created with ${fileToken} and ${config.apiToken ?? ''}`);
    if (config.mode === 'refuse') throw new ConfigError(`the array refused token ${fileToken} for ${config.endpoint}`, { path: ['apiTokenFile'] });
    return {
      collect(sink) {
        sink.add(requests, {}, 1);
        return Promise.reject(new Error(`GET https://pureuser:${fileToken}@${config.endpoint}/api/login?api_token=${config.apiToken ?? ''} failed (token ${fileToken})`));
      },
    };
  },
});

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'tessera-secrets-'));
  await writeFile(join(directory, 'array.token'), `${FILE_TOKEN}\n`);
  await chmod(join(directory, 'array.token'), 0o644);
});
afterAll(() => rm(directory, { recursive: true, force: true }));

function expectNoSecret(text: string, where: string): void {
  expect(text, where).not.toContain(FILE_TOKEN);
  expect(text, where).not.toContain(ENV_TOKEN);
  expect(text, where).not.toContain(encodeURIComponent(ENV_TOKEN));
}

describe('secrets', () => {
  it('never appear in logs (at trace), on the status page or in /metrics, whether read from a file or taken from the environment', async () => {
    const lines: string[] = [];
    const exporter = await createExporter({
      config: { log: { level: 'trace' }, collectors: { leaky: { endpoint: 'array.example', apiTokenFile: 'array.token', apiToken: '${ARRAY_TOKEN}' } } },
      configFile: join(directory, 'tessera.yaml'),
      environment,
      plugins: { leaky },
      onlySuppliedPlugins: true,
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    try {
      const metrics = await exporter.app.inject({ url: '/metrics' });
      expect(metrics.body).toContain('tessera_scrape_collector_success{collector="leaky",collector_instance="default"} 0\n');
      const page = await exporter.app.inject({ url: '/' });
      expect(page.body).toContain('failed: GET https://[REDACTED]@array.example/api/login?api_token=[REDACTED] failed (token [REDACTED])');
      const collected = await exporter.collect();
      expect(collected.errors).toEqual(['leaky/default: GET https://[REDACTED]@array.example/api/login?api_token=[REDACTED] failed (token [REDACTED])']);
      for (const [where, text] of [['/metrics', metrics.body], ['status page', page.body], ['tessera collect', collected.errors.join('\n')]] as const) expectNoSecret(text, where);
    } finally {
      await exporter.close();
    }
    const log = lines.join('');
    expect(log).toContain('created with [REDACTED] and [REDACTED]');
    expect(log).toContain('"apiToken":"[REDACTED]"');
    expect(log).toContain('"x-auth-token":"[REDACTED]"');
    expect(log).toMatch(/secret file \S+array\.token can be read by every user of this machine \(mode 644\)/);
    expectNoSecret(log, 'log');
  });

  it('never appear in a configuration error, from the host, a plugin schema or create()', async () => {
    const configFile = join(directory, 'tessera.yaml');
    const problems: string[] = [];
    const attempt = async (config: unknown): Promise<void> => {
      const error = await createExporter({ config, configFile, environment, plugins: { leaky }, onlySuppliedPlugins: true, logDestination: { write: () => undefined } }).then(
        async (exporter) => {
          await exporter.close();
          return undefined;
        },
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(Error);
      problems.push((error as Error).message);
    };
    await attempt({ web: { listenAddress: '${ARRAY_TOKEN}' } });
    await attempt({ log: { level: '${ARRAY_TOKEN}' } });
    await attempt({ collectors: { leaky: { endpoint: 'array.example', apiTokenFile: 'array.token', mode: 'refuse' } } });
    await attempt({ collectors: { leaky: { endpoint: 'array.example', mode: '${ARRAY_TOKEN}' } } });
    expect(problems[0]).toMatch(/tessera\.yaml: web\.listenAddress: .*\$\{ARRAY_TOKEN\}/);
    expect(problems[1]).toMatch(/tessera\.yaml: log\.level: .*received the value of \$\{ARRAY_TOKEN\}$/);
    expect(problems[2]).toMatch(/tessera\.yaml: collectors\.leaky\.apiTokenFile: the array refused token \[REDACTED\] for array\.example$/);
    expect(problems[3]).toMatch(/tessera\.yaml: collectors\.leaky\.mode: /);
    for (const problem of problems) expectNoSecret(problem, problem);
  });

  it('never reach the terminal in a config error line of the bin, and long values are cut to 80 characters', async () => {
    const configFile = join(directory, 'bad.yaml');
    await writeFile(configFile, `web:\n  listenAddress: "\${ARRAY_TOKEN}"\nlog:\n  format: "${'x'.repeat(500)}"\n`);
    const streams = captureStreams();
    const previous = process.env['ARRAY_TOKEN'];
    process.env['ARRAY_TOKEN'] = ENV_TOKEN;
    try {
      expect(await main([`--config=${configFile}`, 'check-config'], streams)).toBe(2);
    } finally {
      if (previous === undefined) delete process.env['ARRAY_TOKEN'];
      else process.env['ARRAY_TOKEN'] = previous;
    }
    expectNoSecret(streams.stderrText(), 'stderr');
    expect(streams.stderrText().split('\n').filter((line) => line !== '')).toHaveLength(1);
    await writeFile(configFile, `log:\n  format: "${'x'.repeat(500)}"\n`);
    const long = captureStreams();
    expect(await main([`--config=${configFile}`, 'check-config'], long)).toBe(2);
    expect(long.stderrText()).toMatch(/received "x{80}"… \(500 characters\)\n$/);
  });
});
