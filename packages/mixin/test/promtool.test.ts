import { readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary, runCommand } from '@tessera/test-support';
import { buildMixin, type AlertingRule } from '@tessera/mixin';
import { PACKAGE_DIRECTORY, readRuleFile } from './promql-names.js';

const promtool = requireBinary('promtool');

describe('promtool (Debian)', () => {
  it.each(['rules/alerts.yaml', 'rules/recording.yaml'])('check rules %s', async (file) => {
    const result = await runCommand(promtool, ['check', 'rules', file], { cwd: PACKAGE_DIRECTORY });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('passes the unit tests of every alert (test/promtool/alerts.test.yaml)', async () => {
    const result = await runCommand(promtool, ['test', 'rules', 'test/promtool/alerts.test.yaml'], { cwd: PACKAGE_DIRECTORY });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });

  it('unit-tests every alert both firing and silent', () => {
    interface AlertTest {
      readonly alertname: string;
      readonly exp_alerts: readonly unknown[];
    }
    const file = parse(readFileSync(`${PACKAGE_DIRECTORY}/test/promtool/alerts.test.yaml`, 'utf8')) as { tests: { alert_rule_test: AlertTest[] }[] };
    const cases = file.tests.flatMap((test) => test.alert_rule_test);
    for (const rule of readRuleFile<AlertingRule>('alerts').flatMap((group) => group.rules)) {
      const own = cases.filter((entry) => entry.alertname === rule.alert);
      expect(own.some((entry) => entry.exp_alerts.length > 0), `${rule.alert} never fires in the unit tests`).toBe(true);
      expect(own.some((entry) => entry.exp_alerts.length === 0), `${rule.alert} is never shown silent in the unit tests`).toBe(true);
    }
  });

  it('fails a rule that breaks: the unit tests would catch a wrong threshold', async () => {
    // Guards the guard: the same tests against alerts with another threshold must fail.
    const directory = await mkdtemp(join(tmpdir(), 'tessera-mixin-'));
    await mkdir(join(directory, 'rules'));
    await mkdir(join(directory, 'test/promtool'), { recursive: true });
    const broken = buildMixin({ gpuTemperatureCelsius: 95 });
    await writeFile(join(directory, 'rules/alerts.yaml'), broken.files['rules/alerts.yaml']!);
    await writeFile(join(directory, 'rules/recording.yaml'), broken.files['rules/recording.yaml']!);
    await cp(`${PACKAGE_DIRECTORY}/test/promtool/alerts.test.yaml`, join(directory, 'test/promtool/alerts.test.yaml'));
    const result = await runCommand(promtool, ['test', 'rules', 'test/promtool/alerts.test.yaml'], { cwd: directory });
    await rm(directory, { recursive: true, force: true });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('GpuTemperatureHigh');
  });
});
