import { COLLECTOR_NAME_PATTERN } from '@tessera/collector-api';
import { LOG_FORMATS, LOG_LEVELS } from '../config/config-schema.js';
import { parseListenAddress } from '../http/listen-address.js';
import type { ExporterOverrides } from '../exporter.js';

/** A command line that cannot be run. The CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The subcommands; `serve` is the default (no subcommand). */
export const COMMANDS = ['check-config', 'collect', 'list'] as const;
export type Command = 'serve' | (typeof COMMANDS)[number];

/** What the command line asks for. */
export interface CommandLine {
  readonly command: Command;
  /** `--config`, when given (then a missing file is an error). */
  readonly configFile: string | undefined;
  readonly overrides: ExporterOverrides;
  /** `tessera collect --collector x`: the collectors to collect (empty = every enabled one). */
  readonly collectNames: readonly string[];
  /** `tessera check-config --probe`: also reach every configured source. */
  readonly probe: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

type FlagKind = 'string' | 'boolean';

interface FlagDefinition {
  readonly name: string;
  readonly kind: FlagKind;
  readonly placeholder?: string;
  readonly help: string;
  /** Subcommands the flag applies to (all when absent). */
  readonly commands?: readonly Command[];
}

/**
 * Every fixed flag, node_exporter style. `--collector.<name>` and `--no-collector.<name>` are matched
 * by pattern.
 */
export const FLAGS: readonly FlagDefinition[] = [
  { name: 'config', kind: 'string', placeholder: 'file', help: 'Configuration file (default ./tessera.yaml; a missing default file means defaults).' },
  { name: 'web.listen-address', kind: 'string', placeholder: 'address', help: 'Address to listen on: host:port, :port or [ipv6]:port (default :8900).' },
  { name: 'web.disable-exporter-metrics', kind: 'boolean', help: 'Leave out the process_* and nodejs_* metrics of the exporter itself.' },
  { name: 'web.max-requests', kind: 'string', placeholder: 'n', help: 'Maximum concurrent scrapes; more get 503. 0 means no limit (default 40).' },
  { name: 'web.config.file', kind: 'string', placeholder: 'file', help: 'Web config file (exporter-toolkit format): TLS, client certificates, basic auth, headers, rate limit.' },
  { name: 'collector.disable-defaults', kind: 'boolean', help: 'Run only the collectors enabled with --collector.<name>.' },
  { name: 'path.procfs', kind: 'string', placeholder: 'dir', help: 'procfs mount point (default /proc).' },
  { name: 'path.sysfs', kind: 'string', placeholder: 'dir', help: 'sysfs mount point (default /sys).' },
  { name: 'path.rootfs', kind: 'string', placeholder: 'dir', help: 'Root filesystem mount point (default /).' },
  { name: 'path.udev.data', kind: 'string', placeholder: 'dir', help: 'udev data path (default <rootfs>/run/udev/data).' },
  { name: 'log.level', kind: 'string', placeholder: 'level', help: `Only log messages with this severity or above: ${LOG_LEVELS.join(', ')} (default info).` },
  { name: 'log.format', kind: 'string', placeholder: 'format', help: `Log line format: ${LOG_FORMATS.join(', ')} (default json).` },
  { name: 'collector', kind: 'string', placeholder: 'name', help: 'tessera collect only: collect this collector (repeatable; default every enabled one).', commands: ['collect'] },
  { name: 'probe', kind: 'boolean', help: 'tessera check-config only: also create every instance and check that its source answers (one line each; exit 1 when one does not).', commands: ['check-config'] },
  { name: 'help', kind: 'boolean', help: 'Show this help and exit.' },
  { name: 'version', kind: 'boolean', help: 'Show the version and exit.' },
];

const COLLECTOR_FLAG = /^collector\.(.+)$/;

/**
 * Parses `argv` (without node and the script) with node_exporter's grammar: `--flag=value` or
 * `--flag value`, booleans as `--flag`, `--flag=false` or `--no-flag`, plus `--collector.<name>` and
 * `--no-collector.<name>`. Throws {@link UsageError} naming the bad argument and listing valid flags.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let command: Command = 'serve';
  let commandGiven = false;
  const values = new Map<string, string[]>();
  const booleans = new Map<string, boolean>();
  const enable: string[] = [];
  const disable: string[] = [];

  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] ?? '';
    if (argument === '-h') {
      booleans.set('help', true);
      continue;
    }
    if (!argument.startsWith('--')) {
      if (commandGiven) throw new UsageError(`unexpected argument ${JSON.stringify(argument)}`);
      if (!(COMMANDS as readonly string[]).includes(argument)) {
        throw new UsageError(`unknown command ${JSON.stringify(argument)}; commands: ${COMMANDS.join(', ')} (none = run the server)`);
      }
      command = argument as Command;
      commandGiven = true;
      continue;
    }
    const equals = argument.indexOf('=');
    const rawName = argument.slice(2, equals === -1 ? undefined : equals);
    const inline = equals === -1 ? undefined : argument.slice(equals + 1);
    const negated = rawName.startsWith('no-');
    const name = negated ? rawName.slice(3) : rawName;
    const definition = FLAGS.find((flag) => flag.name === name);

    if (definition === undefined || definition.kind === 'boolean') {
      const collector = definition === undefined ? COLLECTOR_FLAG.exec(name)?.[1] : undefined;
      if (definition === undefined && collector === undefined) throw unknownFlag(argument);
      let value = !negated;
      if (inline !== undefined) {
        if (negated || (inline !== 'true' && inline !== 'false')) throw new UsageError(`flag --${rawName} takes no value or true/false, received ${JSON.stringify(inline)}`);
        value = inline === 'true';
      }
      if (collector !== undefined) {
        if (!COLLECTOR_NAME_PATTERN.test(collector)) throw new UsageError(`flag --${rawName}: ${JSON.stringify(collector)} is not a collector name (${String(COLLECTOR_NAME_PATTERN)})`);
        (value ? enable : disable).push(collector);
      } else {
        booleans.set(name, value);
      }
      continue;
    }
    if (negated) throw unknownFlag(argument);
    let value = inline;
    if (value === undefined) {
      value = argv[index + 1];
      if (value === undefined) throw new UsageError(`flag --${name} needs a value (--${name}=<${definition.placeholder ?? 'value'}>)`);
      index++;
    }
    values.set(name, [...(values.get(name) ?? []), value]);
  }

  for (const name of [...values.keys(), ...booleans.keys()]) {
    const definition = FLAGS.find((flag) => flag.name === name);
    if (definition?.commands !== undefined && !definition.commands.includes(command)) {
      throw new UsageError(`flag --${name} only applies to: tessera ${definition.commands.join(', ')}`);
    }
  }
  const single = (name: string): string | undefined => {
    const given = values.get(name);
    if (given !== undefined && given.length > 1) throw new UsageError(`flag --${name} was given ${given.length} times`);
    return given?.[0];
  };

  const collectNames = values.get('collector') ?? [];
  for (const name of collectNames) {
    if (!COLLECTOR_NAME_PATTERN.test(name)) throw new UsageError(`flag --collector: ${JSON.stringify(name)} is not a collector name`);
  }
  const maxRequestsText = single('web.max-requests');
  let maxRequests: number | undefined;
  if (maxRequestsText !== undefined) {
    maxRequests = Number(maxRequestsText);
    if (!/^\d+$/.test(maxRequestsText) || !Number.isSafeInteger(maxRequests)) {
      throw new UsageError(`flag --web.max-requests: expected a non-negative integer, received ${JSON.stringify(maxRequestsText)}`);
    }
  }
  const listenAddress = single('web.listen-address');
  if (listenAddress !== undefined) {
    try {
      parseListenAddress(listenAddress);
    } catch (error) {
      throw new UsageError(`flag --web.listen-address: ${(error as Error).message}`);
    }
  }
  const level = oneOf(single('log.level'), LOG_LEVELS, 'log.level');
  const format = oneOf(single('log.format'), LOG_FORMATS, 'log.format');

  const overrides: ExporterOverrides = {
    ...defined('listenAddress', listenAddress),
    ...defined('disableExporterMetrics', booleans.get('web.disable-exporter-metrics')),
    ...defined('maxRequests', maxRequests),
    ...defined('webConfigFile', single('web.config.file')),
    paths: { ...defined('procfs', single('path.procfs')), ...defined('sysfs', single('path.sysfs')), ...defined('rootfs', single('path.rootfs')), ...defined('udevData', single('path.udev.data')) },
    log: { ...defined('level', level), ...defined('format', format) },
    collectors: {
      // `tessera collect --collector x` collects x even when the config leaves it disabled.
      enable: [...enable, ...collectNames],
      disable,
      disableDefaults: booleans.get('collector.disable-defaults') === true,
    },
  };
  return {
    command,
    configFile: single('config'),
    overrides,
    collectNames,
    probe: booleans.get('probe') === true,
    help: booleans.get('help') === true,
    version: booleans.get('version') === true,
  };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`flag --${flag}: expected one of ${allowed.join(', ')}, received ${JSON.stringify(value)}`);
  return value as T;
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function unknownFlag(argument: string): UsageError {
  const names = FLAGS.map((flag) => `--${flag.name}`);
  return new UsageError(`unknown flag ${argument.split('=')[0] ?? argument}; valid flags: ${[...names, '--collector.<name>', '--no-collector.<name>'].join(', ')}`);
}

/** The `--help` text. */
export function helpText(): string {
  const lines = [
    'usage: tessera [command] [flags]',
    '',
    'Commands:',
    '  (none)         Run the exporter (serves /metrics).',
    '  check-config   Validate the config, load every enabled plugin and validate its entries; exit 0 or 2.',
    '                 With --probe, also create each instance and check that its source answers; exit 1 when one does not.',
    '  collect        Run one collection and print it to stdout; exit 1 when a collector failed.',
    '  list           List builtin and configured collectors: package, version, installed, enabled.',
    '',
    'Flags:',
  ];
  const rows = [
    ...FLAGS.map((flag) => [`--${flag.kind === 'boolean' && flag.name !== 'help' && flag.name !== 'version' ? '[no-]' : ''}${flag.name}${flag.placeholder === undefined ? '' : `=<${flag.placeholder}>`}`, flag.help] as const),
    ['--[no-]collector.<name>', 'Enable or disable one collector (beats the config file).'] as const,
  ];
  const width = Math.max(...rows.map(([flag]) => flag.length));
  for (const [flag, help] of rows) lines.push(`  ${flag.padEnd(width)}  ${help}`);
  return `${lines.join('\n')}\n`;
}
