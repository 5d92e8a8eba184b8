import { TEXT_CONTENT_TYPE } from '@tessera/exposition';
import { describe, expect, it } from 'vitest';
import { runInHostSmoke, type ExporterModuleLike } from '../src/index.js';
import example from './fixtures/example-collector/example-collector.js';
import { makePlugin } from './plugin-factory.js';

/** A stand-in host answering /metrics with a fixed response, recording what it was created with. */
function fakeHost(response: { statusCode?: number; contentType?: string; body: string }) {
  const calls: { options: unknown; urls: string[]; closed: number } = { options: undefined, urls: [], closed: 0 };
  const module: ExporterModuleLike = {
    createExporter: (options) => {
      calls.options = options;
      return Promise.resolve({
        app: {
          inject: (request) => {
            calls.urls.push(request.url);
            return Promise.resolve({ statusCode: response.statusCode ?? 200, headers: { 'content-type': response.contentType ?? TEXT_CONTENT_TYPE }, body: response.body });
          },
        },
        close: () => {
          calls.closed++;
          return Promise.resolve();
        },
      });
    },
  };
  return { calls, loadExporter: () => Promise.resolve(module) };
}

const success = (value: number): string =>
  `# HELP tessera_scrape_collector_success Whether the collector succeeded.\n# TYPE tessera_scrape_collector_success gauge\ntessera_scrape_collector_success{collector="demo",collector_instance="default"} ${value}\n`;

describe('runInHostSmoke', () => {
  it('creates the host with only this plugin and its config, scrapes /metrics and closes the host', async () => {
    const plugin = makePlugin();
    const host = fakeHost({ body: success(1) });
    const result = await runInHostSmoke(plugin, { config: { url: 'x' }, loadExporter: host.loadExporter });
    expect(result.problems).toEqual([]);
    expect(host.calls).toEqual({
      options: { config: { collectors: { demo: { url: 'x' } }, log: { level: 'warn' } }, plugins: { demo: plugin }, onlySuppliedPlugins: true, logDestination: { write: expect.any(Function) } },
      urls: ['/metrics'],
      closed: 1,
    });
  });

  it('hands the roots to the host as its paths section', async () => {
    const host = fakeHost({ body: success(1) });
    await runInHostSmoke(makePlugin(), { roots: { procfs: '/host/proc' }, logLevel: 'error', loadExporter: host.loadExporter });
    expect(host.calls.options).toMatchObject({ config: { log: { level: 'error' }, paths: { procfs: '/host/proc' } } });
  });

  it('reports a failed collection, a wrong status and a wrong Content-Type', async () => {
    const host = fakeHost({ statusCode: 500, contentType: 'text/plain', body: success(0) });
    expect((await runInHostSmoke(makePlugin(), { loadExporter: host.loadExporter })).problems).toEqual([
      'GET /metrics answered 500',
      `Content-Type is "text/plain", not "${TEXT_CONTENT_TYPE}"`,
      'tessera_scrape_collector_success{collector="demo",collector_instance="default"} is 0, expected 1 (the collection failed in the host; see its log below)',
    ]);
  });

  it('expects success 0 when the source is absent', async () => {
    expect((await runInHostSmoke(makePlugin(), { expectSuccess: false, loadExporter: fakeHost({ body: success(0) }).loadExporter })).problems).toEqual([]);
    expect((await runInHostSmoke(makePlugin(), { expectSuccess: false, loadExporter: fakeHost({ body: success(1) }).loadExporter })).problems).toEqual([
      'tessera_scrape_collector_success{collector="demo",collector_instance="default"} is 1, expected 0',
    ]);
  });

  it('reports a missing series and a body that does not parse', async () => {
    expect((await runInHostSmoke(makePlugin(), { loadExporter: fakeHost({ body: 'other 1\n' }).loadExporter })).problems).toEqual([
      '/metrics has no tessera_scrape_collector_success{collector="demo",collector_instance="default"}',
    ]);
    expect((await runInHostSmoke(makePlugin(), { loadExporter: fakeHost({ body: 'a{ 1\n' }).loadExporter })).problems[0]).toMatch(/^the \/metrics body does not parse: line 1/);
  });

  it('refuses a module without createExporter', async () => {
    await expect(runInHostSmoke(makePlugin(), { loadExporter: () => Promise.resolve({}) })).rejects.toThrow('@tessera/exporter does not export createExporter()');
  });
});

// Each test boots the real host (fastify, pino, the plugin) once or twice: seconds on a loaded machine.
describe('runInHostSmoke with the real @tessera/exporter', { timeout: 30_000 }, () => {
  it('passes the example collector, and reports a collector that fails inside the host', async () => {
    expect((await runInHostSmoke(example)).problems).toEqual([]);
    const failing = makePlugin({ create: () => ({ collect: () => Promise.reject(new Error('source broke')) }) });
    const result = await runInHostSmoke(failing);
    expect(result.problems).toEqual(['tessera_scrape_collector_success{collector="demo",collector_instance="default"} is 0, expected 1 (the collection failed in the host; see its log below)']);
    // The host's log is kept for the failure message, not printed into the test run.
    expect(result.logs.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['collection failed: source broke']);
  });

  it('points the host at the given roots', async () => {
    expect((await runInHostSmoke(example, { roots: { procfs: '/nonexistent' }, expectSuccess: false })).problems).toEqual([]);
    expect((await runInHostSmoke(example, { roots: { procfs: '/nonexistent' } })).problems).toHaveLength(1);
  });
});
