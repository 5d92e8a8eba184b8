import type { Metric, Registry } from 'prom-client';

interface DurationValue {
  readonly metricName: string;
  readonly labels: Record<string, never>;
  readonly value: number;
}

/**
 * The summary behind `time()`: only `_sum` and `_count`, no quantiles. prom-client's `Summary` feeds
 * every observation into a t-digest even when no percentiles are asked for, which costs about half a
 * microsecond a call and memory that grows with the run; a timer needs neither. It implements the
 * part of prom-client's metric interface that `Registry` uses (`name`, `help`, `type`, `get()`), so it
 * renders and reads back like any other metric of the job's registry.
 */
export class DurationSummary {
  readonly name: string;
  readonly help: string;
  readonly type = 'summary';
  readonly aggregator = 'sum';
  readonly labelNames: readonly string[] = [];
  #sum = 0;
  #count = 0;

  constructor(options: { name: string; help: string; registers: readonly Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    // prom-client types `registerMetric` with its own classes only; the registry calls nothing else.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** Adds one duration, in seconds. */
  observe(seconds: number): void {
    this.#sum += seconds;
    this.#count++;
  }

  /** The values in prom-client's shape: `<name>_sum` and `<name>_count`. */
  get(): Promise<{ name: string; help: string; type: 'summary'; aggregator: 'sum'; values: DurationValue[] }> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [
        { metricName: `${this.name}_sum`, labels: {}, value: this.#sum },
        { metricName: `${this.name}_count`, labels: {}, value: this.#count },
      ],
    });
  }

  /** Back to zero observations. */
  reset(): void {
    this.#sum = 0;
    this.#count = 0;
  }
}
