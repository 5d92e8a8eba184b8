/** The sensor types node_exporter reads from a hwmon chip's files (Documentation/hwmon/sysfs-interface.rst). */
export const HWMON_SENSOR_TYPES: ReadonlySet<string> = new Set([
  'vrm',
  'beep_enable',
  'update_interval',
  'in',
  'cpu',
  'fan',
  'pwm',
  'temp',
  'curr',
  'power',
  'energy',
  'humidity',
  'intrusion',
  'freq',
]);

/** A hwmon attribute file name taken apart: `temp1_crit_alarm` is type `temp`, number 1, property `crit_alarm`. */
export interface HwmonFileName {
  readonly type: string;
  readonly number: number;
  /** `''` for a file that is the sensor's value itself (`pwm1`, `vrm`). */
  readonly property: string;
}

/**
 * Takes a hwmon file name apart as node_exporter does: the type is everything up to the first
 * digit (so `update_interval` is all type and no property), then the sensor number (0 when there
 * is none), then `_` and the property. `undefined` for names that do not fit (`1abc`).
 */
export function explodeHwmonFileName(name: string): HwmonFileName | undefined {
  const match = /^([^0-9]+)([0-9]*)?(_(.+))?$/.exec(name);
  if (match === null) return undefined;
  const [, type = '', digits = '', , property = ''] = match;
  const number = digits === '' ? 0 : Number(digits);
  if (!Number.isSafeInteger(number)) return undefined;
  return { type, number, property };
}

/** node_exporter's cleanup of chip and sensor names: lower case, anything but `[a-z0-9:_]` to `_`, no leading or trailing `_`. */
export function cleanHwmonName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9:_]/g, '_')
    .replace(/^_+|_+$/g, '');
}

const asIs = (value: number): number => value;
/** Milli-units (millidegrees, millivolts, milliamperes, milliseconds) to base units. */
export const fromMilli = (value: number): number => value * 0.001;
const fromMicro = (value: number): number => value / 1_000_000;

/** How one sensor attribute is reported. */
export interface HwmonReading {
  readonly name: string;
  readonly help: string;
  readonly type: 'gauge' | 'counter';
  /**
   * Converts the file's value to the reported one: milli-units times 0.001, micro-units divided by
   * 1 000 000, written as node_exporter writes each (the two differ in the last bit for some values).
   */
  readonly convert: (value: number) => number;
  /** Base unit, when the name carries one. */
  readonly unit?: string;
}

/**
 * How node_exporter reports attribute `element` (the file's property, `''` for the bare value
 * file) of a sensor of `type`. `hasBareValue` says whether the sensor also has a bare value file,
 * in which case `_input` is kept in the name so the two do not collide. `undefined` for the
 * `label` attribute and for the types reported by their own rule (beep_enable, vrm,
 * update_interval, labelled freq inputs).
 */
export function hwmonReading(type: string, element: string, hasBareValue: boolean): HwmonReading | undefined {
  if (element === 'label') return undefined;
  let name = `node_hwmon_${type}`;
  if (element === 'input') {
    if (hasBareValue) name += '_input';
  } else if (element !== '') {
    name += `_${cleanHwmonName(element)}`;
  }
  const gauge = (help: string, convert = asIs, suffix = '', unit?: string): HwmonReading => ({ name: `${name}${suffix}`, help, type: 'gauge', convert, ...(unit === undefined ? {} : { unit }) });
  if (element === 'fault' || element === 'alarm') return gauge(`Hardware sensor ${element} status (${type})`);
  if (element === 'beep') return gauge('Hardware monitor sensor has beeping enabled', asIs, '_enabled');
  if (type === 'in' || type === 'cpu') return gauge(`Hardware monitor for voltage (${element})`, fromMilli, '_volts', 'volts');
  if (type === 'temp' && element !== 'type') return gauge(`Hardware monitor for temperature (${element === '' ? 'input' : element})`, fromMilli, '_celsius', 'celsius');
  if (type === 'curr') return gauge(`Hardware monitor for current (${element})`, fromMilli, '_amps', 'amperes');
  if (type === 'energy') return { name: `${name}_joule_total`, help: `Hardware monitor for joules used so far (${element})`, type: 'counter', convert: fromMicro, unit: 'joules' };
  if (type === 'power' && element === 'accuracy') return gauge('Hardware monitor power meter accuracy, as a ratio', fromMicro, '', 'ratio');
  if (type === 'power' && (element === 'average_interval' || element === 'average_interval_min' || element === 'average_interval_max')) {
    return gauge(`Hardware monitor power usage update interval (${element})`, fromMilli, '_seconds', 'seconds');
  }
  if (type === 'power') return gauge(`Hardware monitor for power usage in watts (${element})`, fromMicro, '_watt', 'watts');
  if (type === 'humidity') return gauge(`Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`, fromMicro, '', 'ratio');
  if (type === 'fan' && (element === 'input' || element === 'min' || element === 'max' || element === 'target')) return gauge(`Hardware monitor for fan revolutions per minute (${element})`, asIs, '_rpm');
  if (type === 'freq' && element === 'input') return gauge('Hardware monitor for GPU frequency in MHz', fromMicro, '_freq_mhz');
  return gauge(`Hardware monitor ${type} element ${element}`);
}
