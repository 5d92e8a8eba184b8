import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { queryPrometheus, type PromSample } from '@tessera/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// `pnpm demo` as a user runs it: it must come up with every target of its Prometheus up within a
// minute, every panel query of every dashboard and every recording rule of the mixin must return
// series there, and SIGTERM must leave no process behind (checked by PID and by the marker every
// demo process carries in its environment).

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Panels that may legitimately be empty on the demo stack, and why. Everything else must return
 * at least one series.
 */
const MAY_BE_EMPTY: Readonly<Record<string, string>> = {
  'hosts: InfiniBand throughput': 'the demo machine has no InfiniBand adapter',
  'hosts: InfiniBand port state': 'the demo machine has no InfiniBand adapter',
  'hosts: InfiniBand errors': 'the demo machine has no InfiniBand adapter',
  'hosts: Disk throughput': 'a container may have no block device in /proc/diskstats',
  'cluster-overview: Targets down': 'every target is up',
  'cluster-overview: Alerts': 'only alerts that fire or are pending',
  'cluster-overview: Failed last run': 'only while the last training run failed',
  'gpus: Last XID error': 'the simulated GPUs report no XID until the scenario adds one',
  'tessera: Failing collector instances': 'only failing instances',
  'tessera: Failing parts': 'only failing parts',
  'arkouda: Errors': 'the simulated servers count no errors',
};

interface PanelJson {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
}

interface Query {
  readonly where: string;
  readonly expr: string;
}

function mixinQueries(): { panels: Query[]; variables: Query[]; recordingRules: Query[] } {
  const directory = `${root}packages/mixin/dashboards`;
  const panels: Query[] = [];
  const variables: Query[] = [];
  for (const file of readdirSync(directory).filter((name) => name.endsWith('.json'))) {
    const name = file.slice(0, -'.json'.length);
    const model = JSON.parse(readFileSync(`${directory}/${file}`, 'utf8')) as { panels: PanelJson[]; templating: { list: { name: string; query?: unknown }[] } };
    for (const panel of model.panels) for (const target of panel.targets ?? []) panels.push({ where: `${name}: ${panel.title ?? ''}`, expr: target.expr ?? '' });
    for (const variable of model.templating.list) {
      const match = typeof variable.query === 'string' ? /^label_values\((.*), *([a-zA-Z_]+)\)$/.exec(variable.query) : null;
      if (match !== null) variables.push({ where: `${name}: variable ${variable.name}`, expr: `count by (${match[2]!}) (${match[1]!})` });
    }
  }
  const recording = parse(readFileSync(`${root}packages/mixin/rules/recording.yaml`, 'utf8')) as { groups: { rules: { record: string }[] }[] };
  const recordingRules = recording.groups.flatMap((group) => group.rules.map((rule) => ({ where: rule.record, expr: rule.record })));
  return { panels, variables, recordingRules };
}

/** A dashboard query as Grafana sends it with "All" picked and a one-hour range. */
function resolved(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '30s')
    .replaceAll('$__range', '1h')
    .replace(/\$\{?([a-zA-Z_][a-zA-Z0-9_]*)\}?/g, '.*');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** PIDs of processes whose environment carries the demo's marker (our own user's, readable). */
function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`TESSERA_DEMO=${marker}`)) found.push(Number(entry));
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

let demo: ChildProcess;
let ready: { prometheus: string; tessera: string; pushgateway: string; marker: string; pids: number[] };
let stderr = '';

const query = (expr: string): Promise<PromSample[]> => queryPrometheus(ready.prometheus, expr);

beforeAll(async () => {
  demo = spawn(process.execPath, ['tooling/scripts/demo.mjs', '--json', '--scrape-interval', '2s'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  demo.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  let stdout = '';
  ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pnpm demo was not ready within 150 s:\n${stderr}`)), 150_000);
    demo.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line !== undefined) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as typeof ready);
      }
    });
    demo.once('exit', (code) => reject(new Error(`pnpm demo exited with ${code}:\n${stderr}`)));
  });
}, 180_000);

afterAll(() => {
  // Only if a test failed before the SIGTERM test: never leave the stack running.
  if (demo.exitCode === null) demo.kill('SIGTERM');
});

describe('pnpm demo', () => {
  it('shows its progress and prints the URLs', () => {
    expect(stderr).toMatch(/\[1\/6\] .* ok/);
    expect(stderr).toMatch(/\[6\/6\] waiting for every target to be up … ok/);
    expect(stderr).toContain(`Prometheus    ${ready.prometheus}`);
    expect(stderr).toContain(`tessera       ${ready.tessera}/`);
  });

  it('has every target up in its Prometheus: tessera, the array and both Arkouda servers through /probe, the Pushgateway', async () => {
    const up = await query('up');
    expect(up.map((sample) => `${sample.metric.job} ${sample.metric.instance}`).sort()).toEqual(
      ['arkouda arkouda-1', 'arkouda arkouda-2', 'flashblade fb01', `prometheus ${new URL(ready.prometheus).host}`, `pushgateway ${new URL(ready.pushgateway).host}`, `tessera ${new URL(ready.tessera).host}`].sort(),
    );
    expect((await query('up == 0')).length).toBe(0);
  });

  it('evaluates every panel query, template variable and recording rule of the mixin with at least one series', async () => {
    const { panels, variables, recordingRules } = mixinQueries();
    const all = [...panels, ...variables, ...recordingRules];
    expect(panels.length).toBeGreaterThan(80);
    // Rates need two scrapes, the training job a failed run: poll until everything answers, 90 s at most.
    const deadline = Date.now() + 90_000;
    let empty: Query[] = all;
    while (Date.now() < deadline) {
      const results = await Promise.all(empty.map(async (entry) => ({ entry, series: await query(resolved(entry.expr)) })));
      empty = results.filter((result) => result.series.length === 0).map((result) => result.entry);
      if (empty.every((entry) => entry.where in MAY_BE_EMPTY)) break;
      await delay(2000);
    }
    expect(empty.filter((entry) => !(entry.where in MAY_BE_EMPTY)).map((entry) => `${entry.where}: ${entry.expr}`)).toEqual([]);
  }, 150_000);

  it('labels GPU series with the pods that hold them, and FlashBlade series with their array', async () => {
    expect((await query('DCGM_FI_DEV_FB_USED{pod="bert-finetune-0", namespace="ml"}')).length).toBe(1);
    expect((await query('purefb_info{array="fb01"}')).length).toBe(1);
  });

  it('stops on SIGTERM, leaving no process behind', async () => {
    const pids = [...ready.pids, ...processesWithMarker(ready.marker)];
    expect(pids.length).toBeGreaterThanOrEqual(6);
    const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
    demo.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    expect(processesWithMarker(ready.marker)).toEqual([]);
    expect(stderr).toContain('stopped; nothing left running');
  }, 60_000);
});
