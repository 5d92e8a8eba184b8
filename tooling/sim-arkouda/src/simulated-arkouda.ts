import * as json from './chapel-json.js';
import type { AllSection, Category, Era } from './eras.js';

/** One locale (a node of the Arkouda job), as `Locales` describes it. */
export interface SimulatedLocale {
  readonly id: number;
  readonly name: string;
  readonly hostname: string;
  readonly numPUs: number;
  readonly maxTaskPar: number;
  readonly physicalMemory: number;
}

/** What one simulated server runs with. */
export interface SimulatedArkoudaOptions {
  readonly era: Era;
  readonly locales: readonly SimulatedLocale[];
  /** User names that send commands to the main port. */
  readonly users: readonly string[];
  /** Command names the users run. */
  readonly commands: readonly string[];
  /** SERVER-category `num_connections` (kept only by an early fork of Arkouda); undefined leaves SERVER empty, as upstream does. */
  readonly connections?: number | undefined;
  /** Records of categories no released Arkouda has, appended to `ALL` (a newer server). */
  readonly extraCategories?: readonly string[] | undefined;
  /** Seeds the response times, so that two runs with the same requests answer the same bytes. */
  readonly seed: number;
  /** Wall-clock milliseconds since the epoch, for the records' timestamps. */
  readonly clock: () => number;
}

/** Error classes counted per class by v2024.04.19 – v2024.06.21. */
const ERROR_CLASSES = ['IllegalArgumentError', 'OverMemoryLimitError', 'NotImplementedError'] as const;

/** Arkouda's memory tracking counts allocations of at least this size (`-smemThreshold=1048576`). */
const MEM_THRESHOLD_BYTES = 1_048_576;

interface CommandStats {
  count: number;
  lastSeconds: number;
  totalSeconds: number;
  /** Running sum, in GB, of the memory in use after each run (TOTAL_MEMORY_USED, an odd running sum). */
  memoryGigabytes: number;
}

/** mulberry32: a small seeded generator, so runs are reproducible. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The entries of `map` in a stable order that is not the insertion order, like the iteration order of Chapel's hash maps. */
function hashOrder<V>(map: ReadonlyMap<string, V>): [string, V][] {
  const hash = (text: string): number => {
    let value = 2_166_136_261;
    for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 16_777_619) >>> 0;
    return value;
  };
  return [...map].sort(([a], [b]) => hash(a) - hash(b) || (a < b ? -1 : 1));
}

/**
 * The state of one Arkouda server as its metrics daemon sees it: the counters the main port keeps
 * (per command, per user, response times, memory, errors) and the locales, and the `msg` texts the
 * daemon answers with. A workload moves the counters: every step, each user runs one command.
 */
export class SimulatedArkouda {
  readonly #options: SimulatedArkoudaOptions;
  readonly #random: () => number;
  readonly #commands = new Map<string, CommandStats>();
  readonly #perUser = new Map<string, Map<string, number>>();
  readonly #errors = new Map<string, number>();
  #step = 0;
  #executions = 0;
  /** Bytes tracked on locale 0 right now. */
  #memoryUsed = 64 * MEM_THRESHOLD_BYTES;

  constructor(options: SimulatedArkoudaOptions) {
    this.#options = options;
    this.#random = seededRandom(options.seed);
    // A server that has been used: every command has run once, so `ALL` lists them all from the start.
    options.commands.forEach((command, index) => this.#run(options.users[index % options.users.length] ?? 'arkouda', command));
  }

  get era(): Era {
    return this.#options.era;
  }

  /** Moves the workload one step: each user runs the next command in its rotation. */
  advance(): void {
    const { users, commands } = this.#options;
    this.#step++;
    users.forEach((user, index) => {
      const command = commands[(this.#step + index) % commands.length];
      if (command !== undefined) this.#run(user, command);
    });
  }

  #run(user: string, command: string): void {
    // Response times between 0.1 ms and about 0.5 s, most of them short.
    const seconds = 0.0001 + this.#random() ** 3 * 0.5;
    this.#memoryUsed = MEM_THRESHOLD_BYTES * (64 + Math.floor(this.#random() * 4096));
    const stats = this.#commands.get(command) ?? { count: 0, lastSeconds: 0, totalSeconds: 0, memoryGigabytes: 0 };
    stats.count++;
    stats.lastSeconds = seconds;
    stats.totalSeconds += seconds;
    stats.memoryGigabytes += (this.#memoryUsed * this.#options.locales.length) / 1e9;
    this.#commands.set(command, stats);
    const userCounts = this.#perUser.get(user) ?? new Map<string, number>();
    userCounts.set(command, (userCounts.get(command) ?? 0) + 1);
    this.#perUser.set(user, userCounts);
    this.#executions++;
    if (this.#options.era.errorsPerClass && this.#executions % 11 === 0) {
      const errorClass = ERROR_CLASSES[this.#executions % ERROR_CLASSES.length] ?? 'Error';
      this.#errors.set(errorClass, (this.#errors.get(errorClass) ?? 0) + 1);
    }
  }

  /** The reply `msg` of `connect`. */
  connectMessage(): string {
    // The daemon prints its bind address, not the address the client used.
    return 'connected to arkouda metrics server tcp://*:5556';
  }

  /** The reply `msg` of `getconfig`: the server's configuration as a JSON document. */
  configMessage(): string {
    const { locales, era } = this.#options;
    const first = locales[0];
    return json.object([
      ['arkoudaVersion', json.string(era.version)],
      ['chplVersion', json.string('2.1.0')],
      ['pythonVersion', json.string('3.12')],
      ['ZMQVersion', json.string('4.3.5')],
      ['HDF5Version', json.string('1.14.4')],
      ['serverHostname', json.string(first?.hostname ?? 'localhost')],
      ['ServerPort', json.int(5555)],
      ['numLocales', json.int(locales.length)],
      ['numNodes', json.int(locales.length)],
      ['numPUs', json.int(first?.numPUs ?? 1)],
      ['maxTaskPar', json.int(first?.maxTaskPar ?? 1)],
      ['physicalMemory', json.int(first?.physicalMemory ?? 0)],
      ['distributionType', json.string('domain(1,int(64),one)')],
      [
        'LocaleConfigs',
        json.array(
          locales.map((locale) =>
            json.object([
              ['id', json.int(locale.id)],
              ['name', json.string(locale.name)],
              ['numPUs', json.int(locale.numPUs)],
              ['numColocales', json.int(0)],
              ['maxTaskPar', json.int(locale.maxTaskPar)],
              ['physicalMemory', json.int(locale.physicalMemory)],
            ]),
          ),
        ),
      ],
      ['authenticate', json.boolean(false)],
      ['logLevel', json.string('INFO')],
      ['logChannel', json.string('CONSOLE')],
      ['regexMaxCaptures', json.int(20)],
      ['byteorder', json.string('little')],
      ['autoShutdown', json.boolean(false)],
      ['serverInfoNoSplash', json.boolean(false)],
    ]);
  }

  /** The reply `msg` of `metrics` for a category the era answers. */
  metricsMessage(category: Category): string {
    if (category === 'SERVER_INFO') return this.#serverInfo();
    const records = new RecordWriter(this.#options.clock());
    const commands = hashOrder(this.#commands);
    if (category === 'ALL') {
      for (const section of this.#options.era.all) this.#writeSection(records, section, commands);
      for (const extra of this.#options.extraCategories ?? []) records.metric('pending', extra, 'GLOBAL', 3);
    } else {
      this.#writeSection(records, category, commands);
    }
    return records.toJson();
  }

  /** Writes one section; `commands` are the command counters in the server's order. */
  #writeSection(records: RecordWriter, section: AllSection, commands: readonly [string, CommandStats][]): void {
    switch (section) {
      case 'NUM_REQUESTS': {
        let total = 0;
        for (const [command, stats] of commands) {
          records.metric(command, section, 'GLOBAL', stats.count);
          total += stats.count;
        }
        // `total` is always there, even on a server that has run nothing.
        records.metric('total', section, 'GLOBAL', total);
        return;
      }
      case 'RESPONSE_TIME':
        if (!this.#options.era.responseTimeAlwaysEmpty) for (const [command, stats] of commands) records.metric(command, section, 'GLOBAL', stats.lastSeconds);
        return;
      case 'AVG_RESPONSE_TIME':
        for (const [command, stats] of commands) records.metric(command, section, 'GLOBAL', stats.totalSeconds / stats.count);
        return;
      case 'TOTAL_RESPONSE_TIME':
        for (const [command, stats] of commands) records.metric(command, section, 'GLOBAL', stats.totalSeconds);
        return;
      case 'TOTAL_MEMORY_USED':
        for (const [command, stats] of commands) records.metric(command, section, 'GLOBAL', stats.memoryGigabytes);
        return;
      case 'SYSTEM':
        for (const locale of this.#options.locales) {
          // memoryUsed() runs on locale 0 for every locale, so they all show the same figure.
          records.locale('arkouda_memory_used_per_locale', locale, this.#memoryUsed);
          records.locale('arkouda_percent_memory_used_per_locale', locale, (this.#memoryUsed / locale.physicalMemory) * 100);
        }
        return;
      case 'SERVER':
        if (this.#options.connections !== undefined) records.metric('num_connections', section, 'GLOBAL', this.#options.connections);
        return;
      case 'USER':
        for (const [user, counts] of hashOrder(this.#perUser)) {
          let total = 0;
          for (const [command, count] of hashOrder(counts)) {
            records.user(command, user, count);
            total += count;
          }
          records.user('total', user, total);
        }
        return;
      case 'NUM_ERRORS': {
        let total = 0;
        for (const [errorClass, count] of hashOrder(this.#errors)) {
          records.metric(errorClass, section, 'GLOBAL', count);
          total += count;
        }
        records.metric('total', section, 'GLOBAL', total);
        return;
      }
    }
  }

  #serverInfo(): string {
    const { locales, era } = this.#options;
    return json.object([
      ['hostname', json.string(locales[0]?.hostname ?? 'localhost')],
      ['version', json.string(era.version)],
      ['server_port', json.int(5555)],
      [
        'locales',
        json.array(
          locales.map((locale) =>
            json.object([
              ['name', json.string(locale.name)],
              // A string here, unlike locale_num in the metric records.
              ['id', json.string(String(locale.id))],
              ['hostname', json.string(locale.hostname)],
              ['number_of_processing_units', json.int(locale.numPUs)],
              ['physical_memory', json.int(locale.physicalMemory)],
              ['max_number_of_tasks', json.int(locale.maxTaskPar)],
            ]),
          ),
        ),
      ],
      ['number_of_locales', json.int(locales.length)],
    ]);
  }
}

/** Writes metric records; each gets its own timestamp a microsecond after the previous one, as `dateTime.now()` does. */
class RecordWriter {
  readonly #records: json.Encoded[] = [];
  #microseconds: number;

  constructor(nowMs: number) {
    this.#microseconds = Math.round(nowMs * 1000);
  }

  #base(name: string, category: string, scope: string, value: number): [string, json.Encoded][] {
    return [
      ['name', json.string(name)],
      ['category', json.string(category)],
      ['scope', json.string(scope)],
      ['timestamp', json.timestamp(this.#microseconds++)],
      ['value', json.real(value)],
    ];
  }

  metric(name: string, category: string, scope: string, value: number): void {
    this.#records.push(json.object(this.#base(name, category, scope, value)));
  }

  locale(name: string, locale: SimulatedLocale, value: number): void {
    this.#records.push(
      json.object([
        ...this.#base(name, 'SYSTEM', 'LOCALE', value),
        ['locale_num', json.int(locale.id)],
        ['locale_name', json.string(locale.name)],
        ['locale_hostname', json.string(locale.hostname)],
      ]),
    );
  }

  user(name: string, user: string, value: number): void {
    this.#records.push(json.object([...this.#base(name, 'NUM_REQUESTS', 'USER', value), ['user', json.string(user)]]));
  }

  toJson(): string {
    return json.array(this.#records);
  }
}
