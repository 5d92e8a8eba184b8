import { describe, expect, it } from 'vitest';
import { cleanHwmonName, explodeHwmonFileName, hwmonReading } from '../src/parsers/hwmon.js';

describe('hwmon file names', () => {
  it('splits type, number and property as node_exporter does', () => {
    expect(explodeHwmonFileName('temp1_crit_alarm')).toEqual({ type: 'temp', number: 1, property: 'crit_alarm' });
    expect(explodeHwmonFileName('pwm2')).toEqual({ type: 'pwm', number: 2, property: '' });
    // Everything up to the first digit is the type: update_interval has no property, and number 0.
    expect(explodeHwmonFileName('update_interval')).toEqual({ type: 'update_interval', number: 0, property: '' });
    expect(explodeHwmonFileName('in10_input')).toEqual({ type: 'in', number: 10, property: 'input' });
    expect(explodeHwmonFileName('1abc')).toBeUndefined();
  });

  it('cleans chip and label names into metric-safe ones', () => {
    expect(cleanHwmonName('Package id 0')).toBe('package_id_0');
    expect(cleanHwmonName('coretemp.0')).toBe('coretemp_0');
    expect(cleanHwmonName('0000:00:18.3\n')).toBe('0000:00:18_3');
    expect(cleanHwmonName('--')).toBe('');
  });
});

describe('hwmonReading', () => {
  const read = (type: string, element: string, bare = false, value = 12_345) => {
    const reading = hwmonReading(type, element, bare);
    return reading === undefined ? undefined : { name: reading.name, help: reading.help, type: reading.type, value: reading.convert(value) };
  };

  it('converts milli- and micro-units to base units, with node_exporter\'s names and HELP', () => {
    expect(read('temp', 'input')).toEqual({ name: 'node_hwmon_temp_celsius', help: 'Hardware monitor for temperature (input)', type: 'gauge', value: 12.345 });
    expect(read('temp', '')).toMatchObject({ name: 'node_hwmon_temp_celsius', help: 'Hardware monitor for temperature (input)' });
    expect(read('temp', 'input', true)).toMatchObject({ name: 'node_hwmon_temp_input_celsius' });
    expect(read('in', 'max')).toMatchObject({ name: 'node_hwmon_in_max_volts', value: 12.345 });
    expect(read('curr', 'input')).toMatchObject({ name: 'node_hwmon_curr_amps', value: 12.345 });
    expect(read('power', 'average', false, 345_120_000)).toMatchObject({ name: 'node_hwmon_power_average_watt', value: 345.12 });
    expect(read('power', 'average_interval', false, 1000)).toMatchObject({ name: 'node_hwmon_power_average_interval_seconds', value: 1 });
    expect(read('energy', 'input', false, 2_500_000)).toEqual({ name: 'node_hwmon_energy_joule_total', help: 'Hardware monitor for joules used so far (input)', type: 'counter', value: 2.5 });
    expect(read('fan', 'min', false, 300)).toMatchObject({ name: 'node_hwmon_fan_min_rpm', value: 300 });
    expect(read('humidity', 'input', false, 450_000)).toMatchObject({ name: 'node_hwmon_humidity', value: 0.45 });
  });

  it('reports alarms, faults and beep flags as they are', () => {
    expect(read('fan', 'alarm', false, 1)).toEqual({ name: 'node_hwmon_fan_alarm', help: 'Hardware sensor alarm status (fan)', type: 'gauge', value: 1 });
    expect(read('temp', 'fault', false, 0)).toMatchObject({ name: 'node_hwmon_temp_fault', value: 0 });
    expect(read('in', 'beep', false, 1)).toMatchObject({ name: 'node_hwmon_in_beep_enabled', help: 'Hardware monitor sensor has beeping enabled' });
    // A crit_alarm is not "alarm": node_exporter reports it as a temperature, in thousandths.
    expect(read('temp', 'crit_alarm', false, 1)).toMatchObject({ name: 'node_hwmon_temp_crit_alarm_celsius', value: 0.001 });
  });

  it('falls back to a generic family, and leaves labels to their own metric', () => {
    expect(read('pwm', 'enable', false, 5)).toEqual({ name: 'node_hwmon_pwm_enable', help: 'Hardware monitor pwm element enable', type: 'gauge', value: 5 });
    expect(read('fan', 'pulses', false, 2)).toMatchObject({ name: 'node_hwmon_fan_pulses' });
    expect(read('temp', 'type', false, 4)).toMatchObject({ name: 'node_hwmon_temp_type', value: 4 });
    expect(read('temp', 'label')).toBeUndefined();
  });
});
