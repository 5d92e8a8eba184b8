import type { Metric, Registry } from 'prom-client';

/**
 * An info metric, as Python's `Info` renders it in text format 0.0.4: one gauge series with value 1
 * whose labels carry the facts (model version, hyperparameters). Setting new labels replaces the
 * series. It implements the part of prom-client's metric interface that `Registry` uses.
 */
export class InfoMetric {
  readonly name: string;
  readonly help: string;
  readonly type = 'gauge';
  readonly aggregator = 'first';
  #labels: Readonly<Record<string, string>> | undefined;

  constructor(options: { name: string; help: string; registers: readonly Registry[] }) {
    this.name = options.name;
    this.help = options.help;
    // prom-client types `registerMetric` with its own classes only; the registry calls nothing else.
    for (const registry of options.registers) registry.registerMetric(this as unknown as Metric);
  }

  /** Replaces the labels of the series. */
  set(labels: Readonly<Record<string, string>>): void {
    this.#labels = Object.freeze({ ...labels });
  }

  /** The series in prom-client's shape; none until `set()` is called. */
  get(): Promise<{ name: string; help: string; type: 'gauge'; aggregator: 'first'; values: { labels: Readonly<Record<string, string>>; value: number }[] }> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.#labels === undefined ? [] : [{ labels: this.#labels, value: 1 }],
    });
  }

  /** Removes the series. */
  reset(): void {
    this.#labels = undefined;
  }
}
