import { describe, expect, it } from 'vitest';
import { parseCountersCsv } from '../src/counters-csv.js';
import { mapDeviceOwners } from '../src/pod-resources/device-owners.js';
import { convertCell, isAbsent, parseRow, queryFields } from '../src/nvidia-smi/nvidia-smi-csv.js';

describe('counters CSV (dcgm-exporter format)', () => {
  it('reads rows, skips comments and blank lines, trims cells and honours quotes', () => {
    const parsed = parseCountersCsv('# Format\n\nDCGM_FI_DEV_GPU_UTIL ,  gauge , GPU utilization (in %).\r\nDCGM_FI_DEV_POWER_USAGE, gauge, "Power draw, board (in W)."\nDCGM_FI_DRIVER_VERSION, label, Driver Version\n');
    expect(parsed.rows.map((row) => [row.field.name, row.type, row.help])).toEqual([
      ['DCGM_FI_DEV_GPU_UTIL', 'gauge', 'GPU utilization (in %).'],
      ['DCGM_FI_DEV_POWER_USAGE', 'gauge', 'Power draw, board (in W).'],
      ['DCGM_FI_DRIVER_VERSION', 'label', 'Driver Version'],
    ]);
    expect(parsed.unsupported).toEqual([]);
  });

  it('collects unknown and exporter-owned fields once each, in file order', () => {
    const parsed = parseCountersCsv('DCGM_FI_DEV_NVSWITCH_TEMPERATURE_CURRENT, gauge, x\nDCGM_EXP_XID_ERRORS_COUNT, counter, y\nDCGM_FI_DEV_NVSWITCH_TEMPERATURE_CURRENT, gauge, x\nDCGM_FI_DEV_SM_CLOCK, gauge, z\n');
    expect(parsed.unsupported).toEqual(['DCGM_FI_DEV_NVSWITCH_TEMPERATURE_CURRENT', 'DCGM_EXP_XID_ERRORS_COUNT']);
    expect(parsed.rows.map((row) => row.field.name)).toEqual(['DCGM_FI_DEV_SM_CLOCK']);
  });

  it('keeps the file type for gauge/counter, and notes types a single value cannot have', () => {
    const parsed = parseCountersCsv('DCGM_FI_DEV_XID_ERRORS, counter, last xid\nDCGM_FI_DEV_GPU_TEMP, histogram, t\nDCGM_FI_DEV_SERIAL, gauge, s\n');
    expect(parsed.rows.map((row) => `${row.field.name}:${row.type}`)).toEqual(['DCGM_FI_DEV_XID_ERRORS:counter', 'DCGM_FI_DEV_GPU_TEMP:gauge', 'DCGM_FI_DEV_SERIAL:label']);
    expect(parsed.notes).toHaveLength(2);
  });

  it('refuses a row that is not three cells or has an unknown type, naming the line', () => {
    expect(() => parseCountersCsv('# c\nDCGM_FI_DEV_GPU_UTIL, gauge\n')).toThrow(/line 2: expected 3 cells/);
    expect(() => parseCountersCsv('DCGM_FI_DEV_GPU_UTIL, gauges, x\n')).toThrow(/line 1: DCGM_FI_DEV_GPU_UTIL: type "gauges"/);
    expect(() => parseCountersCsv('DCGM_FI_DEV_GPU_UTIL, gauge, "open\n')).toThrow(/line 1: unterminated quote/);
  });
});

describe('nvidia-smi CSV', () => {
  it('treats every absence spelling as no value', () => {
    for (const cell of ['[N/A]', 'N/A', '[Not Supported]', '[Insufficient Permissions]', '[Unknown Error]', '[Requested functionality has been deprecated]', '[Function Not Found]', '', ' [n/a] ']) {
      expect(isAbsent(cell), JSON.stringify(cell)).toBe(true);
    }
    expect(isAbsent('0')).toBe(false);
  });

  it('converts numbers, MiB, Yes/No and P-states; other text is a problem, not a number', () => {
    expect(convertCell({ name: 'power.draw', value: 'powerUsageWatts' }, '312.48')).toBe(312.48);
    expect(convertCell({ name: 'power.draw', value: 'powerUsageWatts' }, '312.48 W')).toBe(312.48);
    expect(convertCell({ name: 'memory.used', value: 'framebufferUsedBytes', conversion: 'mib' }, '31022')).toBe(31022 * 1048576);
    expect(convertCell({ name: 'remapped_rows.failure', value: 'rowRemapFailure', conversion: 'yesNo' }, 'Yes')).toBe(1);
    expect(convertCell({ name: 'pstate', value: 'performanceState', conversion: 'pstate' }, 'P8')).toBe(8);
    expect(convertCell({ name: 'power.draw', value: 'powerUsageWatts' }, 'lots')).toEqual({ field: 'power.draw', cell: 'lots' });
    expect(convertCell({ name: 'power.draw', value: 'powerUsageWatts' }, '1, 2')).toEqual({ field: 'power.draw', cell: '1, 2' });
  });

  it('refuses a row whose cell count does not match the query (a comma inside a value)', () => {
    const fields = queryFields(new Set());
    const cells = fields.map((field) => (field.name === 'index' ? '0' : field.name === 'name' ? 'Weird, Inc GPU' : '1'));
    expect(() => parseRow(cells.join(', '), fields)).toThrow(/expected \d+ cells, found \d+/);
  });
});

describe('device owners', () => {
  it('maps GPU and MIG UUIDs of NVIDIA resources to their container, dropping time-slicing replica suffixes', () => {
    const owners = mapDeviceOwners(
      [
        { name: 'a', namespace: 'ns', containers: [{ name: 'c1', devices: [{ resourceName: 'nvidia.com/gpu', deviceIds: ['GPU-1::0'] }] }] },
        { name: 'b', namespace: 'ns', containers: [{ name: 'c2', devices: [{ resourceName: 'nvidia.com/gpu', deviceIds: ['GPU-1::1'] }, { resourceName: 'nvidia.com/mig-1g.10gb', deviceIds: ['MIG-9'] }] }] },
        { name: 'c', namespace: 'ns', containers: [{ name: 'c3', devices: [{ resourceName: 'example.com/gpu', deviceIds: ['GPU-2'] }] }] },
      ],
      [],
    );
    expect(Object.fromEntries(owners)).toEqual({ 'GPU-1': { pod: 'a', namespace: 'ns', container: 'c1' }, 'MIG-9': { pod: 'b', namespace: 'ns', container: 'c2' } });
    expect(mapDeviceOwners([{ name: 'c', namespace: 'ns', containers: [{ name: 'c3', devices: [{ resourceName: 'example.com/gpu', deviceIds: ['GPU-2'] }] }] }], ['example.com/gpu']).get('GPU-2')?.pod).toBe('c');
  });
});
