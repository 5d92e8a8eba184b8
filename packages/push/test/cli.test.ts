import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promtoolCheckMetrics, startPushgateway, type RunningPeer } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { closedPortUrl, familyOf, findGroup } from './helpers.js';

const BIN = fileURLToPath(new URL('../dist/bin/tessera-push.js', import.meta.url));

let gateway: RunningPeer;
let directory: string;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/bin/tessera-push.js is missing: run `pnpm build` first');
  gateway = await startPushgateway();
  directory = await mkdtemp(join(tmpdir(), 'tessera-push-cli-'));
});

afterAll(async () => {
  await gateway.stop();
  await rm(directory, { recursive: true, force: true });
});

/** Runs the built `tessera-push` with a clean environment plus `env`. */
async function tesseraPush(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { exitCode, stdout, stderr };
}

async function file(name: string, content: unknown): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

const TRAINING_FILE = {
  job: 'cli_training',
  groupingKey: { pipeline: 'alice' },
  labels: { team: 'vision' },
  metrics: [
    { name: 'images_processed_total', type: 'counter', help: 'Images processed by the step.', value: 12000 },
    { name: 'model_accuracy_ratio', type: 'gauge', help: 'Validation accuracy.', samples: [{ labels: { split: 'validation' }, value: 0.93 }, { labels: { split: 'test' }, value: 0.91 }] },
    { name: 'step_duration_seconds', type: 'histogram', help: 'Step time.', samples: [{ buckets: { '60': 1, '600': 3 }, sum: 1100, count: 3 }] },
    { name: 'batch_latency_seconds', type: 'summary', help: 'Batch latency.', samples: [{ quantiles: { '0.5': 0.2, '0.99': 0.9 }, sum: 40, count: 100 }] },
  ],
};

describe('tessera-push: invalid input exits 2 and names the JSON path', () => {
  test.each<[string, unknown, RegExp]>([
    ['bad JSON', '{"metrics": [ {"name": "loss", } ]}', /bad-json\.json: \$: invalid JSON at line 1, column \d+/],
    ['a wrong type', { metrics: [{ name: 'loss', type: 'gauge', help: 'Loss.', value: 'high' }] }, /wrong-type\.json: \$\.metrics\[0\]\.value: must be a number/],
    ['a bad metric name', { metrics: [{ name: 'loss value', type: 'gauge', help: 'Loss.', value: 1 }] }, /bad-metric-name\.json: \$\.metrics\[0\]\.name: "loss value" is not a valid metric name/],
    [
      'a duplicate series',
      { metrics: [{ name: 'loss', type: 'gauge', help: 'Loss.', samples: [{ labels: { split: 'a' }, value: 1 }, { labels: { split: 'a' }, value: 2 }] }] },
      /duplicate-series\.json: \$\.metrics\[0\]\.samples\[1\]\.labels: duplicate series loss\{split="a"\}/,
    ],
  ])('%s', async (name, content, message) => {
    const path = await file(`${name.replace(/^an? /, '').replaceAll(' ', '-').toLowerCase()}.json`, content);
    const result = await tesseraPush(['--gateway', gateway.url, '--job', 'cli_invalid', path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(await findGroup(gateway.url, { job: 'cli_invalid' })).toBeUndefined();
  });

  // One CLI process per case: on a loaded 2-core machine each start costs a second or more.
  test.each([
    ['an unknown flag', (path: string) => ['--bogus', path], /unknown option|--bogus/],
    ['a --label without "="', (path: string) => ['--label', 'novalue', '--gateway', gateway.url, path], /novalue/],
    ['no FILE', () => [], /missing FILE/],
    ['no Pushgateway URL', (path: string) => [path], /no Pushgateway URL/],
    ['no job name', async () => ['--gateway', gateway.url, await file('no-job.json', { metrics: [{ name: 'a', type: 'gauge', help: 'A.', value: 1 }] })], /no job name/],
    // Beyond what a Node timer holds: a usage mistake, not a crash and not a failed push.
    ['a timeout no timer can hold', (path: string) => ['--gateway', gateway.url, '--timeout-ms', '99999999999', path], /--timeout-ms must be an integer from 1 to 2147483647/],
  ] as const)('usage mistake: %s exits 2', async (_name, args, message) => {
    const path = await file('usage.json', TRAINING_FILE);
    const result = await tesseraPush([...(await args(path))]);
    expect(result).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(message) as string });
  });

  test('--help explains the exit codes', async () => {
    expect((await tesseraPush(['--help'])).stdout).toMatch(/Exit codes: 0 pushed, 1 push failed/);
  });
});

describe('tessera-push --dry-run', () => {
  test('prints exposition text that passes promtool check metrics, and pushes nothing', async () => {
    const result = await tesseraPush(['--dry-run', await file('dry-run.json', TRAINING_FILE)], { env: { PUSHGATEWAY_URL: gateway.url } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('model_accuracy_ratio{split="validation",team="vision"} 0.93');
    expect(await promtoolCheckMetrics(result.stdout)).toEqual({ exitCode: 0, findings: [] });
    expect(await findGroup(gateway.url, { job: 'cli_training', pipeline: 'alice' })).toBeUndefined();
  });
});

describe('tessera-push pushes', () => {
  test('a JSON file to the real Pushgateway, exit 0; --label joins the grouping key (with "/")', async () => {
    const result = await tesseraPush(['--gateway', gateway.url, '--label', 'path=/data/run', await file('push.json', TRAINING_FILE)]);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(result.stderr).toMatch(/PUT .*\/metrics\/job\/cli_training\/pipeline\/alice\/path@base64\/\S+ answered 200/);
    const group = await findGroup(gateway.url, { job: 'cli_training', pipeline: 'alice', path: '/data/run' });
    expect(familyOf(group, 'images_processed_total')).toMatchObject({ type: 'COUNTER', metrics: [{ value: '12000' }] });
    expect(familyOf(group, 'step_duration_seconds')).toMatchObject({ type: 'HISTOGRAM', metrics: [{ count: '3', buckets: { '60': '1', '600': '3', '+Inf': '3' } }] });
    expect(familyOf(group, 'batch_latency_seconds')).toMatchObject({ type: 'SUMMARY', metrics: [{ count: '100', quantiles: { '0.5': '0.2', '0.99': '0.9' } }] });
  });

  test('Prometheus text from stdin, with PUSHGATEWAY_URL and TESSERA_PUSH_JOB as fallbacks', async () => {
    const text = '# HELP rows_loaded_total Rows loaded.\n# TYPE rows_loaded_total counter\nrows_loaded_total{table="users"} 5000\n';
    const result = await tesseraPush(['-'], { stdin: text, env: { PUSHGATEWAY_URL: gateway.url, TESSERA_PUSH_JOB: 'cli_from_env' } });
    expect(result.exitCode).toBe(0);
    const group = await findGroup(gateway.url, { job: 'cli_from_env' });
    expect(familyOf(group, 'rows_loaded_total')?.metrics[0]).toMatchObject({ value: '5000', labels: { table: 'users' } });
  });

  test('Prometheus text with Windows line endings is pushed as the validator read it', async () => {
    const path = await file('windows.prom', '# HELP rows_loaded_total Rows loaded.\r\n# TYPE rows_loaded_total counter\r\nrows_loaded_total 7\r\n');
    const result = await tesseraPush(['--gateway', gateway.url, '--job', 'cli_crlf', path]);
    expect(result).toMatchObject({ exitCode: 0 });
    expect(familyOf(await findGroup(gateway.url, { job: 'cli_crlf' }), 'rows_loaded_total')?.metrics[0]).toMatchObject({ value: '7' });
  });

  test('--method post keeps the metrics of the group that the file does not name', async () => {
    const first = await file('first.json', { job: 'cli_post', metrics: [{ name: 'a', type: 'gauge', help: 'A.', value: 1 }] });
    const second = await file('second.json', { job: 'cli_post', metrics: [{ name: 'b', type: 'gauge', help: 'B.', value: 2 }] });
    expect((await tesseraPush(['--gateway', gateway.url, first])).exitCode).toBe(0);
    expect((await tesseraPush(['--gateway', gateway.url, '--method', 'post', second])).exitCode).toBe(0);
    const group = await findGroup(gateway.url, { job: 'cli_post' });
    expect(familyOf(group, 'a')).toBeDefined();
    expect(familyOf(group, 'b')).toBeDefined();
  });

  test('a failed push exits 1, or 0 with --best-effort, and says why', async () => {
    const path = await file('down.json', TRAINING_FILE);
    const down = await closedPortUrl();
    const failed = await tesseraPush(['--gateway', down, '--retries', '1', path]);
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toMatch(/push failed after 2 attempts \(connection\): cannot reach 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const bestEffort = await tesseraPush(['--gateway', down, '--retries', '0', '--best-effort', path]);
    expect(bestEffort.exitCode).toBe(0);
    expect(bestEffort.stderr).toMatch(/push failed after 1 attempt \(connection\).*--best-effort: exit 0/);
  });

  test('a 400 from the Pushgateway exits 1 with the gateway reason', async () => {
    await tesseraPush(['--gateway', gateway.url, await file('kind-a.json', { job: 'cli_conflict_a', metrics: [{ name: 'cli_shared', type: 'gauge', help: 'S.', value: 1 }] })]);
    const result = await tesseraPush(['--gateway', gateway.url, await file('kind-b.json', { job: 'cli_conflict_b', metrics: [{ name: 'cli_shared', type: 'untyped', help: 'S.', value: 1 }] })]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/answered 400: pushed metrics are invalid or inconsistent/);
  });
});

describe('configuration mistakes exit 2, even with --best-effort', () => {
  test.each([
    ['an invalid --gateway URL', (path: string) => ['--gateway', 'http://', '--job', 'cli_bad_url', '--best-effort', path], /--gateway: invalid Pushgateway URL "http:\/\/"/],
    ['a gateway URL with another scheme', (path: string) => ['--gateway', 'ftp://gateway:21', '--job', 'cli_bad_url', '--best-effort', path], /not ftp/],
    ['an unreadable --ca-file', (path: string) => ['--gateway', gateway.url, '--ca-file', '/nonexistent/ca.pem', '--job', 'cli_bad_ca', '--best-effort', path], /--ca-file: cannot read \/nonexistent\/ca\.pem/],
  ] as const)('%s', async (_case, args, message) => {
    const path = await file('config-mistake.json', TRAINING_FILE);
    const result = await tesseraPush([...args(path)]);
    expect(result).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(message) as string });
  });

  test('an invalid PUSHGATEWAY_URL is named as such', async () => {
    const result = await tesseraPush(['--job', 'cli_bad_env', '--best-effort', await file('env-mistake.json', TRAINING_FILE)], { env: { PUSHGATEWAY_URL: 'ftp://gateway' } });
    expect(result).toMatchObject({ exitCode: 2, stderr: expect.stringMatching(/PUSHGATEWAY_URL: the Pushgateway URL must be http or https/) as string });
  });

  test('a gateway URL without a scheme (host:port) is read as http://', async () => {
    const result = await tesseraPush(['--job', 'cli_schemeless', await file('schemeless.json', TRAINING_FILE)], { env: { PUSHGATEWAY_URL: new URL(gateway.url).host } });
    expect(result.exitCode).toBe(0);
    expect(familyOf(await findGroup(gateway.url, { job: 'cli_schemeless', pipeline: 'alice' }), 'images_processed_total')).toBeDefined();
  });
});

describe('a file without metrics would empty the group', () => {
  test.each([
    ['an empty text file', 'empty.prom', ''],
    ['a text file with comments only', 'comments.prom', '# nothing measured today\n'],
    ['"metrics": []', 'empty.json', { metrics: [] }],
  ])('%s is refused (exit 2) and the group keeps its last success', async (_case, name, content) => {
    const job = 'cli_keep_success';
    const success = { metrics: [{ name: 'keep_last_success_timestamp_seconds', type: 'gauge', help: 'Last success.', value: 1_800_000_000 }] };
    expect((await tesseraPush(['--gateway', gateway.url, '--job', job, await file('success.json', success)])).exitCode).toBe(0);
    const result = await tesseraPush(['--gateway', gateway.url, '--job', job, await file(name, content)]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/holds no metrics: pushing it would empty the group, erasing its last success timestamp.*--allow-empty/);
    expect(familyOf(await findGroup(gateway.url, { job }), 'keep_last_success_timestamp_seconds')?.metrics[0]?.value).toBe('1.8e+09');
  });

  test('--allow-empty pushes it on purpose: the group is emptied', async () => {
    const job = 'cli_allow_empty';
    expect((await tesseraPush(['--gateway', gateway.url, '--job', job, await file('before.json', { metrics: [{ name: 'empty_me', type: 'gauge', help: 'E.', value: 1 }] })])).exitCode).toBe(0);
    expect((await tesseraPush(['--gateway', gateway.url, '--job', job, '--allow-empty', await file('nothing.prom', '')])).exitCode).toBe(0);
    expect(familyOf(await findGroup(gateway.url, { job }), 'empty_me')).toBeUndefined();
  });
});

describe('JSON keys and encodings', () => {
  test('a key given twice is invalid input naming its path and lines, instead of the last value winning', async () => {
    const text = '{\n  "job": "cli_duplicate",\n  "metrics": [\n    { "name": "loss", "type": "gauge", "help": "Loss.", "value": 0.9, "value": 0.1 }\n  ]\n}\n';
    const result = await tesseraPush(['--gateway', gateway.url, await file('duplicate.json', text)]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('duplicate.json: $.metrics[0].value: key given twice in one object (lines 4 and 4); JSON readers silently keep only the last value');
    expect(await findGroup(gateway.url, { job: 'cli_duplicate' })).toBeUndefined();
  });

  test('a UTF-8 byte order mark (Notepad, PowerShell) is skipped; UTF-16 is named', async () => {
    const json = JSON.stringify({ job: 'cli_bom', metrics: [{ name: 'bom_ok', type: 'gauge', help: 'Read despite the BOM.', value: 1 }] });
    const bom = join(directory, 'bom.json');
    await writeFile(bom, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]));
    expect((await tesseraPush(['--gateway', gateway.url, bom])).exitCode).toBe(0);
    expect(familyOf(await findGroup(gateway.url, { job: 'cli_bom' }), 'bom_ok')).toBeDefined();
    const wide = join(directory, 'utf16.json');
    await writeFile(wide, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]));
    const result = await tesseraPush(['--gateway', gateway.url, wide]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/utf16\.json: line 1: the file is UTF-16 \(it starts with a UTF-16 byte order mark\); save it as UTF-8/);
  });
});
