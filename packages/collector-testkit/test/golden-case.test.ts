import { cp, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineMetric, NoDataError } from '@tessera/collector-api';
import { request } from 'undici';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { FIXED_MTIME_SECONDS, FIXED_NOW_MS, isGoldenUpdateRequested, listGoldenCases, runGoldenCase, type StartSimulator } from '../src/index.js';
import example from './fixtures/example-collector/example-collector.js';
import { makePlugin } from './plugin-factory.js';

const exampleCases = fileURLToPath(new URL('fixtures/example-collector/cases/', import.meta.url));
const scratch = await mkdtemp(join(tmpdir(), 'testkit-golden-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let caseCounter = 0;
/** Writes a case directory from a map of relative paths to contents; returns its path. */
async function makeCase(files: Record<string, string>, name = `case-${++caseCounter}`): Promise<string> {
  const caseDir = join(scratch, name);
  await mkdir(caseDir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(caseDir, path)), { recursive: true });
    await writeFile(join(caseDir, path), content);
  }
  return caseDir;
}

async function copyExampleCase(name: string): Promise<string> {
  const caseDir = join(scratch, `${name}-${++caseCounter}`);
  await cp(join(exampleCases, name), caseDir, { recursive: true });
  return caseDir;
}

// Reports every entry under procfs with its mtime, and every symlink with its target: what a
// sysfs-walking collector sees of a case's input tree.
const entryMtime = defineMetric({ name: 'tree_entry_mtime_seconds', type: 'gauge', help: 'Entry mtime.', labelNames: ['path', 'kind'] });
const linkTarget = defineMetric({ name: 'tree_link_info', type: 'gauge', help: 'Symlink target.', labelNames: ['path', 'target'] });
const configured = defineMetric({ name: 'tree_configured_info', type: 'gauge', help: 'Configured directory.', labelNames: ['directory'] });
const collections = defineMetric({ name: 'tree_collections_total', type: 'counter', help: 'Collections so far.', labelNames: [] });
const treePlugin = makePlugin({
  name: 'tree',
  configSchema: z.strictObject({ directory: z.string().default('') }),
  metrics: [entryMtime, linkTarget, configured, collections],
  create: (config, context) => {
    let count = 0;
    const { directory } = config as unknown as { directory: string };
    return {
      async collect(sink) {
        count++;
        const walk = async (path: string): Promise<void> => {
          for (const entry of await readdir(path, { withFileTypes: true })) {
            const full = join(path, entry.name);
            const name = relative(context.roots.procfs, full);
            const stats = await lstat(full);
            sink.add(entryMtime, { path: name, kind: entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'dir' : 'file' }, stats.mtimeMs / 1000);
            if (entry.isSymbolicLink()) sink.add(linkTarget, { path: name, target: await readlink(full) }, 1);
            else if (entry.isDirectory()) await walk(full);
          }
        };
        await walk(context.roots.procfs).catch((error: unknown) => {
          if ((error as { code?: string }).code === 'ENOENT') throw new NoDataError(`no procfs at ${context.roots.procfs}`);
          throw error;
        });
        if (directory !== '') sink.add(configured, { directory }, 1);
        sink.add(collections, {}, count);
      },
    };
  },
});

describe('runGoldenCase', () => {
  it('passes the example cases as committed', async () => {
    for (const caseDir of listGoldenCases(exampleCases)) {
      const result = await runGoldenCase(example, caseDir, { update: false });
      expect(result.passed, result.message).toBe(true);
    }
  });

  it('returns what the collector logged, with its bindings', async () => {
    const result = await runGoldenCase(example, join(exampleCases, 'basic'), { update: false, context: { instance: 'edge' } });
    expect(result.logs).toEqual([{ level: 'debug', bindings: { collector: 'example', instance: 'edge' }, message: 'closed', fields: {} }]);
  });

  it('fails a mismatching golden with a readable diff and says how to accept the new output', async () => {
    const caseDir = await copyExampleCase('basic');
    const expectedFile = join(caseDir, 'expected.prom');
    await writeFile(expectedFile, (await readFile(expectedFile, 'utf8')).replace('example_load1 0.52', 'example_load1 0.5'));
    const result = await runGoldenCase(example, caseDir, { update: false });
    expect(result).toMatchObject({ name: caseDir.split('/').at(-1), passed: false, updated: false, outcome: 'metrics', expectedFile });
    expect(result.message).toContain('the exposition differs from expected.prom (- expected, + actual)');
    expect(result.message).toContain('- example_load1 0.5\n+ example_load1 0.52');
    expect(result.message).toContain('TESSERA_UPDATE_GOLDEN=1');
    expect(result.actual).toContain('example_load1 0.52\n');
  });

  it('rewrites the golden in update mode, after which the case passes', async () => {
    const caseDir = await copyExampleCase('basic');
    await writeFile(join(caseDir, 'expected.prom'), 'stale\n');
    const updated = await runGoldenCase(example, caseDir, { update: true });
    expect([updated.passed, updated.updated]).toEqual([true, true]);
    expect(await readFile(join(caseDir, 'expected.prom'), 'utf8')).toBe(updated.actual);
    expect((await runGoldenCase(example, caseDir, { update: false })).passed).toBe(true);
  });

  it('switches expected.prom to expected.err in update mode when the collection now fails', async () => {
    const caseDir = await copyExampleCase('basic');
    await rm(join(caseDir, 'input'), { recursive: true });
    const result = await runGoldenCase(example, caseDir, { update: true });
    expect(result.outcome).toBe('error');
    expect(await readdir(caseDir)).toEqual(['config.yaml', 'expected.err']);
    expect(await readFile(join(caseDir, 'expected.err'), 'utf8')).toBe('example: ${inputDir}/proc/loadavg does not exist\ncode: ERR_TESSERA_NO_DATA\n');
  });

  it('keeps only the file that applies when updating a case that has both', async () => {
    const caseDir = await makeCase({ 'expected.prom': '', 'expected.err': 'x\n' });
    expect((await runGoldenCase(example, caseDir, { update: true })).updated).toBe(true);
    expect(await readdir(caseDir)).toEqual(['expected.err']);
  });

  it('fails a case without an expected file, saying how to create one', async () => {
    const caseDir = await makeCase({ 'input/proc/loadavg': '1 2 3 4/5 6\n' });
    const result = await runGoldenCase(example, caseDir, { update: false });
    expect(result.passed).toBe(false);
    expect(result.message).toMatch(/no expected.prom or expected.err; this run produced metrics. To create it, run with TESSERA_UPDATE_GOLDEN=1/);
  });

  it('compares expected.err by first line and by each detail line it lists', async () => {
    const good = await makeCase({ 'expected.err': 'example: ${inputDir}/proc/loadavg does not exist\n' });
    expect((await runGoldenCase(example, good, { update: false })).passed).toBe(true);
    const wrongCode = await makeCase({ 'expected.err': 'example: ${inputDir}/proc/loadavg does not exist\ncode: ERR_OTHER\n' });
    expect((await runGoldenCase(example, wrongCode, { update: false })).message).toContain('the error lacks code: ERR_OTHER');
    const wrongMessage = await makeCase({ 'expected.err': 'something else\n' });
    const result = await runGoldenCase(example, wrongMessage, { update: false });
    expect(result.message).toContain('the error message differs from expected.err');
    expect(result.message).toContain('- something else\n+ example: ${inputDir}/proc/loadavg does not exist');
  });

  it('reports config errors with their path in expected.err', async () => {
    const result = await runGoldenCase(example, await makeCase({ 'config.yaml': 'includeProcesses: 3\nextra: 1\n' }), { update: false });
    expect(result.outcome).toBe('error');
    expect(result.actual).toMatch(/^.+\ncode: ERR_TESSERA_CONFIG\npath: /);
  });

  it('says which outcome it expected when the other happened', async () => {
    const expectedMetrics = await makeCase({ 'expected.prom': 'example_load1 1\n' });
    expect((await runGoldenCase(example, expectedMetrics, { update: false })).message).toMatch(
      /expected metrics \(expected.prom\) but the collector failed:\nexample: \$\{inputDir\}\/proc\/loadavg does not exist/,
    );
    const expectedError = await makeCase({ 'expected.err': 'boom\n', 'input/proc/loadavg': '1 2 3 4/5 6\n' });
    expect((await runGoldenCase(example, expectedError, { update: false })).message).toContain('expected an error (expected.err: boom) but the collection succeeded');
  });

  it.each([
    [{ 'expected.prom': '', 'expected.err': 'x\n' }, 'has both expected.prom and expected.err'],
    [{ 'config.yaml': 'instance: a\n' }, 'config.yaml sets instance: host keys are not part of'],
    [{ 'input/proc/x': '', 'steps/1/proc/x': '' }, 'has both input/ and steps/'],
    [{ 'steps/first/proc/x': '' }, 'steps/ holds no numbered step directories'],
    [{ 'input/http.yaml': '- path: /x\n  colour: red\n' }, 'unknown key colour'],
    [{ 'config.yaml': 'a: [\n' }, 'config.yaml does not parse'],
  ])('fails a broken case layout as setup (%o)', async (files, message) => {
    const result = await runGoldenCase(example, await makeCase(files), { update: false });
    expect(result).toMatchObject({ passed: false, outcome: 'setup', updated: false });
    expect(result.message).toContain(message);
  });

  it('fixes every mtime (files, directories, symlinks), keeps relative symlinks and fills ${inputDir}', async () => {
    const caseDir = await makeCase({ 'config.yaml': 'directory: ${inputDir}/proc/net\n', 'input/proc/net/dev': 'eth0\n', 'input/proc/stat': 'cpu 1\n' });
    await symlink('../stat', join(caseDir, 'input/proc/net/stat-link'));
    const result = await runGoldenCase(treePlugin, caseDir, { update: true });
    expect(result.actual).toBe(
      [
        '# HELP tree_collections_total Collections so far.',
        '# TYPE tree_collections_total counter',
        'tree_collections_total 1',
        '# HELP tree_configured_info Configured directory.',
        '# TYPE tree_configured_info gauge',
        'tree_configured_info{directory="${inputDir}/proc/net"} 1',
        '# HELP tree_entry_mtime_seconds Entry mtime.',
        '# TYPE tree_entry_mtime_seconds gauge',
        'tree_entry_mtime_seconds{path="net",kind="dir"} 1.7e+09',
        'tree_entry_mtime_seconds{path="net/dev",kind="file"} 1.7e+09',
        'tree_entry_mtime_seconds{path="net/stat-link",kind="link"} 1.7e+09',
        'tree_entry_mtime_seconds{path="stat",kind="file"} 1.7e+09',
        '# HELP tree_link_info Symlink target.',
        '# TYPE tree_link_info gauge',
        'tree_link_info{path="net/stat-link",target="../stat"} 1',
        '',
      ].join('\n'),
    );
    expect(FIXED_MTIME_SECONDS).toBe(1.7e9);
  });

  it('runs steps in numeric order on one instance, replacing the tree between them', async () => {
    const caseDir = await makeCase({
      'steps/1/proc/cpu0': '',
      'steps/1/proc/cpu2': '',
      'steps/2/proc/cpu0': '',
      'steps/10/proc/cpu0': '',
      'steps/10/proc/cpu1': '',
    });
    const result = await runGoldenCase(treePlugin, caseDir, { update: true });
    expect(result.actual).toContain('tree_collections_total 3\n');
    expect(result.actual).toContain('path="cpu1"');
    expect(result.actual).not.toContain('path="cpu2"');
  });

  it('fails a case whose collector throws from close(), in update mode too', async () => {
    const plugin = makePlugin({ create: () => ({ collect: () => Promise.resolve(), close: () => Promise.reject(new Error('socket busy')) }) });
    const result = await runGoldenCase(plugin, await makeCase({}), { update: true });
    expect(result).toMatchObject({ passed: false, updated: false, message: expect.stringContaining('close() threw socket busy') as unknown });
  });

  it('names the failing step when a multi-step case fails unexpectedly', async () => {
    const caseDir = await makeCase({ 'steps/1/proc/loadavg': '1 2 3 4/5 6\n', 'steps/2/sys/x': '', 'expected.prom': '' });
    const result = await runGoldenCase(example, caseDir, { update: false });
    expect(result.message).toContain('but the collector failed at step 2');
  });

  describe('with input/http.yaml', () => {
    const value = defineMetric({ name: 'rest_value', type: 'gauge', help: 'A value from the REST API.', labelNames: ['name'] });
    const restPlugin = makePlugin({
      name: 'rest',
      configSchema: z.strictObject({ url: z.string() }),
      metrics: [value],
      create: (config, context) => ({
        async collect(sink, signal) {
          const response = await request(`${config.url}/api/values?b=2&a=1`, { dispatcher: context.dispatcher, signal });
          if (response.statusCode !== 200) throw new Error(`GET /api/values answered ${response.statusCode}: ${await response.body.text()}`);
          const body = (await response.body.json()) as Record<string, number>;
          for (const [name, number] of Object.entries(body)) sink.add(value, { name }, number);
        },
      }),
    });

    it('serves the fixtures through the MockAgent for whatever origin the config names', async () => {
      const caseDir = await makeCase({
        'config.yaml': 'url: https://array.example:8443\n',
        'input/http.yaml': '- path: /api/values?a=1&b=2\n  body: {"x": 1.5, "y": 2}\n',
      });
      const result = await runGoldenCase(restPlugin, caseDir, { update: true });
      expect(result.actual).toContain('rest_value{name="x"} 1.5\nrest_value{name="y"} 2\n');
    });

    it('swaps the fixture set per step and fails calls no fixture of the current step matches', async () => {
      const caseDir = await makeCase({
        'config.yaml': 'url: http://10.0.0.1\n',
        'steps/1/http.yaml': '- method: get\n  path: /api/values?a=1&b=2\n  bodyFile: values.json\n',
        'steps/1/values.json': '{"x": 1}',
        'steps/2/http.yaml': '- origin: http://10.0.0.1\n  path: /api/values?a=1&b=2\n  body: {"x": 2}\n',
        'steps/3/http.yaml': '- path: /api/other\n  status: 500\n',
      });
      const twoSteps = await makeCase({ 'config.yaml': 'url: http://10.0.0.1\n' }, 'two-steps');
      await cp(join(caseDir, 'steps'), join(twoSteps, 'steps'), { recursive: true });
      await rm(join(twoSteps, 'steps/3'), { recursive: true });
      expect((await runGoldenCase(restPlugin, twoSteps, { update: true })).actual).toContain('rest_value{name="x"} 2\n');
      const result = await runGoldenCase(restPlugin, caseDir, { update: true });
      expect(result.outcome).toBe('error');
      expect(result.actual).toMatch(/Mock dispatch not matched|not matched/i);
    });

    it('serves fixtures without an origin for every method, a login POST beside the GETs', async () => {
      const session = defineMetric({ name: 'rest_session_info', type: 'gauge', help: 'The session the login returned.', labelNames: ['token'] });
      const loginPlugin = makePlugin({
        name: 'login',
        configSchema: z.strictObject({ url: z.string() }),
        metrics: [session],
        create: (config, context) => ({
          async collect(sink, signal) {
            const login = await request(`${config.url}/api/login`, { method: 'POST', dispatcher: context.dispatcher, signal });
            const token = String(login.headers['x-auth-token']);
            await login.body.dump();
            const values = await request(`${config.url}/api/values`, { dispatcher: context.dispatcher, signal, headers: { 'x-auth-token': token } });
            await values.body.dump();
            sink.add(session, { token }, values.statusCode);
          },
        }),
      });
      const caseDir = await makeCase({
        'config.yaml': 'url: https://array.example\n',
        'input/http.yaml': '- path: /api/values\n  body: {}\n- method: POST\n  path: /api/login\n  headers: {x-auth-token: session-1}\n',
      });
      const result = await runGoldenCase(loginPlugin, caseDir, { update: true });
      expect(result.actual).toContain('rest_session_info{token="session-1"} 200\n');
    });

    it('returns the fixture status and headers', async () => {
      const caseDir = await makeCase({
        'config.yaml': 'url: http://10.0.0.1\n',
        'input/http.yaml': '- path: /api/values?a=1&b=2\n  status: 503\n  headers: {Retry-After: "5"}\n  body: busy\n',
      });
      const result = await runGoldenCase(restPlugin, caseDir, { update: true });
      expect(result.actual).toBe('GET /api/values answered 503: busy\n');
    });
  });
});

describe('golden cases of sampled collectors, parts and simulators', () => {
  const reading = defineMetric({ name: 'sampled_reading', type: 'gauge', help: 'A sampled reading.', labelNames: ['device', 'pod'], optionalLabels: ['pod'] });
  // Samples a counter in the background (at most 30 s old) and serves each device as a part.
  const sampledPlugin = makePlugin({
    name: 'sampled',
    configSchema: z.strictObject({ devices: z.array(z.string()).default(['a', 'b']), broken: z.string().default('') }),
    metrics: [reading],
    create: (config, context) => {
      const { devices, broken } = config as unknown as { devices: string[]; broken: string };
      let samples = 0;
      const task = context.scheduler.every(10_000, () => ++samples, { maxAgeMs: 30_000 });
      return {
        async collect(sink, signal) {
          const value = await task.latest(signal);
          for (const device of devices) {
            await sink.part(`device/${device}`, (part) => {
              if (device === broken) throw new Error(`device ${device} fell off the bus`);
              part.add(reading, { device, pod: device === 'a' ? 'trainer' : '' }, value);
            });
          }
        },
      };
    },
  });

  it('advances the clock between steps and can skip the background run, so staleness is testable', async () => {
    const caseDir = await makeCase({
      'config.yaml': 'devices: [a]\n',
      'steps/1/.keep': '',
      'steps/2/step.yaml': 'advanceSeconds: 20\n',
      'steps/3/step.yaml': 'advanceSeconds: 31\nrunScheduled: false\n',
      'expected.err': 'the last successful run of background task sample was 31 s ago, more than the 30 s allowed\ncode: ERR_TESSERA_STALE_DATA\n',
    });
    const result = await runGoldenCase(sampledPlugin, caseDir, { update: false });
    expect(result.passed, result.message).toBe(true);
  });

  it('pins which parts failed in expected.parts, and leaves empty optional labels out', async () => {
    const caseDir = await makeCase({ 'config.yaml': 'broken: b\ndevices: [a, b, c]\n' });
    const written = await runGoldenCase(sampledPlugin, caseDir, { update: true });
    expect(written.updated).toBe(true);
    expect(await readFile(join(caseDir, 'expected.parts'), 'utf8')).toBe('device/a ok\ndevice/b failed: device b fell off the bus\ndevice/c ok\n');
    expect(await readFile(join(caseDir, 'expected.prom'), 'utf8')).toBe(
      '# HELP sampled_reading A sampled reading.\n# TYPE sampled_reading gauge\nsampled_reading{device="a",pod="trainer"} 1\nsampled_reading{device="c"} 1\n',
    );
    expect((await runGoldenCase(sampledPlugin, caseDir, { update: false })).passed).toBe(true);
    await writeFile(join(caseDir, 'expected.parts'), 'device/a ok\ndevice/b ok\ndevice/c ok\n');
    const result = await runGoldenCase(sampledPlugin, caseDir, { update: false });
    expect(result.passed).toBe(false);
    expect(result.message).toContain('the parts differ from expected.parts');
    expect(result.message).toMatch(/\+ ?device\/b failed: device b fell off the bus/);
  });

  it('fails a case whose collection ran parts but that has no expected.parts', async () => {
    const caseDir = await makeCase({ 'config.yaml': 'devices: [a]\n', 'expected.prom': '# HELP sampled_reading A sampled reading.\n# TYPE sampled_reading gauge\nsampled_reading{device="a",pod="trainer"} 1\n' });
    const result = await runGoldenCase(sampledPlugin, caseDir, { update: false });
    expect(result.passed).toBe(false);
    expect(result.message).toContain('the collection ran parts but the case has no expected.parts');
  });

  it('runs a case against the simulator it names, fills ${simulator.<key>} and writes the address back as the placeholder', async () => {
    const served = defineMetric({ name: 'served_bytes', type: 'gauge', help: 'Bytes the simulator served.', labelNames: ['url'] });
    const httpPlugin = makePlugin({
      name: 'http',
      configSchema: z.strictObject({ url: z.string() }),
      metrics: [served],
      create: (config, context) => ({
        async collect(sink, signal) {
          const { url } = config;
          const response = await request(url, { dispatcher: context.createDispatcher({ connections: 1 }), signal });
          sink.add(served, { url }, (await response.body.text()).length);
        },
      }),
    });
    const { createServer } = await import('node:http');
    const started: string[] = [];
    const startSimulator: StartSimulator = async (name, options, { clock }) => {
      started.push(`${name} ${JSON.stringify(options)}`);
      // Serves one byte more per second of the case's clock, so the steps show the simulator keeps its time.
      const server = createServer((_request, response) => response.end('x'.repeat(Number(options['size']) + Math.floor((clock.now() - FIXED_NOW_MS) / 1000))));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      return { placeholders: { url: `http://127.0.0.1:${port}/data` }, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    };
    const caseDir = await makeCase({
      'simulator.yaml': 'name: web\noptions: { size: 42 }\n',
      'config.yaml': 'url: ${simulator.url}\n',
      'steps/1/.keep': '',
      'steps/2/step.yaml': 'advanceSeconds: 8\n',
      'expected.prom': '# HELP served_bytes Bytes the simulator served.\n# TYPE served_bytes gauge\nserved_bytes{url="${simulator.url}"} 50\n',
    });
    const result = await runGoldenCase(httpPlugin, caseDir, { update: false, startSimulator });
    expect(result.passed, result.message).toBe(true);
    expect(started).toEqual(['web {"size":42}']);
    const withoutStarter = await runGoldenCase(httpPlugin, caseDir, { update: false });
    expect(withoutStarter).toMatchObject({ passed: false, outcome: 'setup' });
    expect(withoutStarter.message).toContain('no startSimulator was given');
  });

  it('fails a case whose simulator does not start as setup, and still removes its input root', async () => {
    // A private temporary directory, so the case's input root can be seen coming and going.
    const temporary = await mkdtemp(join(scratch, 'tmp-'));
    vi.stubEnv('TMPDIR', temporary);
    try {
      const startSimulator: StartSimulator = async () => {
        expect(await readdir(temporary)).toHaveLength(1);
        throw new Error('port 4242 in use');
      };
      const result = await runGoldenCase(example, await makeCase({ 'simulator.yaml': 'name: web\n' }), { update: true, startSimulator });
      expect(result).toMatchObject({ passed: false, updated: false, outcome: 'setup', message: expect.stringContaining('simulator web did not start: port 4242 in use') as unknown });
      expect(await readdir(temporary)).toEqual([]);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('writes a simulator placeholder back only where the value stands on its own, never inside a number', async () => {
    const address = defineMetric({ name: 'reached', type: 'gauge', help: 'What the collector reached.', labelNames: ['endpoint'] });
    const portPlugin = makePlugin({
      name: 'port',
      configSchema: z.strictObject({ host: z.string(), port: z.string() }),
      metrics: [address],
      create: (config) => ({
        collect(sink) {
          // makePlugin types the config of its default schema; this plugin's schema is the one above.
          const { host, port } = config as unknown as { host: string; port: string };
          // Values that contain the port's digits: the expected file must not depend on the port.
          sink.add(address, { endpoint: `tcp://${host}:${port}` }, Number(`0.0${port}5`));
          sink.add(address, { endpoint: `${host}/${port}` }, Number(`1${port}`));
          sink.add(address, { endpoint: `${port}9` }, Number(`0.${port}`));
          return Promise.resolve();
        },
      }),
    });
    const startSimulator = () => Promise.resolve({ placeholders: { host: '127.0.0.1', port: '4242' }, close: () => Promise.resolve() });
    const caseDir = await makeCase({ 'simulator.yaml': 'name: tcp\n', 'config.yaml': 'host: ${simulator.host}\nport: ${simulator.port}\n' });
    const result = await runGoldenCase(portPlugin, caseDir, { update: true, startSimulator });
    expect(result.actual).toBe(
      [
        '# HELP reached What the collector reached.',
        '# TYPE reached gauge',
        'reached{endpoint="${simulator.host}/${simulator.port}"} 14242',
        'reached{endpoint="42429"} 0.4242',
        'reached{endpoint="tcp://${simulator.host}:${simulator.port}"} 0.042425',
        '',
      ].join('\n'),
    );
  });
});

describe('listGoldenCases', () => {
  it('lists case directories sorted by name, ignoring files', async () => {
    const casesDir = join(scratch, 'list');
    await mkdir(join(casesDir, 'b'), { recursive: true });
    await mkdir(join(casesDir, 'a'), { recursive: true });
    await writeFile(join(casesDir, 'README.md'), '');
    expect(listGoldenCases(casesDir)).toEqual([join(casesDir, 'a'), join(casesDir, 'b')]);
    expect(listGoldenCases(join(scratch, 'absent'))).toEqual([]);
  });
});

describe('isGoldenUpdateRequested', () => {
  it('reads TESSERA_UPDATE_GOLDEN', () => {
    const saved = process.env.TESSERA_UPDATE_GOLDEN;
    try {
      for (const [value, expected] of [['1', true], ['true', true], ['0', false], ['', false]] as const) {
        process.env.TESSERA_UPDATE_GOLDEN = value;
        expect(isGoldenUpdateRequested()).toBe(expected);
      }
    } finally {
      if (saved === undefined) delete process.env.TESSERA_UPDATE_GOLDEN;
      else process.env.TESSERA_UPDATE_GOLDEN = saved;
    }
  });
});
