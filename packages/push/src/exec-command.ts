import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CollectedFamily, renderText } from '@tessera/exposition';
import { ExitCode, isParseArgsError, nonEmpty, parseDuration, parseLabelFlags, PUSH_FLAGS, pushUsage, readTransportOptions, UsageError, type CommandIo } from './command-line.js';
import { SupersededError } from './deadline.js';
import { GroupSender } from './group-sender.js';
import { buildGroupingPath, describeGroupingProblem } from './grouping-path.js';
import { LABEL_NAME_PATTERN, toMetricNamespace } from './metric-definition.js';
import type { MetricsFileReader } from './metrics-file-reader.js';
import { PeriodicPush } from './periodic-push.js';
import { cpuSecondsOf, readStatFields, sampleProcessTree } from './process-tree.js';
import type { PushLogger, TransportOptions } from './pushgateway-client.js';
import type { PushResult } from './push-result.js';
import { startReapingOrphans } from './reap-orphans.js';

const EXEC_USAGE = `Usage: tessera-push exec [options] -- COMMAND [ARGS...]

Runs COMMAND (no shell) with stdin, stdout and stderr passed through and signals forwarded, pushes its
start time, duration, exit code, outcome timestamps, peak memory and CPU time to a Pushgateway, and
exits exactly as COMMAND did. Pushes never change the exit status; the final push never delays the
exit by more than --exit-timeout.

Options:
  --job NAME          job label (default: $TESSERA_PUSH_JOB)
  --namespace PREFIX  prefix of the metric names (default: the job name, with _ for other characters)
  --metrics-file PATH a metrics file the command rewrites (JSON or Prometheus text ending in "# EOF"),
                      pushed with every push; COMMAND finds the path in $TESSERA_METRICS_FILE
  --interval DURATION push every DURATION while COMMAND runs (default 15s; 500ms, 1m, 2h...)
  --exit-timeout DURATION  longest wait for the final push once COMMAND ended (default 5s)
  --method post|put   post (default) keeps the group's other metrics, such as the last success;
                      put replaces the whole group on every push
${pushUsage()}

Exit status: COMMAND's (128 + n when signal n ended it and the wrapper cannot end by that signal),
127 when COMMAND is not found, 126 when it cannot be run, 2 for a mistake in the options.
`;

/** How `tessera-push exec` ends: with its command's exit code, or by the signal that ended the command. */
export type ExitStatus = { readonly code: number } | { readonly signal: NodeJS.Signals };

/** Signals passed on to the command. SIGKILL and SIGSTOP cannot be caught, so cannot be passed on. */
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

/** Signals a terminal sends to its whole foreground process group, the command included. */
const TERMINAL_SIGNALS: ReadonlySet<string> = new Set(['SIGINT', 'SIGQUIT']);

/** How often the process tree is looked at for peak memory and CPU time, at most. */
const SAMPLE_INTERVAL_MS = 1000;

interface ExecSettings {
  readonly command: readonly string[];
  readonly job: string;
  readonly groupingKey: Readonly<Record<string, string>>;
  readonly namespace: string;
  readonly metricsFile: string | undefined;
  readonly intervalMs: number;
  readonly exitTimeoutMs: number;
  readonly method: 'POST' | 'PUT';
  readonly transport: TransportOptions;
}

/**
 * Runs `tessera-push exec` with `args` (what follows `exec`) and resolves with how the process
 * should end; {@link exitAs} ends it so. Mistakes in the options resolve with exit code 2 before
 * anything is run.
 */
export async function runExec(args: readonly string[], io: CommandIo): Promise<ExitStatus> {
  let settings: ExecSettings | 'help';
  try {
    settings = parseExecCommandLine(args, io.env);
  } catch (problem) {
    if (!(problem instanceof UsageError) && !isParseArgsError(problem)) throw problem;
    io.stderr.write(`tessera-push exec: ${problem.message}\nRun tessera-push exec --help for usage.\n`);
    return { code: ExitCode.invalidInput };
  }
  if (settings === 'help') {
    io.stdout.write(EXEC_USAGE);
    return { code: ExitCode.ok };
  }
  return new ExecRun(settings, io).run();
}

function parseExecCommandLine(args: readonly string[], env: CommandIo['env']): ExecSettings | 'help' {
  const separator = args.indexOf('--');
  const optionArgs = separator === -1 ? args : args.slice(0, separator);
  const { values, positionals } = parseArgs({
    args: [...optionArgs],
    allowPositionals: true,
    strict: true,
    options: {
      ...PUSH_FLAGS,
      namespace: { type: 'string' },
      'metrics-file': { type: 'string' },
      interval: { type: 'string' },
      'exit-timeout': { type: 'string' },
      method: { type: 'string' },
    },
  });
  if (values.help === true) return 'help';
  if (separator === -1) {
    throw new UsageError(`put -- before the command, so that its own options are not read as tessera-push's: tessera-push exec [options] -- ${positionals.join(' ') || 'COMMAND'}`);
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument before --: ${positionals.join(' ')}`);
  const command = args.slice(separator + 1);
  if (command.length === 0 || command[0] === '') throw new UsageError('missing COMMAND after --');
  const job = nonEmpty(values.job) ?? nonEmpty(env.TESSERA_PUSH_JOB);
  if (job === undefined) throw new UsageError('no job name: pass --job or set TESSERA_PUSH_JOB');
  const groupingKey = parseLabelFlags(values.label ?? []);
  const groupingProblem = describeGroupingProblem(job, groupingKey);
  if (groupingProblem !== undefined) throw new UsageError(groupingProblem);
  const namespace = values.namespace ?? toMetricNamespace(job);
  if (!LABEL_NAME_PATTERN.test(namespace)) throw new UsageError(`--namespace ${JSON.stringify(namespace)} is not a valid metric-name prefix`);
  if (values.method !== undefined && values.method !== 'post' && values.method !== 'put') throw new UsageError(`--method must be post or put, not ${values.method}`);
  const metricsFile = nonEmpty(values['metrics-file']);
  return {
    command,
    job,
    groupingKey,
    namespace,
    metricsFile: metricsFile === undefined ? undefined : resolve(metricsFile),
    intervalMs: parseDuration('--interval', values.interval ?? '15s', 50),
    exitTimeoutMs: parseDuration('--exit-timeout', values['exit-timeout'] ?? '5s', 0),
    method: values.method === 'put' ? 'PUT' : 'POST',
    transport: readTransportOptions(values, env),
  };
}

/** What is known about the command's run, for the wrapper's own metrics. */
interface RunState {
  readonly startWallSeconds: number;
  readonly startMonotonicMs: number;
  /** `cutime + cstime` of this process before the command ran; undefined without /proc (not Linux). */
  readonly childrenCpuAtStart: number | undefined;
  pid: number | undefined;
  peakBytes: number | undefined;
  liveTreeCpuSeconds: number;
  exit: { readonly code: number; readonly wallSeconds: number; readonly monotonicMs: number } | undefined;
}

/** The client's logger: exec reports push failures itself, in plain words and once per outage. */
const SILENT: PushLogger = { warn: () => undefined, debug: () => undefined };

/** One run of `tessera-push exec`: the child, its signals, its metrics and the pushes. */
class ExecRun {
  readonly #settings: ExecSettings;
  readonly #io: CommandIo;
  readonly #state: RunState;
  #fileReader: MetricsFileReader | undefined;
  /** The last push failed; the next failure is not logged again until a push succeeds. */
  #failing = false;
  /** Ends the wait for the final push at once (a signal after the command ended). */
  #giveUp: (() => void) | undefined;
  /** Loaded once the command runs, with the client. */
  #renderText: typeof renderText | undefined;

  constructor(settings: ExecSettings, io: CommandIo) {
    this.#settings = settings;
    this.#io = io;
    const ownFields = readStatFields('self');
    this.#state = {
      startWallSeconds: Date.now() / 1000,
      startMonotonicMs: performance.now(),
      childrenCpuAtStart: ownFields === undefined ? undefined : cpuSecondsOf(ownFields, 'children'),
      pid: undefined,
      peakBytes: undefined,
      liveTreeCpuSeconds: 0,
      exit: undefined,
    };
  }

  async run(): Promise<ExitStatus> {
    const { command, metricsFile } = this.#settings;
    const [file = '', ...args] = command;
    // Listening before the command starts: a signal sent as soon as the command is up must not find
    // the wrapper with Node's default action (exit) still in place.
    const pending: NodeJS.Signals[] = [];
    const started: { child?: ChildProcess } = {};
    const stopForwarding = this.#forwardSignals((signal) => (started.child === undefined ? pending.push(signal) : started.child.kill(signal)));
    // The command starts first; what only the pushes need is loaded while it runs.
    const child = spawn(file, args, { stdio: 'inherit', env: metricsFile === undefined ? process.env : { ...process.env, TESSERA_METRICS_FILE: metricsFile } });
    this.#state.pid = child.pid;
    let endedAt: { readonly wallSeconds: number; readonly monotonicMs: number } | undefined;
    const ended = new Promise<ExitStatus>((resolveEnd) => {
      const end = (status: ExitStatus): void => {
        endedAt = { wallSeconds: Date.now() / 1000, monotonicMs: performance.now() };
        resolveEnd(status);
      };
      child.once('exit', (code, signal) => end(signal === null ? { code: code ?? 0 } : { signal }));
      child.once('error', (error: NodeJS.ErrnoException) => {
        // Only a failed spawn has no pid; a failed kill() of a running child is not the end of it.
        if (child.pid !== undefined) return;
        this.#say(`cannot run ${file}: ${error.message}`);
        end({ code: error.code === 'ENOENT' ? 127 : 126 });
      });
    });
    started.child = child;
    for (const signal of pending) child.kill(signal);
    const stopReaping = await startReapingOrphans(
      () => this.#state.pid,
      (message) => this.#say(message),
    );
    const sampler = setInterval(() => this.#sample(), Math.min(SAMPLE_INTERVAL_MS, this.#settings.intervalMs));
    sampler.unref();
    const sender = await this.#createSender();
    // A command that is over already (`true`) gets the final push only.
    const immediate = endedAt === undefined;
    const periodic = new PeriodicPush((method, options) => this.#sendAndReport(sender, method, options), this.#settings.intervalMs, { method: this.#settings.method, handleSignals: false, immediate }, false, () => undefined);

    const status = await ended;
    clearInterval(sampler);
    this.#recordExit(status, endedAt ?? { wallSeconds: Date.now() / 1000, monotonicMs: performance.now() });
    await this.#finalPush(periodic);
    stopForwarding();
    stopReaping();
    return status;
  }

  async #createSender(): Promise<GroupSender> {
    const settings = this.#settings;
    if (settings.metricsFile !== undefined) {
      const { MetricsFileReader } = await import('./metrics-file-reader.js');
      this.#fileReader = new MetricsFileReader({
        path: settings.metricsFile,
        job: settings.job,
        groupingKey: settings.groupingKey,
        reservedFamilies: new Set(this.#families().map((entry) => entry.family.name)),
        onProblem: (message) => this.#say(message),
      });
    }
    const [{ PushgatewayClient }, exposition] = await Promise.all([import('./pushgateway-client.js'), import('@tessera/exposition')]);
    this.#renderText = exposition.renderText;
    const client = new PushgatewayClient({ ...settings.transport, logger: SILENT });
    return new GroupSender(client, buildGroupingPath(settings.job, settings.groupingKey), () => this.#render());
  }

  /** Passes signals on to the command; after it ended, one makes the final push give up. Returns the undo. */
  #forwardSignals(forward: (signal: NodeJS.Signals) => void): () => void {
    const fromTerminal = process.stdin.isTTY === true;
    const listeners = FORWARDED_SIGNALS.map((signal) => {
      const listener = (): void => {
        if (this.#state.exit !== undefined) this.#giveUp?.();
        // A terminal's Ctrl-C or Ctrl-\ already reached the command, which shares our process group.
        else if (!(fromTerminal && TERMINAL_SIGNALS.has(signal))) forward(signal);
      };
      process.on(signal, listener);
      return [signal, listener] as const;
    });
    return () => {
      for (const [signal, listener] of listeners) process.off(signal, listener);
    };
  }

  /**
   * Pushes the final state, waiting at most `--exit-timeout` for it (rendering and the metrics file
   * included), less if a signal says to hurry.
   */
  async #finalPush(periodic: PeriodicPush): Promise<void> {
    const deadlineMs = this.#settings.exitTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'late'>((resolveLate) => {
      timer = setTimeout(() => resolveLate('late'), deadlineMs);
      this.#giveUp = () => resolveLate('late');
    });
    const result = await Promise.race([periodic.stop({ deadlineMs }).catch((error: unknown) => error), outOfTime]);
    clearTimeout(timer);
    if (result === 'late') this.#say(`the final push did not finish within --exit-timeout (${deadlineMs} ms); exiting without it`);
    else if (!isPushResult(result)) this.#say(`the final push failed: ${String(result)}`);
    else if (!result.ok) this.#say(`the final push failed (${result.reason}): ${result.message}`);
  }

  async #sendAndReport(sender: GroupSender, method: 'POST' | 'PUT', options: { retries?: number; signal?: AbortSignal }): Promise<PushResult> {
    const result = await sender.send(method, options);
    const superseded = !result.ok && result.error instanceof SupersededError;
    if (result.ok && this.#failing) this.#say('pushes to the Pushgateway succeed again');
    else if (!result.ok && !superseded && !this.#failing && this.#state.exit === undefined) {
      this.#say(`push failed (${result.reason}): ${result.message}; the command goes on, and further failures are not reported until a push succeeds`);
    }
    if (!superseded) this.#failing = !result.ok;
    return result;
  }

  #recordExit(status: ExitStatus, at: { readonly wallSeconds: number; readonly monotonicMs: number }): void {
    const code = 'code' in status ? status.code : signalExitCode(status.signal);
    this.#state.exit = { code, ...at };
  }

  /** Looks at the command's process tree: its memory now and at peak, its CPU time so far. */
  #sample(): void {
    const pid = this.#state.pid;
    const tree = pid === undefined || this.#state.exit !== undefined ? undefined : sampleProcessTree(pid);
    if (tree === undefined) return;
    this.#state.peakBytes = Math.max(this.#state.peakBytes ?? 0, tree.residentBytes, tree.largestPeakBytes);
    this.#state.liveTreeCpuSeconds = tree.cpuSeconds;
  }

  async #render(): Promise<string> {
    this.#sample();
    // Once the command has ended, every read is final: a problem with the file is reported at once.
    const fileText = this.#fileReader === undefined ? '' : await this.#fileReader.read(this.#state.exit !== undefined);
    return (this.#renderText?.(this.#families()) ?? '') + fileText;
  }

  /** The wrapper's own metrics, from the run's state. */
  #families(): CollectedFamily[] {
    const state = this.#state;
    const prefix = this.#settings.namespace;
    const gauge = (name: string, help: string, value: number | undefined): CollectedFamily => ({
      family: { name: `${prefix}_${name}`, type: 'gauge', help, labelNames: [] },
      series: value === undefined ? [] : [{ labels: {}, value }],
    });
    const exit = state.exit;
    const ownFields = exit === undefined || state.childrenCpuAtStart === undefined ? undefined : readStatFields('self');
    // Once the command has ended and Node waited for it, its CPU time (and that of every process it
    // waited for) is in this process's children times.
    const cpuSeconds =
      state.childrenCpuAtStart === undefined || state.pid === undefined ? undefined : ownFields === undefined ? state.liveTreeCpuSeconds : cpuSecondsOf(ownFields, 'children') - state.childrenCpuAtStart;
    const succeeded = exit?.code === 0;
    return [
      gauge('start_timestamp_seconds', 'Unix time the command of this run started.', state.startWallSeconds),
      gauge('duration_seconds', 'Wall time the command has run so far, in seconds; once it ended, how long it ran.', ((exit?.monotonicMs ?? performance.now()) - state.startMonotonicMs) / 1000),
      gauge('in_progress', '1 while the command runs, 0 once it has ended.', exit === undefined ? 1 : 0),
      gauge('exit_code', 'Exit status of the last run of the command; 128 + the signal number when a signal ended it.', exit?.code),
      gauge('last_success_timestamp_seconds', 'Unix time of the last successful run (exit status 0) of this job.', succeeded ? exit.wallSeconds : undefined),
      gauge('last_failure_timestamp_seconds', 'Unix time of the last failed run (exit status other than 0) of this job.', exit !== undefined && !succeeded ? exit.wallSeconds : undefined),
      gauge('last_completion_timestamp_seconds', 'Unix time of the last completed run of this job, successful or not.', exit?.wallSeconds),
      gauge('peak_memory_bytes', "Peak resident memory of the command's process tree: the largest total sampled every second, or a single process's high-water mark if larger.", state.peakBytes),
      {
        family: { name: `${prefix}_cpu_seconds_total`, type: 'counter', help: "User and system CPU time of the command's process tree, in seconds.", labelNames: [] },
        series: cpuSeconds === undefined ? [] : [{ labels: {}, value: Math.max(0, cpuSeconds) }],
      },
    ];
  }

  #say(message: string): void {
    this.#io.stderr.write(`tessera-push exec: ${message}\n`);
  }
}

/** The shell's exit status for a command that `signal` ended: 128 + the signal number. */
function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

function isPushResult(value: unknown): value is PushResult {
  return typeof value === 'object' && value !== null && 'ok' in value && 'method' in value;
}

/**
 * Ends the process as `status` says: with the exit code, or by re-raising the signal that ended the
 * command, so that a parent (a shell, Argo, the kubelet) sees exactly what it would have seen without
 * the wrapper. The signal's disposition is reset to the default first (Node ignores SIGPIPE, for one).
 * PID 1 cannot be ended by its own signal, and a signal whose default is not to terminate would not
 * end it either: those exit with 128 + the signal number, the shell's convention.
 */
export function exitAs(status: ExitStatus): void {
  if ('code' in status) {
    process.exit(status.code);
  }
  const { signal } = status;
  const code = signalExitCode(signal);
  if (process.pid === 1) process.exit(code);
  if (signal !== 'SIGKILL' && signal !== 'SIGSTOP') {
    // Listening and stopping again leaves the default disposition behind.
    const reset = (): void => undefined;
    process.on(signal, reset);
    process.off(signal, reset);
  }
  process.kill(process.pid, signal);
  // Another thread may take the signal a moment later; should it not end the process, exit anyway.
  setTimeout(() => process.exit(code), 1000);
}
