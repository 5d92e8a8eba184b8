import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startPushgateway, type RunningPeer } from '@tessera/test-support';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { closedPortUrl, familyOf, findGroup, startSilentServer, type GatewayGroup } from './helpers.js';

const BIN = fileURLToPath(new URL('../dist/bin/tessera-push.js', import.meta.url));

let gateway: RunningPeer;
let directory: string;
/** Every process a test starts; whatever is still alive after the test is killed. */
const started = new Set<ChildProcess>();

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error('dist/bin/tessera-push.js is missing: run `pnpm build` first');
  gateway = await startPushgateway();
  directory = await mkdtemp(join(tmpdir(), 'tessera-push-exec-'));
});

afterEach(() => {
  // Each process leads its own process group, so its command (and anything that forked) goes too.
  for (const child of started) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  started.clear();
});

afterAll(async () => {
  await gateway.stop();
  await rm(directory, { recursive: true, force: true });
});

interface Outcome {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** performance.now() when the process ended. */
  readonly endedAt: number;
}

interface Running {
  readonly child: ChildProcess;
  readonly outcome: Promise<Outcome>;
  /** Resolves once stdout holds `text`. */
  stdoutHas(text: string): Promise<void>;
}

/** Starts `command` (the built bin unless `command` is given), killed after `timeoutMs` whatever happens. */
function start(args: readonly string[], options: { stdin?: string; env?: Record<string, string>; timeoutMs?: number; command?: readonly string[] } = {}): Running {
  const [file, ...prefix] = options.command ?? [process.execPath, BIN];
  const child = spawn(file!, [...prefix, ...args], { env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'], cwd: directory, detached: true });
  started.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters.filter((entry) => stdout.includes(entry.text))) waiter.resolve();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A command that exits without reading its input (a usage error) closes the pipe first: not a test failure.
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.stdin ?? '');
  const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), options.timeoutMs ?? 20_000);
  const outcome = new Promise<Outcome>((resolve) =>
    child.once('close', (exitCode, signal) => {
      clearTimeout(killer);
      resolve({ exitCode, signal, stdout, stderr, endedAt: performance.now() });
    }),
  );
  return {
    child,
    outcome,
    stdoutHas: (text) => (stdout.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
}

function exec(job: string, command: readonly string[], options: { flags?: readonly string[]; stdin?: string; gatewayUrl?: string; timeoutMs?: number } = {}): Running {
  return start(['exec', '--gateway', options.gatewayUrl ?? gateway.url, '--job', job, ...(options.flags ?? []), '--', ...command], options);
}

const value = (group: GatewayGroup | undefined, name: string): string | undefined => familyOf(group, name)?.metrics[0]?.value;

describe('tessera-push exec reproduces how the command ended', () => {
  test('exit 0: exit status 0, the success pushed with start time, duration, CPU time and in_progress 0', async () => {
    const run = exec('exec_ok', ['sh', '-c', 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done']);
    const outcome = await run.outcome;
    expect(outcome).toMatchObject({ exitCode: 0, signal: null });
    const group = await findGroup(gateway.url, { job: 'exec_ok' });
    expect(value(group, 'exec_ok_exit_code')).toBe('0');
    expect(value(group, 'exec_ok_in_progress')).toBe('0');
    const now = Date.now() / 1000;
    for (const name of ['start_timestamp_seconds', 'last_success_timestamp_seconds', 'last_completion_timestamp_seconds']) {
      expect(Math.abs(Number(value(group, `exec_ok_${name}`)) - now), name).toBeLessThan(60);
    }
    expect(Number(value(group, 'exec_ok_duration_seconds'))).toBeGreaterThan(0);
    expect(Number(value(group, 'exec_ok_cpu_seconds_total'))).toBeGreaterThan(0);
    expect(familyOf(group, 'exec_ok_last_failure_timestamp_seconds')).toBeUndefined();
  });

  test('exit 3: exit status 3 and a failure pushed', async () => {
    const outcome = await exec('exec_three', ['sh', '-c', 'exit 3']).outcome;
    expect(outcome).toMatchObject({ exitCode: 3, signal: null });
    const group = await findGroup(gateway.url, { job: 'exec_three' });
    expect(value(group, 'exec_three_exit_code')).toBe('3');
    expect(familyOf(group, 'exec_three_last_failure_timestamp_seconds')).toBeDefined();
    expect(familyOf(group, 'exec_three_last_success_timestamp_seconds')).toBeUndefined();
  });

  test('killed by SIGKILL: the wrapper ends by SIGKILL too, and exit code 137 is pushed', async () => {
    const outcome = await exec('exec_killed', ['sh', '-c', 'kill -KILL $$']).outcome;
    expect(outcome).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(value(await findGroup(gateway.url, { job: 'exec_killed' }), 'exec_killed_exit_code')).toBe('137');
  });

  test('stdin, stdout and stderr are passed through', async () => {
    const outcome = await exec('exec_stdio', ['sh', '-c', 'read line; echo "out:$line"; echo "err:$line" >&2'], { stdin: 'hello\n' }).outcome;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stdout).toBe('out:hello\n');
    expect(outcome.stderr).toBe('err:hello\n');
  });

  test('a command that does not exist: exit status 127, as a shell gives, and the failure is pushed', async () => {
    const outcome = await exec('exec_missing', ['/nonexistent/train']).outcome;
    expect(outcome.exitCode).toBe(127);
    expect(outcome.stderr).toMatch(/cannot run \/nonexistent\/train: .*ENOENT/);
    expect(value(await findGroup(gateway.url, { job: 'exec_missing' }), 'exec_missing_exit_code')).toBe('127');
  });
});

describe('signals sent to the wrapper', () => {
  test('SIGTERM reaches the command, which cleans up; the final push records how it ended', async () => {
    const run = exec('exec_term_trap', ['sh', '-c', "trap 'echo cleaning up; exit 42' TERM; echo ready; while :; do sleep 0.05; done"]);
    await run.stdoutHas('ready');
    run.child.kill('SIGTERM');
    const outcome = await run.outcome;
    expect(outcome).toMatchObject({ exitCode: 42, signal: null });
    expect(outcome.stdout).toContain('cleaning up');
    const group = await findGroup(gateway.url, { job: 'exec_term_trap' });
    expect(value(group, 'exec_term_trap_exit_code')).toBe('42');
    expect(value(group, 'exec_term_trap_in_progress')).toBe('0');
  });

  test('a command that SIGTERM ends: the wrapper ends by SIGTERM, and 143 is pushed', async () => {
    const run = exec('exec_term', ['sh', '-c', 'echo ready; exec sleep 30']);
    await run.stdoutHas('ready');
    await delay(100); // let `exec sleep` replace the shell
    run.child.kill('SIGTERM');
    expect(await run.outcome).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
    expect(value(await findGroup(gateway.url, { job: 'exec_term' }), 'exec_term_exit_code')).toBe('143');
  });
});

describe('the metrics file', () => {
  test('rewritten every 200 ms, its latest complete values show on the gateway while the command runs', async () => {
    const script = `
import json, os, time
path = os.environ['TESSERA_METRICS_FILE']
for step in range(1, 16):
    with open(path + '.tmp', 'w') as f:
        json.dump({'metrics': [{'name': 'live_step', 'type': 'gauge', 'help': 'Step.', 'value': step}]}, f)
    os.replace(path + '.tmp', path)
    time.sleep(0.2)
`;
    const run = exec('exec_live', ['python3', '-c', script], { flags: ['--metrics-file', 'live.json', '--interval', '150ms'] });
    const seen = new Set<number>();
    let running = true;
    void run.outcome.then(() => (running = false));
    while (running) {
      const group = await findGroup(gateway.url, { job: 'exec_live' });
      if (value(group, 'exec_live_in_progress') === '1' && value(group, 'live_step') !== undefined) seen.add(Number(value(group, 'live_step')));
      await delay(100);
    }
    expect((await run.outcome).exitCode).toBe(0);
    // Seen while the command ran (in_progress 1), rising: the pushes followed the file.
    expect(seen.size).toBeGreaterThanOrEqual(3);
    const values = [...seen];
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(value(await findGroup(gateway.url, { job: 'exec_live' }), 'live_step')).toBe('15');
  });

  test.each([
    ['JSON', 'half.json', (step: number) => JSON.stringify({ metrics: [{ name: 'half_epoch', type: 'gauge', help: 'Epoch.', value: step }, { name: 'half_loss', type: 'gauge', help: 'Loss.', value: 1 / step }] })],
    ['Prometheus text', 'half.prom', (step: number) => `# HELP half_epoch Epoch.\n# TYPE half_epoch gauge\nhalf_epoch ${step}\n# HELP half_loss Loss.\n# TYPE half_loss gauge\nhalf_loss ${1 / step}\n# EOF\n`],
  ])('a half-written %s file is never pushed', async (_format, name, render) => {
    // The command writes epoch 1 whole, then rewrites the file in place and stops halfway (a prefix
    // that holds epoch 2) until told to go on, then completes it. Each step waits for the test, so a
    // slow machine changes nothing: epoch 1 is pushed before the rewrite starts, and every push made
    // while the file is half-written is looked at.
    const first = render(1);
    const second = render(2);
    const cut = second.indexOf('half_loss');
    const wait = (step: string): string => `while not os.path.exists(${JSON.stringify(`${name}.${step}`)}): time.sleep(0.02)`;
    const script = `
import os, sys, time
path = os.environ['TESSERA_METRICS_FILE']
with open(path, 'w') as f: f.write(${JSON.stringify(first)})
${wait('rewrite')}
with open(path, 'w') as f:
    f.write(${JSON.stringify(second.slice(0, cut))}); f.flush()
    print('half', flush=True)
    ${wait('complete')}
    f.write(${JSON.stringify(second.slice(cut))})
print('complete', flush=True)
time.sleep(0.6)
`;
    const job = `exec_half_${name.replace('.', '_')}`;
    const run = exec(job, ['python3', '-c', script], { flags: ['--metrics-file', name, '--interval', '100ms'] });
    while (value(await findGroup(gateway.url, { job }), 'half_epoch') !== '1') await delay(50);
    await writeFile(join(directory, `${name}.rewrite`), '');
    await run.stdoutHas('half');
    const duringHalf: (string | undefined)[] = [];
    const until = performance.now() + 900;
    while (performance.now() < until) {
      duringHalf.push(value(await findGroup(gateway.url, { job }), 'half_epoch'));
      await delay(50);
    }
    await writeFile(join(directory, `${name}.complete`), '');
    await run.stdoutHas('complete');
    const outcome = await run.outcome;
    expect(outcome.exitCode).toBe(0);
    expect(duringHalf.length).toBeGreaterThan(3);
    expect(new Set(duringHalf)).toEqual(new Set(['1']));
    expect(value(await findGroup(gateway.url, { job }), 'half_epoch')).toBe('2');
    // A pause mid-write is waited out, not reported.
    expect(outcome.stderr).toBe('');
  });

  test('a file that is still invalid when the command ends is reported once, and the command is unaffected', async () => {
    const run = exec('exec_bad_file', ['sh', '-c', `printf '{"metrics": [{"name": "bad-name", "type": "gauge", "help": "h", "value": 1}]}' > bad.json`], { flags: ['--metrics-file', 'bad.json'] });
    const outcome = await run.outcome;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr.match(/bad\.json: \$\.metrics\[0\]\.name: "bad-name" is not a valid metric name/g)).toHaveLength(1);
    expect(value(await findGroup(gateway.url, { job: 'exec_bad_file' }), 'exec_bad_file_exit_code')).toBe('0');
  });

  test('Prometheus text without the closing "# EOF" is refused, saying why', async () => {
    const outcome = await exec('exec_no_eof', ['sh', '-c', `printf '# HELP x Some x.\\n# TYPE x gauge\\nx 1\\n' > no-eof.prom`], { flags: ['--metrics-file', 'no-eof.prom'] }).outcome;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr).toMatch(/no-eof\.prom does not end with a "# EOF" line/);
    expect(familyOf(await findGroup(gateway.url, { job: 'exec_no_eof' }), 'x')).toBeUndefined();
  });
});

describe('a gateway that is down or hung', () => {
  test('down: the exit status is unchanged and the exit is prompt', async () => {
    const started = performance.now();
    const outcome = await exec('exec_down', ['sh', '-c', 'exit 3'], { gatewayUrl: await closedPortUrl() }).outcome;
    expect(outcome.exitCode).toBe(3);
    expect(outcome.endedAt - started).toBeLessThan(8000);
    expect(outcome.stderr).toMatch(/the final push failed \(connection\)/);
  });

  test('hung: the wrapper exits within --exit-timeout of the command, with its exit status', async () => {
    const silent = await startSilentServer();
    try {
      const run = exec('exec_hung', ['python3', '-c', 'import time, sys; time.sleep(0.3); print(time.time(), flush=True); sys.exit(3)'], { gatewayUrl: silent.url, flags: ['--exit-timeout', '1s', '--interval', '100ms'] });
      const outcome = await run.outcome;
      const wallAtEnd = Date.now() / 1000;
      expect(outcome.exitCode).toBe(3);
      const commandEnded = Number(outcome.stdout.trim());
      // 1 s of --exit-timeout, and as much again for a loaded machine.
      expect(wallAtEnd - commandEnded).toBeLessThan(2);
      expect(wallAtEnd - commandEnded).toBeGreaterThanOrEqual(0.9);
      expect(silent.requests()).toBeGreaterThanOrEqual(1);
    } finally {
      await silent.close();
    }
  });
});

describe('mistakes in the options exit 2 without running the command', () => {
  test.each([
    ['no -- before the command', ['exec', '--gateway', 'http://127.0.0.1:9', '--job', 'x', 'touch', 'ran'], /put -- before the command/],
    ['no job', ['exec', '--gateway', 'http://127.0.0.1:9', '--', 'touch', 'ran'], /no job name/],
    ['an unusable gateway URL', ['exec', '--gateway', 'ftp://gateway', '--job', 'x', '--', 'touch', 'ran'], /--gateway: the Pushgateway URL must be http or https, not ftp/],
    ['a bad interval', ['exec', '--gateway', 'http://127.0.0.1:9', '--job', 'x', '--interval', 'often', '--', 'touch', 'ran'], /--interval must be a duration/],
  ])('%s', async (_case, args, message) => {
    const outcome = await start(args).outcome;
    expect(outcome.exitCode).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(existsSync(join(directory, 'ran'))).toBe(false);
  });
});

/** Whether this process may create a PID namespace (root, or user namespaces allowed). */
function canUnshare(): boolean {
  return spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
}

describe('as PID 1 of a PID namespace (a container entrypoint)', () => {
  // The orphan: a shell that starts `sleep` in the background and exits at once, so that `sleep` is
  // handed to PID 1. Once it ends, its /proc entry goes only when PID 1 waits for it.
  const ORPHAN_CHECK = `sh -c 'sleep 0.3 & echo $! > orphan.pid'
orphan=$(cat orphan.pid)
for i in $(seq 1 100); do
  [ -e /proc/$orphan ] || { echo reaped; exit 0; }
  [ "$(cut -d' ' -f3 /proc/$orphan/stat 2>/dev/null)" = Z ] && [ $i -gt 40 ] && { echo zombie; exit 0; }
  sleep 0.05
done
echo undecided`;

  test('unshare is available here (the checks below need a PID namespace)', () => {
    expect(canUnshare(), 'unshare --pid --fork --mount-proc failed: these tests need root or user namespaces').toBe(true);
  });

  test('zombies of a command that double-forks are reaped; plain Node as PID 1 leaves them', async () => {
    const control = await start(['-e', `require('child_process').spawn('sh', ['-c', ${JSON.stringify(ORPHAN_CHECK)}], { stdio: 'inherit' }).on('exit', (code) => process.exit(code))`], {
      command: ['unshare', '--pid', '--fork', '--mount-proc', process.execPath],
    }).outcome;
    expect(control.stdout.trim()).toBe('zombie');
    const outcome = await start(['exec', '--gateway', gateway.url, '--job', 'exec_pid1', '--', 'sh', '-c', ORPHAN_CHECK], {
      command: ['unshare', '--pid', '--fork', '--mount-proc', process.execPath, BIN],
    }).outcome;
    expect(outcome.stdout.trim()).toBe('reaped');
    expect(outcome.exitCode).toBe(0);
    expect(value(await findGroup(gateway.url, { job: 'exec_pid1' }), 'exec_pid1_exit_code')).toBe('0');
  });

  test('SIGTERM to PID 1 reaches the command; PID 1 exits with 128 + 15 and pushes it', async () => {
    const run = start(['exec', '--gateway', gateway.url, '--job', 'exec_pid1_term', '--', 'sh', '-c', 'echo ready; exec sleep 30'], {
      command: ['unshare', '--pid', '--fork', '--mount-proc', process.execPath, BIN],
    });
    await run.stdoutHas('ready');
    await delay(100);
    // unshare forked the namespace's PID 1: signal that process, as a container runtime would.
    const children = await readFile(`/proc/${run.child.pid}/task/${run.child.pid}/children`, 'utf8');
    process.kill(Number(children.trim().split(' ')[0]), 'SIGTERM');
    const outcome = await run.outcome;
    expect(outcome.exitCode).toBe(143);
    expect(value(await findGroup(gateway.url, { job: 'exec_pid1_term' }), 'exec_pid1_term_exit_code')).toBe('143');
  });
});
