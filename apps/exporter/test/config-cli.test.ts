import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, runBin, type Project } from './helpers.js';

// Every config error, through the real bin: exit code 2 and exactly one line on stderr naming the
// file and the key path, from the server and from `tessera check-config` alike.
let project: Project;
beforeAll(async () => {
  project = await createProject();
});
afterAll(async () => {
  await project.remove();
});

// The workspace's own node collector stays out of these runs (it is built by another package).
const HERMETIC = ['--no-collector.node'];

const CASES: readonly { readonly title: string; readonly config: string; readonly line: RegExp }[] = [
  { title: 'a YAML syntax error', config: 'web:\n  listenAddress: ":0"\n  maxRequests: [1\n', line: /^tessera\.yaml:\d+:\d+: Flow sequence/ },
  {
    title: 'an unknown key',
    config: 'web:\n  listenAdress: ":0"\n',
    line: /^tessera\.yaml: web\.listenAdress: unknown key \(valid keys: listenAddress, disableExporterMetrics, maxRequests, configFile\)$/,
  },
  { title: 'a wrong type in the host section', config: 'scrape:\n  timeoutSeconds: "10"\n', line: /^tessera\.yaml: scrape\.timeoutSeconds: expected number, received string$/ },
  {
    title: 'a wrong type in a plugin entry',
    config: 'collectors:\n  fake:\n    label: 7\n',
    line: /^tessera\.yaml: collectors\.fake\.label: expected string, received number$/,
  },
  {
    title: 'an unknown key in a plugin entry',
    config: 'collectors:\n  fake:\n    - { instance: one, lable: x }\n',
    line: /^tessera\.yaml: collectors\.fake\[0\]\.lable: unknown key$/,
  },
  {
    title: 'an unknown collector',
    config: 'collectors:\n  nosuch: {}\n',
    line: /^tessera\.yaml: collectors\.nosuch: collector "nosuch" is not installed: no package @tessera\/collector-nosuch or tessera-collector-nosuch found .*\(npm install tessera-collector-nosuch\); installed builtins: .*dcgm/,
  },
  {
    title: 'a missing package named exactly',
    config: 'collectors:\n  "@acme/tessera-collector-gone": {}\n',
    line: /^tessera\.yaml: collectors\.@acme\/tessera-collector-gone: collector "gone" is not installed: .*\(npm install @acme\/tessera-collector-gone\)/,
  },
  { title: 'a list entry without an instance', config: 'collectors:\n  fake:\n    - { value: 1 }\n', line: /^tessera\.yaml: collectors\.fake\[0\]: expected an instance name/ },
  { title: 'an unset environment variable', config: 'collectors:\n  fake:\n    label: "${TESSERA_TEST_UNSET}"\n', line: /^tessera\.yaml: collectors\.fake\.label: environment variable TESSERA_TEST_UNSET is not set$/ },
];

describe('config errors through the bin', { timeout: 30_000 }, () => {
  for (const { title, config, line } of CASES) {
    it(`reports ${title} on one line with exit code 2, from the server and from check-config`, async () => {
      await project.writeConfig(config);
      const env = { ...process.env, TESSERA_TEST_UNSET: undefined };
      for (const args of [['--config=tessera.yaml', '--web.listen-address=127.0.0.1:0', ...HERMETIC], ['check-config', '--config', 'tessera.yaml', ...HERMETIC]]) {
        const result = await runBin(args, { cwd: project.directory, env });
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stdout).toBe('');
        const lines = result.stderr.split('\n').filter((text) => text !== '');
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(line);
      }
    });
  }

  it('refuses an explicitly named config file that does not exist, but runs on defaults without one', async () => {
    const missing = await runBin(['check-config', '--config=absent.yaml', ...HERMETIC], { cwd: project.directory });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('absent.yaml: file not found\n');
    const defaults = await runBin(['check-config', '--collector.disable-defaults'], { cwd: `${project.directory}/node_modules` });
    expect(defaults.code).toBe(0);
    expect(defaults.stdout).toBe('ok: 0 collectors ()\n');
  });

  it('substitutes ${ENV} in string values', async () => {
    await project.writeConfig('collectors:\n  fake:\n    label: "${TESSERA_TEST_LABEL}-$${literal}"\n');
    const result = await runBin(['collect', '--config=tessera.yaml', '--log.level=warn', '--collector.disable-defaults', '--collector=fake'], {
      cwd: project.directory,
      env: { ...process.env, TESSERA_TEST_LABEL: 'from-env' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('fake_value{label="from-env-${literal}"} 1\n');
  });

  it('check-config resolves, imports and validates every enabled collector', async () => {
    await project.writeConfig(['collectors:', '  fake:', '    - { instance: a, value: 2 }', '    - { instance: b, enabled: false, bogus: 1 }', '  "@acme/echo": { message: hi }', ''].join('\n'));
    const result = await runBin(['check-config', '--config=tessera.yaml', '--no-collector.node'], { cwd: project.directory });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // dcgm: the fixture builtin installed beside the config, enabled by default without being named.
    expect(result.stdout).toBe('ok: 3 collectors (dcgm, echo, fake)\n');
  });

  it('refuses an unknown flag with exit code 2, listing the valid flags', async () => {
    const result = await runBin(['--web.listen-adress=:0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^tessera: unknown flag --web\.listen-adress; valid flags: --config, --web\.listen-address, .*--no-collector\.<name>\n$/);
  });
});
