import { defineMetric } from '@tessera/collector-api';
import type { CollectedFamily } from '@tessera/exposition';
import { describe, expect, it } from 'vitest';
import { FamilyMerger } from '../src/runtime/merge-families.js';

const requests = defineMetric({ name: 'arkouda_requests_total', type: 'counter', help: 'Requests.', labelNames: ['arkouda_server_name', 'command'] });

function server(name: string, commands: readonly string[]): CollectedFamily[] {
  return [{ family: requests, series: commands.map((command) => ({ labels: { arkouda_server_name: name, command }, value: 1 })) }];
}

describe('merging the instances of one collector', () => {
  it('accepts instances told apart by a label constant within each, and still refuses one that repeats a series', () => {
    const merger = new FamilyMerger();
    expect(merger.add('collector arkouda', 'a', server('a', ['connect', 'getconfig']), false)).toBeUndefined();
    expect(merger.add('collector arkouda', 'b', server('b', ['connect', 'getconfig']), false)).toBeUndefined();
    expect(merger.add('collector arkouda', 'c', server('c', ['connect']), false)).toBeUndefined();
    // Same server name as instance a: the label no longer separates, so series are compared one by one.
    expect(merger.add('collector arkouda', 'a-again', server('a', ['getconfig']), false)).toBe(
      'series arkouda_requests_total{"arkouda_server_name":"a","command":"getconfig"} is also emitted by instance a of collector arkouda',
    );
    expect(merger.add('collector arkouda', 'a-other', server('a', ['metrics']), false)).toBeUndefined();
  });

  it('compares series when no label separates the instances', () => {
    const merger = new FamilyMerger();
    const mixed = (name: string, command: string): CollectedFamily[] => [
      { family: requests, series: [{ labels: { arkouda_server_name: name, command }, value: 1 }, { labels: { arkouda_server_name: `${name}-2`, command }, value: 1 }] },
    ];
    expect(merger.add('collector arkouda', 'x', mixed('x', 'connect'), false)).toBeUndefined();
    expect(merger.add('collector arkouda', 'y', mixed('y', 'connect'), false)).toBeUndefined();
    expect(merger.add('collector arkouda', 'z', mixed('x', 'connect'), false)).toMatch(/is also emitted by instance x of collector arkouda$/);
  });
});
