// `pnpm demo`: the whole stack on this machine, on loopback: simulated GPUs (with Kubernetes pods
// and MIG), a simulated FlashBlade array and two Arkouda servers, the Debian Pushgateway with the
// Python training example pushing to it under `tessera-push exec`, tessera with every collector
// configured against them, and the Debian Prometheus with the mixin's rules scraping it all the way
// the Kubernetes manifests do (node and GPU on /metrics, the array and the servers through /probe).
// Prints the URLs once every target is up and runs until Ctrl-C or SIGTERM, which stop everything.
//
//   pnpm demo [--json] [--scrape-interval 5s]
//
// Every process is started in a process group of its own, with TESSERA_DEMO=<id> in its
// environment; stopping kills each group (SIGTERM, then SIGKILL after 5 s) and removes the
// scratch directory.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const USAGE = 'usage: pnpm demo [--json] [--scrape-interval 5s]';

let values;
try {
  ({ values } = parseArgs({ options: { json: { type: 'boolean' }, 'scrape-interval': { type: 'string' }, help: { type: 'boolean' } }, strict: true }));
} catch (error) {
  process.stderr.write(`${error.message}\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const scrapeInterval = values['scrape-interval'] ?? '5s';
if (!/^\d+s$/.test(scrapeInterval)) {
  process.stderr.write(`--scrape-interval must be whole seconds such as 5s, not ${scrapeInterval}\n${USAGE}\n`);
  process.exit(2);
}

const demoId = randomUUID();
const say = (line) => process.stderr.write(`${line}\n`);
/** @type {{ name: string, child: import('node:child_process').ChildProcess, output: () => string }[]} */
const processes = [];
let workDirectory;
let stopping = false;
let trainingLoop;

/** Starts a command in its own process group, keeping the tail of its output for error messages. */
function start(name, command, args, options = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env, TESSERA_DEMO: demoId },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const append = (chunk) => (output = (output + chunk.toString('utf8')).slice(-20_000));
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const entry = { name, child, output: () => output };
  processes.push(entry);
  child.once('exit', (code, signal) => {
    if (!stopping && options.critical !== false) {
      say(`\n${name} exited (${signal ?? `code ${code}`}):\n${output.trim().split('\n').slice(-15).join('\n')}`);
      void stop(1);
    }
  });
  return entry;
}

/** The first line a simulator prints: how to reach it. */
async function simulator(name, args) {
  const entry = start(`simulator ${name}`, process.execPath, [join(root, 'tooling/scripts/sim.mjs'), name, ...args]);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const line = entry.output().split('\n').find((candidate) => candidate.startsWith('{'));
    if (line !== undefined) return JSON.parse(line);
    if (entry.child.exitCode !== null) throw new Error(`simulator ${name} exited: ${entry.output()}`);
    await delay(100);
  }
  throw new Error(`simulator ${name} printed nothing within 120 s`);
}

async function waitForHttp(name, url, entry, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (entry.child.exitCode !== null) throw new Error(`${name} exited before it answered:\n${entry.output()}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(1000) }).then((response) => response.ok, () => false);
    if (ok) return;
    await delay(200);
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s:\n${entry.output()}`);
}

/** A step of the start-up, with its duration. */
async function step(index, total, label, work) {
  const started = performance.now();
  process.stderr.write(`[${index}/${total}] ${label} … `);
  const result = await work();
  process.stderr.write(`ok (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  return result;
}

/** Pods holding the GPUs, as the kubelet lists them: a training pod on GPU 1, an inference pod on a MIG instance. */
function gpuScenario(defaultScenario) {
  const scenario = defaultScenario({ gpus: 2, mig: true });
  const [migGpu, wholeGpu] = scenario.gpus;
  return {
    ...scenario,
    pods: [
      { namespace: 'ml', name: 'bert-finetune-0', containers: [{ name: 'trainer', devices: [{ resourceName: 'nvidia.com/gpu', deviceIds: [wholeGpu.uuid] }] }] },
      { namespace: 'inference', name: 'triton-7c9f', containers: [{ name: 'triton', devices: [{ resourceName: 'nvidia.com/mig-3g.40gb', deviceIds: [migGpu.mig[0].uuid] }] }] },
    ],
  };
}

/** Runs the Python training example under tessera-push exec again and again; every third run fails. */
async function runTrainingJobs(pushgatewayUrl, interval) {
  for (let run = 1; !stopping; run++) {
    const entry = start(
      `training run ${run}`,
      process.execPath,
      [
        join(root, 'packages/push/dist/bin/tessera-push.js'),
        'exec',
        '--gateway',
        pushgatewayUrl,
        '--job',
        'bert_finetune',
        '--label',
        'model=bert-base',
        '--metrics-file',
        join(workDirectory, 'bert_finetune.json'),
        '--interval',
        interval,
        '--',
        'python3',
        join(root, 'packages/push/examples/python-training/train.py'),
      ],
      { env: { EPOCHS: '3', EPOCH_SECONDS: '1', FAIL_AT_EPOCH: run % 3 === 2 ? '2' : '0' }, critical: false },
    );
    await new Promise((resolve) => entry.child.once('exit', resolve));
    processes.splice(processes.indexOf(entry), 1);
    await delay(3000);
  }
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  say('\nstopping …');
  await Promise.all(
    processes.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      const signalGroup = (signal) => {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // the group is already gone
        }
      };
      signalGroup('SIGTERM');
      const killer = setTimeout(() => signalGroup('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
      // Whatever the process left in its group (a child it did not wait for) goes too.
      signalGroup('SIGKILL');
    }),
  );
  await trainingLoop?.catch(() => undefined);
  if (workDirectory !== undefined) await rm(workDirectory, { recursive: true, force: true });
  say('stopped; nothing left running');
  process.exit(code);
}

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

async function main() {
  const total = 6;
  await step(1, total, 'building tessera, tessera-push and the simulators', async () => {
    for (const bin of ['tessera', 'tessera-push']) {
      const build = spawnSync(process.execPath, [join(root, 'tooling/scripts/ensure-built.mjs'), bin], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      if (build.status !== 0) throw new Error(`building ${bin} failed`);
    }
  });
  workDirectory = await mkdtemp(join(tmpdir(), 'tessera-demo-'));
  // Built by step 1 (dependencies of the collectors), so only importable now.
  const { getFreePort, requireBinary } = await import('@tessera/test-support');
  const { defaultScenario } = await import(join(root, 'tooling/sim-gpu/dist/index.js'));
  const [gpu, flashblade, arkouda] = await step(2, total, 'starting the simulators (GPUs with pods and MIG, a FlashBlade, two Arkouda servers)', async () => {
    await writeFile(join(workDirectory, 'gpu-scenario.json'), JSON.stringify(gpuScenario(defaultScenario)));
    return Promise.all([
      simulator('gpu', ['--gpus', '2', '--mig', '--scenario', join(workDirectory, 'gpu-scenario.json')]),
      simulator('flashblade', ['--filesystems', '6', '--buckets', '3', '--clients', '8']),
      simulator('arkouda', ['--servers', '2', '--locales', '2', '--users', '3', '--poll-interval-seconds', '2']),
    ]);
  });
  const pushgateway = await step(3, total, 'starting the Pushgateway and the training job', async () => {
    const port = await getFreePort();
    const entry = start('Pushgateway', requireBinary('prometheus-pushgateway'), [`--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(workDirectory, 'pushgateway')}`]);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp('Pushgateway', `${url}/-/ready`, entry);
    trainingLoop = runTrainingJobs(url, '2s');
    return url;
  });
  const tessera = await step(4, total, 'starting tessera with every collector', async () => {
    const port = await getFreePort();
    // The ECC fields are not in dcgm-exporter's default counters file; the GPU alerts need them.
    const counters = join(workDirectory, 'dcgm-counters.csv');
    const { DCGM_FIELDS, DEFAULT_FIELDS } = await import(join(root, 'packages/collector-dcgm/dist/index.js'));
    const ecc = ['DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL'].map((name) => DCGM_FIELDS.find((field) => field.name === name));
    const rows = [...DEFAULT_FIELDS, ...ecc].map((field) => `${field.name}, ${field.kind === 'label' ? 'label' : field.type}, ${field.help}`);
    await writeFile(counters, `${rows.join('\n')}\n`);
    const config = {
      collectors: {
        node: {},
        dcgm: { ...gpu.config, countersFile: counters, intervalSeconds: 2, hostname: 'gpu-node-a' },
        flashblade: [{ instance: 'fb01', ...flashblade.config }],
        arkouda: arkouda.config,
      },
    };
    await writeFile(join(workDirectory, 'tessera.yaml'), JSON.stringify(config, null, 2));
    const entry = start('tessera', process.execPath, [join(root, 'apps/exporter/dist/bin/tessera.js'), `--config=${join(workDirectory, 'tessera.yaml')}`, `--web.listen-address=127.0.0.1:${port}`]);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp('tessera', `${url}/-/ready`, entry);
    return { url, address: `127.0.0.1:${port}` };
  });
  const prometheus = await step(5, total, 'starting Prometheus with the mixin rules', async () => {
    const port = await getFreePort();
    for (const file of ['alerts.yaml', 'recording.yaml']) await copyFile(join(root, 'packages/mixin/rules', file), join(workDirectory, file));
    const seconds = Number(scrapeInterval.slice(0, -1));
    const probe = (collector, targets) => ({
      job_name: collector,
      metrics_path: '/probe',
      params: { collector: [collector] },
      static_configs: [{ targets }],
      relabel_configs: [
        { source_labels: ['__address__'], target_label: '__param_target' },
        { source_labels: ['__param_target'], target_label: 'instance' },
        ...(collector === 'flashblade' ? [{ source_labels: ['__param_target'], target_label: 'array' }] : []),
        { target_label: '__address__', replacement: tessera.address },
      ],
    });
    const config = {
      global: { scrape_interval: scrapeInterval, scrape_timeout: `${Math.max(1, seconds - 1)}s`, evaluation_interval: scrapeInterval },
      rule_files: ['recording.yaml', 'alerts.yaml'],
      scrape_configs: [
        { job_name: 'tessera', params: { 'collect[]': ['node', 'dcgm'] }, static_configs: [{ targets: [tessera.address] }] },
        probe('flashblade', ['fb01']),
        probe('arkouda', arkouda.servers.map((server) => server.name)),
        { job_name: 'pushgateway', honor_labels: true, static_configs: [{ targets: [pushgateway.replace('http://', '')] }] },
        { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${port}`] }] },
      ],
    };
    await writeFile(join(workDirectory, 'prometheus.yml'), JSON.stringify(config, null, 2));
    const entry = start('Prometheus', requireBinary('prometheus'), [
      `--config.file=${join(workDirectory, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(workDirectory, 'prometheus-data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp('Prometheus', `${url}/-/ready`, entry);
    return url;
  });
  const targets = await step(6, total, 'waiting for every target to be up', async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const body = await (await fetch(`${prometheus}/api/v1/targets?state=active`)).json();
      const active = body.data.activeTargets;
      if (active.length > 0 && active.every((target) => target.health === 'up')) return active;
      if (Date.now() > deadline) throw new Error(`targets not up after 60 s: ${active.filter((target) => target.health !== 'up').map((target) => `${target.scrapePool} ${target.labels.instance}: ${target.lastError || target.health}`).join('; ')}`);
      await delay(500);
    }
  });

  say(`
Tessera demo is running (${targets.length} targets up). Ctrl-C stops everything.

  Prometheus    ${prometheus}            (alerts: ${prometheus}/alerts, rules: ${prometheus}/rules)
  tessera       ${tessera.url}/           (status page; /metrics, /probe?collector=flashblade&target=fb01)
  Pushgateway   ${pushgateway}            (bert_finetune, pushed by tessera-push exec every 2 s)
  FlashBlade    ${flashblade.url}          (simulated REST API)
  Arkouda       ${arkouda.servers.map((server) => `${server.name} ${server.url}`).join(', ')}
  GPUs          ${gpu.gpus} simulated, NVML at ${gpu.libraryPath}

Dashboards: import packages/mixin/dashboards/*.json into a Grafana whose Prometheus data source is ${prometheus}.
`);
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ prometheus, tessera: tessera.url, pushgateway, marker: demoId, pids: processes.map((entry) => entry.child.pid) })}\n`,
    );
  }
}

main().catch((error) => {
  say(`\npnpm demo: ${error instanceof Error ? error.message : String(error)}`);
  void stop(1);
});
