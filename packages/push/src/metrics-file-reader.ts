import { readFile, stat } from 'node:fs/promises';
import { decodeMetricFile, detectMetricFileFormat, MetricFileError, parseMetricFile } from './parse-metric-file.js';

/** Options of {@link MetricsFileReader}. */
export interface MetricsFileReaderOptions {
  readonly path: string;
  /** The job and grouping key the wrapper pushes; a JSON file naming others is refused. */
  readonly job: string;
  readonly groupingKey: Readonly<Record<string, string>>;
  /** Family names the wrapper pushes itself; the file may not redefine them. */
  readonly reservedFamilies: ReadonlySet<string>;
  /** Receives each distinct problem once. */
  readonly onProblem: (message: string) => void;
}

/** How long a file must stay unchanged and unusable before that is reported rather than waited out. */
const SETTLE_MS = 10_000;

/** A text file is complete when its last line is the OpenMetrics end marker. */
const END_MARKER = /(?:^|\n)# EOF[ \t]*\r?\n?$/;

/**
 * Reads the metrics file a running job rewrites, and hands out only versions that are complete:
 *
 * - JSON needs nothing more: a JSON document cut anywhere before its end never parses;
 * - Prometheus text must end with a `# EOF` line (OpenMetrics' end marker), since text cut at a line
 *   boundary parses as a smaller, valid file.
 *
 * Either way, writing the file under a temporary name and renaming it over the old one (which is
 * atomic) means no reader ever sees half a file. A version that does not parse is skipped and the
 * last good one is used: a file caught while it is being written is rewritten soon after. Only a
 * problem that persists (the file unchanged and unusable for 10 s, or at the final read) is
 * reported, once.
 */
export class MetricsFileReader {
  readonly #options: MetricsFileReaderOptions;
  readonly #reported = new Set<string>();
  #text = '';
  #stamp: string | undefined;
  #problem: string | undefined;
  #problemSinceMs = 0;
  #readOnce = false;

  constructor(options: MetricsFileReaderOptions) {
    this.#options = options;
  }

  /**
   * The exposition text of the newest complete, valid version of the file (`''` before there is
   * one), reading the file again only when it changed. `final` reports any problem at once.
   */
  async read(final = false): Promise<string> {
    let stamp: string;
    try {
      const stats = await stat(this.#options.path);
      stamp = `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    } catch (error) {
      if (final && !this.#readOnce) this.#report(`${this.#options.path} was never written (${error instanceof Error ? error.message : String(error)}); only the command's own metrics were pushed`);
      return this.#text;
    }
    if (stamp !== this.#stamp) {
      this.#stamp = stamp;
      this.#problem = await this.#load();
      this.#problemSinceMs = performance.now();
    }
    // Left unchanged for a while, a problem is not a write in progress.
    if (this.#problem !== undefined && (final || performance.now() - this.#problemSinceMs >= SETTLE_MS)) this.#report(`${this.#problem}; pushing the last complete version instead`);
    return this.#text;
  }

  /** Reads and checks the file; returns the problem, or undefined after taking the new version. */
  async #load(): Promise<string | undefined> {
    const { path } = this.#options;
    let content: string;
    try {
      content = decodeMetricFile(await readFile(path));
    } catch (error) {
      if (error instanceof MetricFileError) return `${path}: ${error.message}`;
      return `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`;
    }
    this.#readOnce = true;
    const format = detectMetricFileFormat(content);
    if (format === 'text' && !END_MARKER.test(content)) {
      return `${path} does not end with a "# EOF" line; a Prometheus text metrics file needs it, so that a half-written file is never pushed (JSON needs nothing)`;
    }
    try {
      const file = parseMetricFile(format === 'text' ? content.replace(END_MARKER, '\n') : content, { format, groupingLabelNames: Object.keys(this.#options.groupingKey) });
      const clash = file.families.find((family) => this.#options.reservedFamilies.has(family));
      if (clash !== undefined) return `${path}: metric ${clash} is one tessera-push exec pushes itself; rename it in the file`;
      if (file.job !== undefined && file.job !== this.#options.job) return `${path}: names job ${JSON.stringify(file.job)}, but tessera-push exec pushes job ${JSON.stringify(this.#options.job)}`;
      for (const [name, value] of Object.entries(file.groupingKey)) {
        if (this.#options.groupingKey[name] !== value) return `${path}: its groupingKey ${name}=${JSON.stringify(value)} is not part of the group tessera-push exec pushes (pass it with --label)`;
      }
      this.#text = file.text;
      return undefined;
    } catch (error) {
      if (error instanceof MetricFileError) return error.issues.map((issue) => `${path}: ${issue.path}: ${issue.message}`).join('\n');
      throw error;
    }
  }

  #report(problem: string): void {
    if (this.#reported.has(problem)) return;
    this.#reported.add(problem);
    this.#options.onProblem(problem);
  }
}
