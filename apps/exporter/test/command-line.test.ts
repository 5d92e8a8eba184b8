import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../src/index.js';
import { readFileSync } from 'node:fs';
import { FLAGS, helpText } from '../src/cli/parse-command-line.js';

describe('parseCommandLine (node_exporter flag grammar)', () => {
  it('accepts --flag=value and --flag value, booleans with and without values', () => {
    const parsed = parseCommandLine([
      '--config=/etc/tessera.yaml',
      '--web.listen-address',
      '127.0.0.1:9',
      '--web.disable-exporter-metrics',
      '--web.max-requests=0',
      '--path.procfs',
      '/host/proc',
      '--log.level=debug',
      '--log.format',
      'logfmt',
      '--web.config.file',
      'web.yml',
    ]);
    expect(parsed.command).toBe('serve');
    expect(parsed.configFile).toBe('/etc/tessera.yaml');
    expect(parsed.overrides).toMatchObject({
      listenAddress: '127.0.0.1:9',
      disableExporterMetrics: true,
      maxRequests: 0,
      webConfigFile: 'web.yml',
      paths: { procfs: '/host/proc' },
      log: { level: 'debug', format: 'logfmt' },
    });
    expect(parseCommandLine(['--web.disable-exporter-metrics=false']).overrides.disableExporterMetrics).toBe(false);
    expect(parseCommandLine(['--no-web.disable-exporter-metrics']).overrides.disableExporterMetrics).toBe(false);
    expect(parseCommandLine([]).overrides.disableExporterMetrics).toBeUndefined();
  });

  it('collects --collector.<name>, --no-collector.<name> and --collector.disable-defaults', () => {
    const parsed = parseCommandLine(['--collector.disable-defaults', '--collector.node', '--no-collector.dcgm', '--collector.arkouda=false', '--collector.flashblade=true']);
    expect(parsed.overrides.collectors).toEqual({ enable: ['node', 'flashblade'], disable: ['dcgm', 'arkouda'], disableDefaults: true });
  });

  it('reads subcommands and the collect-only --collector flag', () => {
    const parsed = parseCommandLine(['collect', '--collector', 'node', '--collector=dcgm']);
    expect(parsed.command).toBe('collect');
    expect(parsed.collectNames).toEqual(['node', 'dcgm']);
    expect(parsed.overrides.collectors?.enable).toEqual(['node', 'dcgm']);
    expect(parseCommandLine(['check-config', '--config', 'x.yaml'])).toMatchObject({ command: 'check-config', configFile: 'x.yaml' });
    expect(parseCommandLine(['-h']).help).toBe(true);
    expect(parseCommandLine(['list', '--version']).version).toBe(true);
  });

  it('refuses what it cannot run, with a message naming the argument', () => {
    const cases: Record<string, readonly string[]> = {
      'unknown flag --web.config; valid flags: --config': ['--web.config=web.yml'],
      'flag --web.config.file needs a value (--web.config.file=<file>)': ['--web.config.file'],
      'unknown command "serve"': ['serve'],
      'unexpected argument "extra"': ['list', 'extra'],
      'flag --config needs a value': ['--config'],
      'flag --web.max-requests: expected a non-negative integer, received "-1"': ['--web.max-requests=-1'],
      'flag --log.level: expected one of trace, debug, info, warn, error, received "loud"': ['--log.level=loud'],
      'flag --collector only applies to: tessera collect': ['--collector=node'],
      'flag --collector.Node: "Node" is not a collector name': ['--collector.Node'],
      'flag --web.disable-exporter-metrics takes no value or true/false, received "yes"': ['--web.disable-exporter-metrics=yes'],
      'flag --config was given 2 times': ['--config=a', '--config=b'],
      'unknown flag --no-config': ['--no-config'],
      'flag --web.listen-address: expected host:port, :port or [ipv6]:port, received "9100"': ['--web.listen-address=9100'],
    };
    for (const [message, argv] of Object.entries(cases)) {
      expect(() => parseCommandLine(argv), argv.join(' ')).toThrow(UsageError);
      expect(() => parseCommandLine(argv), argv.join(' ')).toThrow(message);
    }
  });

  it('documents every flag in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const flag of FLAGS) expect(readme, flag.name).toMatch(new RegExp(`\`--(\\[no-\\])?${flag.name.replace(/\./g, '\\.')}[ \`]`));
  });

  it('documents every flag in --help', () => {
    const help = helpText();
    for (const flag of ['--config=<file>', '--web.listen-address=<address>', '--[no-]web.disable-exporter-metrics', '--web.max-requests=<n>', '--web.config.file=<file>', '--[no-]collector.disable-defaults', '--path.rootfs=<dir>', '--log.format=<format>', '--[no-]collector.<name>']) {
      expect(help).toContain(flag);
    }
  });
});
