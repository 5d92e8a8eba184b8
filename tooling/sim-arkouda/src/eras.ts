/**
 * What changed in Arkouda's metrics daemon between releases (from `src/MetricsMsg.chpl` and
 * `src/Message.chpl` of Bears-R-Us/arkouda): the categories the `MetricCategory` enum knows, the
 * ones `metricsMsg` answers (any other value throws, which ends the daemon's task), what `ALL`
 * concatenates, and the shape of the reply object.
 */

/** A metric category name, as the enum spells it. */
export type Category =
  | 'ALL'
  | 'NUM_REQUESTS'
  | 'RESPONSE_TIME'
  | 'AVG_RESPONSE_TIME'
  | 'TOTAL_RESPONSE_TIME'
  | 'TOTAL_MEMORY_USED'
  | 'SYSTEM'
  | 'SERVER'
  | 'SERVER_INFO'
  | 'NUM_ERRORS';

/** One part of an `ALL` reply, in the order the server concatenates them. `USER` is the per-user NUM_REQUESTS. */
export type AllSection = Exclude<Category, 'ALL' | 'SERVER_INFO'> | 'USER';

/** How a release behaves on the metrics port. */
export interface Era {
  /** The release that introduced this behaviour; what `getconfig` and SERVER_INFO report. */
  readonly version: string;
  /** How `metrics` reads its category: a plain string (`"ALL"`, until v2022.08.30) or JSON arguments (since v2022.09.30). */
  readonly arguments: 'string' | 'json';
  /** `ReplyMsg` (the request's user echoed) until v2024.06.21; `MsgTuple` (empty user, a payload field) since v2024.10.02. */
  readonly reply: 'reply-msg' | 'msg-tuple';
  /** Names the category enum accepts; a cast of any other string throws. */
  readonly categories: readonly Category[];
  /** Categories `metricsMsg` has a case for; the others throw. */
  readonly answered: readonly Category[];
  /** What `ALL` concatenates, in order. */
  readonly all: readonly AllSection[];
  /** RESPONSE_TIME entries exist but are never filled (nothing set them before v2023.03.01). */
  readonly responseTimeAlwaysEmpty: boolean;
  /** NUM_ERRORS counts errors per error class (v2024.04.19 – v2024.06.21) or is only `total` = 0 (later). */
  readonly errorsPerClass: boolean;
}

/** v2022.08.15: the first upstream metrics daemon, reading its category as a plain string. */
const FIRST_DAEMON: Era = {
  version: 'v2022.08.15',
  arguments: 'string',
  reply: 'reply-msg',
  categories: ['ALL', 'NUM_REQUESTS', 'RESPONSE_TIME', 'SYSTEM', 'SERVER', 'SERVER_INFO'],
  answered: ['ALL', 'NUM_REQUESTS', 'SERVER', 'SYSTEM', 'SERVER_INFO'],
  all: ['NUM_REQUESTS', 'RESPONSE_TIME', 'SYSTEM', 'SERVER', 'USER'],
  responseTimeAlwaysEmpty: true,
  errorsPerClass: false,
};

/** v2023.04.07: average, total response time and total memory per command, RESPONSE_TIME filled. */
const TIMINGS: Era = {
  ...FIRST_DAEMON,
  version: 'v2023.04.07',
  arguments: 'json',
  categories: [...FIRST_DAEMON.categories, 'AVG_RESPONSE_TIME', 'TOTAL_RESPONSE_TIME', 'TOTAL_MEMORY_USED'],
  answered: [...FIRST_DAEMON.answered, 'TOTAL_MEMORY_USED', 'AVG_RESPONSE_TIME', 'TOTAL_RESPONSE_TIME'],
  all: ['NUM_REQUESTS', 'RESPONSE_TIME', 'AVG_RESPONSE_TIME', 'TOTAL_RESPONSE_TIME', 'TOTAL_MEMORY_USED', 'SYSTEM', 'SERVER', 'USER'],
  responseTimeAlwaysEmpty: false,
};

/** v2024.04.19: NUM_ERRORS, counted per error class. */
const ERRORS: Era = {
  ...TIMINGS,
  version: 'v2024.04.19',
  categories: [...TIMINGS.categories, 'NUM_ERRORS'],
  answered: [...TIMINGS.answered, 'NUM_ERRORS'],
  all: [...TIMINGS.all, 'NUM_ERRORS'],
  errorsPerClass: true,
};

/** The reply eras the simulator speaks, named after their first release's date. */
export const ERAS = {
  '2022.08': FIRST_DAEMON,
  /** v2022.09.30: JSON arguments. */
  '2022.09': { ...FIRST_DAEMON, version: 'v2022.09.30', arguments: 'json' },
  '2023.04': TIMINGS,
  '2024.04': ERRORS,
  /** v2024.10.02 (#3359): the reply becomes a MsgTuple, and NUM_ERRORS is only `total` = 0. */
  '2024.10': { ...ERRORS, version: 'v2024.10.02', reply: 'msg-tuple', errorsPerClass: false },
} as const satisfies Record<string, Era>;

/** An era's name (`--era`). */
export type EraName = keyof typeof ERAS;

/** The newest era, the default. */
export const DEFAULT_ERA: EraName = '2024.10';

/** True when `name` is an era the simulator speaks. */
export function isEraName(name: string): name is EraName {
  return Object.hasOwn(ERAS, name);
}
