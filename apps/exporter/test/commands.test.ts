import { parseText } from '@tessera/exposition';
import { promtoolCheckMetrics } from '@tessera/test-support';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPackage } from '../src/plugins/find-package.js';
import { createProject, runBin, type Project } from './helpers.js';

let project: Project;
beforeAll(async () => {
  project = await createProject(
    ['collectors:', '  fake:', '    - { instance: a, value: 2.5, label: first }', '    - { instance: b, value: 4, label: second }', '  "@acme/echo": { message: "hi there" }', ''].join('\n'),
  );
});
afterAll(async () => {
  await project.remove();
});

function enabledCollectors(stdout: string): string {
  return /^ok: \d+ collectors? \((.*)\)$/m.exec(stdout)?.[1] ?? `(no ok line in ${JSON.stringify(stdout)})`;
}

describe('collector flags', { timeout: 30_000 }, () => {
  it('--no-collector.x turns off a configured collector and a builtin', async () => {
    const result = await runBin(['check-config', '--no-collector.node', '--no-collector.fake'], { cwd: project.directory });
    expect(result.code).toBe(0);
    expect(enabledCollectors(result.stdout)).toBe('dcgm, echo');
  });

  it('--collector.disable-defaults --collector.y runs y alone', async () => {
    const result = await runBin(['check-config', '--collector.disable-defaults', '--collector.echo'], { cwd: project.directory });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('ok: 1 collector (echo)\n');
  });

  it('--collector.x enables a collector the config disables, and --collector.x=false disables it', async () => {
    await project.writeConfig('collectors:\n  fake: { enabled: false }\n');
    try {
      const enabled = await runBin(['check-config', '--no-collector.node', '--collector.fake'], { cwd: project.directory });
      expect(enabledCollectors(enabled.stdout)).toBe('dcgm, fake');
      const disabled = await runBin(['check-config', '--no-collector.node', '--collector.dcgm=false'], { cwd: project.directory });
      expect(enabledCollectors(disabled.stdout)).toBe('');
    } finally {
      await project.writeConfig(['collectors:', '  fake:', '    - { instance: a, value: 2.5, label: first }', '    - { instance: b, value: 4, label: second }', '  "@acme/echo": { message: "hi there" }', ''].join('\n'));
    }
  });
});

describe('tessera collect', { timeout: 30_000 }, () => {
  it('prints one collection that parses and passes promtool, logs only on stderr', async () => {
    const result = await runBin(['collect', '--no-collector.node'], { cwd: project.directory });
    expect(result.code).toBe(0);
    const families = new Map(parseText(result.stdout).map((family) => [family.name, family]));
    expect(families.get('fake_value')?.samples.map((sample) => [sample.labels.label, sample.value])).toEqual([
      ['first', 2.5],
      ['second', 4],
    ]);
    expect(families.get('echo_info')?.samples[0]?.labels).toEqual({ message: 'hi there' });
    expect(families.get('tessera_collector_info')?.samples.map((sample) => sample.labels)).toEqual([
      { collector: 'dcgm', package: '@tessera/collector-dcgm', version: '0.0.1-fixture' },
      { collector: 'echo', package: '@acme/tessera-collector-echo', version: '0.3.1' },
      { collector: 'fake', package: 'tessera-collector-fake', version: '2.5.0' },
    ]);
    expect([...families.keys()].some((name) => name.startsWith('process_'))).toBe(false);
    expect(result.stderr).toMatch(/"msg":"enabled collectors: dcgm, echo, fake"/);
    const lint = await promtoolCheckMetrics(result.stdout);
    expect(lint).toEqual({ exitCode: 0, findings: [] });
  });

  it('collects only the named collectors, and exits 1 when one fails', async () => {
    const named = await runBin(['collect', '--collector', 'echo', '--log.level=error'], { cwd: project.directory });
    expect(named.code).toBe(0);
    expect(parseText(named.stdout).find((family) => family.name === 'tessera_scrape_collector_success')?.samples.map((sample) => sample.labels.collector)).toEqual(['echo']);

    await project.writeConfig('collectors:\n  fake: { mode: throw }\n');
    try {
      const failed = await runBin(['collect', '--collector=fake', '--log.format=logfmt'], { cwd: project.directory });
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('tessera_scrape_collector_success{collector="fake",collector_instance="default"} 0\n');
      expect(failed.stderr).toContain('tessera collect: fake/default: fake collector failure as configured\n');
      expect(failed.stderr).toMatch(/^ts=\S+ level=error msg="collection failed: fake collector failure as configured" collector=fake instance=default/m);
    } finally {
      await project.writeConfig(['collectors:', '  fake:', '    - { instance: a, value: 2.5, label: first }', '    - { instance: b, value: 4, label: second }', '  "@acme/echo": { message: "hi there" }', ''].join('\n'));
    }
  });
});

/**
 * The `tessera list` row of a builtin that the fixture project does not vendor: installed exactly when
 * the host sees it from its own directory (the workspace root lists the collectors its own tests use).
 */
async function builtinRow(name: string): Promise<string[]> {
  const hostDirectory = fileURLToPath(new URL('..', import.meta.url));
  const found = await findPackage(`@tessera/collector-${name}`, [hostDirectory]);
  return [name, `@tessera/collector-${name}`, found?.version ?? '-', found === undefined ? 'no' : 'yes', 'no', 'builtin'];
}

describe('tessera list', { timeout: 30_000 }, () => {
  it('lists builtins and configured collectors with package, version, installed and enabled', async () => {
    const result = await runBin(['list', '--no-collector.node'], { cwd: project.directory });
    expect(result.code).toBe(0);
    const rows = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split(/\s{2,}/));
    expect(rows[0]).toEqual(['NAME', 'PACKAGE', 'VERSION', 'INSTALLED', 'ENABLED', 'SOURCE']);
    expect(rows.slice(1)).toEqual([
      ['fake', 'tessera-collector-fake', '2.5.0', 'yes', 'yes', 'config'],
      ['echo', '@acme/tessera-collector-echo', '0.3.1', 'yes', 'yes', 'config'],
      ['node', '@tessera/collector-node', expect.any(String), 'yes', 'no', 'builtin'],
      ['dcgm', '@tessera/collector-dcgm', '0.0.1-fixture', 'yes', 'yes', 'builtin'],
      await builtinRow('flashblade'),
      await builtinRow('arkouda'),
    ]);
  });
});
