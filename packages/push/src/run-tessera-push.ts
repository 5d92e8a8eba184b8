import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { ExitCode, isParseArgsError, nonEmpty, parseLabelFlags, PUSH_FLAGS, pushUsage, readTransportOptions, readVersion, UsageError, type CommandIo } from './command-line.js';
import { buildGroupingPath, describeGroupingProblem } from './grouping-path.js';
import { decodeMetricFile, MetricFileError, parseMetricFile, type MetricFile } from './parse-metric-file.js';
import { PushgatewayClient } from './pushgateway-client.js';

export { ExitCode, type CommandIo } from './command-line.js';

const USAGE = `Usage: tessera-push [options] FILE|-
       tessera-push exec [options] -- COMMAND [ARGS...]   (see tessera-push exec --help)

Validates a metric file (JSON per schema/metrics.schema.json, or Prometheus text format) and pushes it
to a Pushgateway.

Options:
  --job NAME          job label (default: the file's "job", then $TESSERA_PUSH_JOB)
  --method put|post   put replaces the group (default), post only the metrics in the file
  --allow-empty       push a file without metrics (a put then empties the group)
  --dry-run           print the exposition text instead of pushing
  --best-effort       exit 0 even when the push fails (the failure is still printed); a mistake in
                      the flags or the configuration still exits 2
  --format auto|json|text   input format (default: auto, JSON when the file starts with "{")
${pushUsage('  --version           show the version')}

Exit codes: 0 pushed, 1 push failed (0 with --best-effort), 2 invalid input or configuration.
`;

/**
 * Runs `tessera-push FILE` with `args` (without the node and script paths) and returns the exit code.
 * Never throws for bad input or a failed push: both are reported on `stderr`. (`tessera-push exec`
 * is `runExec` in `exec-command.ts`.)
 */
export async function runTesseraPush(args: readonly string[], io: CommandIo): Promise<number> {
  const error = (message: string): void => void io.stderr.write(`tessera-push: ${message}\n`);
  try {
    return await pushFile(args, io);
  } catch (problem) {
    if (problem instanceof MetricFileError) {
      for (const issue of problem.issues) error(issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`);
      return ExitCode.invalidInput;
    }
    if (!(problem instanceof UsageError) && !isParseArgsError(problem)) throw problem;
    error(problem.message);
    io.stderr.write(`Run tessera-push --help for usage.\n`);
    return ExitCode.invalidInput;
  }
}

async function pushFile(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      ...PUSH_FLAGS,
      method: { type: 'string' },
      'allow-empty': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'best-effort': { type: 'boolean' },
      format: { type: 'string' },
      version: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    io.stdout.write(USAGE);
    return ExitCode.ok;
  }
  if (values.version === true) {
    io.stdout.write(`${readVersion()}\n`);
    return ExitCode.ok;
  }
  if (positionals.length > 1) throw new UsageError(`expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  const file = positionals[0];
  if (file === undefined) throw new UsageError('missing FILE (use - for standard input)');
  if (values.method !== undefined && values.method !== 'put' && values.method !== 'post') throw new UsageError(`--method must be put or post, not ${values.method}`);
  const format = values.format ?? 'auto';
  if (format !== 'auto' && format !== 'json' && format !== 'text') throw new UsageError(`--format must be auto, json or text, not ${format}`);
  const labels = parseLabelFlags(values.label ?? []);
  // Checked before the file is read, so that every flag mistake is exit 2, --best-effort or not.
  const transport = values['dry-run'] === true ? undefined : readTransportOptions(values, io.env);
  const source = file === '-' ? 'stdin' : file;

  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readAll(io.stdin) : await readFile(file);
  } catch (problem) {
    throw new UsageError(`cannot read ${source}: ${problem instanceof Error ? problem.message : String(problem)}`);
  }
  let metricFile: MetricFile;
  try {
    metricFile = parseMetricFile(decodeMetricFile(bytes), { format, groupingLabelNames: Object.keys(labels) });
  } catch (problem) {
    if (!(problem instanceof MetricFileError)) throw problem;
    throw new MetricFileError(problem.issues.map((issue) => ({ path: `${source}: ${issue.path}`, message: issue.message })));
  }
  if (metricFile.families.length === 0 && values['allow-empty'] !== true) {
    const effect = values.method === 'post' ? 'would change nothing but the push time' : "would empty the group, erasing its last success timestamp and every other metric";
    throw new UsageError(`${source} holds no metrics: pushing it ${effect}; pass --allow-empty to do that on purpose`);
  }
  if (transport === undefined) {
    io.stdout.write(metricFile.text);
    return ExitCode.ok;
  }

  const job = nonEmpty(values.job) ?? metricFile.job ?? nonEmpty(io.env.TESSERA_PUSH_JOB);
  if (job === undefined) throw new UsageError('no job name: pass --job, set "job" in the file, or set TESSERA_PUSH_JOB');
  const groupingKey = { ...metricFile.groupingKey, ...labels };
  const groupingProblem = describeGroupingProblem(job, groupingKey);
  if (groupingProblem !== undefined) throw new UsageError(groupingProblem);
  // The CLI reports in plain words on stderr instead of JSON log lines.
  const client = new PushgatewayClient({ ...transport, logger: pino({ level: 'silent' }) });
  const method = values.method === 'post' ? 'POST' : 'PUT';
  const result = await client.send(method, buildGroupingPath(job, groupingKey), metricFile.text);
  await client.close();
  if (result.ok) {
    io.stderr.write(`tessera-push: ${method} ${result.url} answered ${result.status}\n`);
    return ExitCode.ok;
  }
  // A setting that cannot work is a mistake to fix, not an outage to ride out.
  if (result.reason === 'configuration') throw new UsageError(result.message);
  const attempts = `${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  const bestEffort = values['best-effort'] === true;
  io.stderr.write(`tessera-push: push failed after ${attempts} (${result.reason}): ${result.message}${bestEffort ? ' [--best-effort: exit 0]' : ''}\n`);
  return bestEffort ? ExitCode.ok : ExitCode.pushFailed;
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(chunks);
}
