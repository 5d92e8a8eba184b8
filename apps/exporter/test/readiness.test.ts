import { createServer, type Server } from 'node:net';
import { defineCollector, defineMetric } from '@tessera/collector-api';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createExporter, type Exporter } from '../src/index.js';
import { captureLogger, createProject, runBin, type Project } from './helpers.js';
import { noDataPlugin } from './fixtures/plugins.js';

let exporter: Exporter | undefined;
let project: Project | undefined;
let listener: Server | undefined;
afterEach(async () => {
  await exporter?.close();
  exporter = undefined;
  await project?.remove();
  project = undefined;
  await new Promise<void>((resolve) => (listener === undefined ? resolve() : listener.close(() => resolve())));
  listener = undefined;
});

const up = defineMetric({ name: 'source_up', type: 'gauge', help: 'Whether the source answered.', labelNames: [] });

/** A collector whose source answers once `source.reachable` is true: with probe(), or only through collect(). */
function sourcePlugin(name: string, source: { reachable: boolean; probes: number }, withProbe: boolean) {
  return defineCollector({
    specificationVersion: 'v1',
    name,
    description: 'A source that comes up later.',
    defaultEnabled: false,
    configSchema: z.strictObject({}),
    metrics: [up],
    create: () => ({
      collect(sink) {
        if (!source.reachable) return Promise.reject(new Error('connection refused'));
        sink.add(up, {}, 1);
        return Promise.resolve();
      },
      ...(withProbe
        ? {
            probe() {
              source.probes++;
              return source.reachable ? Promise.resolve() : Promise.reject(new Error('connection refused'));
            },
          }
        : {}),
    }),
  });
}

describe('readiness', () => {
  it('answers 503 naming the instances that never served, then 200 once each has (by probe or by a collection)', async () => {
    const probed = { reachable: false, probes: 0 };
    const collected = { reachable: false, probes: 0 };
    exporter = await createExporter({
      plugins: { probed: sourcePlugin('probed', probed, true), collected: sourcePlugin('collected', collected, false), absent: noDataPlugin() },
      onlySuppliedPlugins: true,
      logger: captureLogger().logger,
    });
    const first = await exporter.app.inject({ url: '/-/ready' });
    expect(first.statusCode).toBe(503);
    expect(first.body).toBe('Not ready: waiting for the first successful collection or probe of collected/default, probed/default\n');
    expect(probed.probes).toBe(1);

    probed.reachable = true;
    const half = await exporter.app.inject({ url: '/-/ready' });
    expect(half.statusCode).toBe(503);
    expect(half.body).toBe('Not ready: waiting for the first successful collection or probe of collected/default\n');

    // A scrape that succeeds makes an instance ready as well.
    collected.reachable = true;
    await exporter.app.inject({ url: '/metrics' });
    expect((await exporter.app.inject({ url: '/-/ready' })).statusCode).toBe(200);
    // Ready is kept: no further probe once every instance has served.
    probed.reachable = false;
    expect((await exporter.app.inject({ url: '/-/ready' })).statusCode).toBe(200);
    expect(probed.probes).toBe(2);
  });

  it('answers within its bound while a readiness check hangs, and keeps checking in the background', async () => {
    const hanging = defineCollector({
      specificationVersion: 'v1',
      name: 'hanging',
      description: 'Its probe never answers.',
      defaultEnabled: false,
      configSchema: z.strictObject({}),
      metrics: [up],
      create: () => ({ collect: () => Promise.resolve(), probe: () => new Promise<void>(() => undefined) }),
    });
    exporter = await createExporter({ config: { collectors: { hanging: { timeoutSeconds: 30 } } }, plugins: { hanging }, onlySuppliedPlugins: true, logger: captureLogger().logger });
    const started = performance.now();
    const response = await exporter.app.inject({ url: '/-/ready' });
    expect(response.statusCode).toBe(503);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});

describe('tessera check-config --probe', { timeout: 30_000 }, () => {
  it('prints one line per instance and exits 1 when one source cannot be reached', async () => {
    listener = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listener?.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    const open = typeof address === 'object' && address !== null ? address.port : 0;
    // A port that was free a moment ago: nothing listens there.
    const closedServer = createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, '127.0.0.1', resolve));
    const closedAddress = closedServer.address();
    const closed = typeof closedAddress === 'object' && closedAddress !== null ? closedAddress.port : 0;
    await new Promise<void>((resolve) => closedServer.close(() => resolve()));

    project = await createProject(`collectors:\n  fake:\n    - { instance: reachable, probePort: ${open} }\n    - { instance: unreachable, probePort: ${closed} }\n`);
    const result = await runBin(['check-config', '--probe', '--collector.disable-defaults', '--collector.fake', `--config=${project.configFile}`], { cwd: project.directory });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ok {4}fake\/reachable: reachable \(\d+\.\d{3} s\)\n1 of 2 instances reachable\n$/);
    expect(result.stderr).toMatch(new RegExp(`^FAIL  fake/unreachable: connect ECONNREFUSED 127\\.0\\.0\\.1:${closed}\\n$`, 'm'));

    await project.writeConfig(`collectors:\n  fake:\n    - { instance: reachable, probePort: ${open} }\n`);
    const good = await runBin(['check-config', '--probe', '--collector.disable-defaults', '--collector.fake', `--config=${project.configFile}`], { cwd: project.directory });
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^ok {4}fake\/reachable: reachable \(\d+\.\d{3} s\)\n1 of 1 instance reachable\n$/);
  });
});
