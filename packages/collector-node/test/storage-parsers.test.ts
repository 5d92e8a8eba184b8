import { describe, expect, it } from 'vitest';
import { parseBcacheHumanized, parseBcacheHumanizedSigned, parseBcachePriorityStats, parseWritebackRateDebug } from '../src/parsers/bcache.js';
import { btrfsAllocationRatio, parseBtrfsCommitStats } from '../src/parsers/btrfs.js';
import { KernelFormatError } from '../src/parsers/fields.js';
import { parseMdstat, parseRaidDisks } from '../src/parsers/mdstat.js';
import { parseXfsStats } from '../src/parsers/xfs.js';

describe('bcache values', () => {
  it('reads bch_hprint sizes in powers of 1024, the digit after the point as node_exporter does', () => {
    expect(parseBcacheHumanized('0.0k\n', 'f')).toBe(0);
    expect(parseBcacheHumanized('542k', 'f')).toBe(542 * 1024);
    expect(parseBcacheHumanized('1.1k', 'f')).toBe(1124); // 1 + 1/10.24 KiB
    expect(parseBcacheHumanized('1.9k', 'f')).toBe(1924);
    expect(parseBcacheHumanized('356.5M', 'f')).toBe(Math.trunc((356 + 5 / 10.24) * 2 ** 20));
    expect(parseBcacheHumanized('97.5G', 'f')).toBe(Math.trunc((97 + 5 / 10.24) * 2 ** 30));
    expect(parseBcacheHumanized('1.0T', 'f')).toBe(2 ** 40);
  });

  it('reads plain numbers, truncating a fraction as a uint64 conversion does', () => {
    expect(parseBcacheHumanized('87\n', 'f')).toBe(87);
    expect(parseBcacheHumanized('18446744073709551615', 'f')).toBe(2 ** 64);
    expect(parseBcacheHumanized('12.7', 'f')).toBe(12);
  });

  it('reads the writeback controller\'s signed terms', () => {
    expect(parseBcacheHumanizedSigned('-226.5k', 'f')).toBe(-Math.trunc((226 + 5 / 10.24) * 1024));
    expect(parseBcacheHumanizedSigned('11.3k', 'f')).toBe(Math.trunc((11 + 3 / 10.24) * 1024));
  });

  it('refuses what bcache does not print, naming the file', () => {
    for (const text of ['', '\n', 'k', '1.5x', '-1.0k', '1.2.3k', 'one', '0x10']) {
      expect(() => parseBcacheHumanized(text, '/sys/fs/bcache/x/congested'), JSON.stringify(text)).toThrow(KernelFormatError);
    }
    expect(() => parseBcacheHumanized('1.5q', '/sys/fs/bcache/x/congested')).toThrow('/sys/fs/bcache/x/congested: invalid value "1.5q"');
  });
});

describe('parseWritebackRateDebug', () => {
  it('reads rate, dirty, target and the controller terms, skipping inflight and next io', () => {
    const text = 'rate:\t\t3.2M/sec\ndirty:\t\t1.2G\ninflight:\t3\ntarget:\t\t10.0G\nproportional:\t-226.5k\nintegral:\t11.3k\nchange:\t\t-1.4k/sec\nnext io:\t-151ms\n';
    expect(parseWritebackRateDebug(text, 'f')).toEqual({
      rate: Math.trunc((3 + 2 / 10.24) * 2 ** 20),
      dirty: Math.trunc((1 + 2 / 10.24) * 2 ** 30),
      target: 10 * 2 ** 30,
      proportional: -Math.trunc((226 + 5 / 10.24) * 1024),
      integral: Math.trunc((11 + 3 / 10.24) * 1024),
      change: -Math.trunc((1 + 4 / 10.24) * 1024),
    });
  });

  it('reads an older kernel\'s lines without inflight, and a missing line as 0', () => {
    expect(parseWritebackRateDebug('rate:\t\t512.0k/sec\ndirty:\t\t0.0k\ntarget:\t\t4.0G\n', 'f')).toEqual({ rate: 512 * 1024, dirty: 0, target: 4 * 2 ** 30, proportional: 0, integral: 0, change: 0 });
  });

  it('fails on a value that is not one', () => {
    expect(() => parseWritebackRateDebug('rate:\t\tfast/sec\n', '/sys/block/sdb/bcache/writeback_rate_debug')).toThrow(/writeback_rate_debug rate: invalid value "fast"/);
  });
});

describe('parseBcachePriorityStats', () => {
  it('reads the unused and metadata percentages', () => {
    const text = 'Unused:\t\t12%\nClean:\t\t61%\nDirty:\t\t23%\nMetadata:\t4%\nAverage:\t6791\nSectors per Q:\t2605056\nQuantiles:\t[1 12 40]\n';
    expect(parseBcachePriorityStats(text, 'f')).toEqual({ unusedPercent: 12, metadataPercent: 4 });
  });

  it('fails on a percentage that is not a number', () => {
    expect(() => parseBcachePriorityStats('Unused:\t\tmany%\n', 'priority_stats')).toThrow(/priority_stats Unused: invalid number "many"/);
  });
});

describe('btrfs files', () => {
  it('reads commit_stats, skipping keys it does not know', () => {
    expect(parseBtrfsCommitStats('commits 9217\nlast_commit_ms 212\nmax_commit_ms 30415\ntotal_commit_ms 1288003\ncritical_section_ms 3\n', 'f')).toEqual({
      commits: 9217,
      lastCommitMilliseconds: 212,
      maxCommitMilliseconds: 30415,
      totalCommitMilliseconds: 1288003,
    });
  });

  it('refuses a commit_stats line of another shape', () => {
    expect(() => parseBtrfsCommitStats('commits 1 2\n', 'commit_stats')).toThrow('commit_stats: invalid line "commits 1 2"');
    expect(() => parseBtrfsCommitStats('commits -1\n', 'commit_stats')).toThrow(KernelFormatError);
  });

  it('gives each profile its allocation ratio', () => {
    expect(['single', 'raid0', 'dup', 'raid1', 'raid10', 'raid1c3', 'raid1c4', 'raid5', 'raid6', 'zoned?'].map((profile) => btrfsAllocationRatio(profile, 4))).toEqual([
      1, 1, 2, 2, 2, 3, 4, 4 / 3, 2, 0,
    ]);
    expect(btrfsAllocationRatio('raid5', 3)).toBe(1.5);
  });
});

describe('parseMdstat', () => {
  const personalities = 'Personalities : [raid1] [raid5] [raid4] [raid0]\n';

  it('reads a degraded array recovering onto a spare', () => {
    const text = `${personalities}md1 : active raid5 sdf[5](S) sde[4] sdd[2](F) sdc[1] sdb[0]\n      23441682432 blocks super 1.2 level 5, 512k chunk, algorithm 2 [4/3] [UU_U]\n      [====>................]  recovery = 21.4% (1672187904/7813894144) finish=612.3min speed=167128K/sec\n      bitmap: 5/59 pages [20KB], 65536KB chunk\n\nunused devices: <none>\n`;
    expect(parseMdstat(text, 'f')).toEqual([
      { name: 'md1', state: 'recovering', disksActive: 3, disksTotal: 4, disksFailed: 1, disksSpare: 1, blocksTotal: 23441682432, blocksSynced: 1672187904 },
    ]);
  });

  it('counts RAID 0 members from the array line, and none for an inactive array', () => {
    const text = `${personalities}md6 : active raid0 nvme3n1[1] nvme2n1[0]\n      7501211648 blocks super 1.2 512k chunks\n      \nmd127 : inactive sdz[1](S) sdy[0](S)\n      10402 blocks super external:imsm\n       \nunused devices: <none>\n`;
    expect(parseMdstat(text, 'f').map(({ name, state, disksActive, disksTotal, disksSpare }) => ({ name, state, disksActive, disksTotal, disksSpare }))).toEqual([
      { name: 'md6', state: 'active', disksActive: 2, disksTotal: 2, disksSpare: 0 },
      { name: 'md127', state: 'inactive', disksActive: 0, disksTotal: 0, disksSpare: 2 },
    ]);
  });

  it('reads a delayed or pending resync as nothing synced yet, and a check or reshape by its progress', () => {
    const array = (name: string, progress: string): string => `${name} : active raid1 sdb1[1] sda1[0]\n      1000 blocks super 1.2 [2/2] [UU]\n      ${progress}\n      bitmap: 0/1 pages [0KB], 65536KB chunk\n\n`;
    const text = `${personalities}${array('md4', '\tresync=PENDING')}${array('md5', '\tresync=DELAYED')}${array('md3', '[=>...]  check = 58.6% (586/1000) finish=1.0min speed=5K/sec')}${array('md8', '[=>...]  reshape = 12.4% (124/1000) finish=1.0min speed=5K/sec')}`;
    expect(parseMdstat(text, 'f').map(({ name, state, blocksSynced }) => [name, state, blocksSynced])).toEqual([
      ['md4', 'resyncing', 0],
      ['md5', 'resyncing', 0],
      ['md3', 'checking', 586],
      ['md8', 'reshaping', 124],
    ]);
  });

  it('refuses an array whose lines are cut short or malformed, naming the file and array', () => {
    expect(() => parseMdstat(`${personalities}md0 : active raid1 sdb1[1] sda1[0]\n`, '/proc/mdstat')).toThrow('/proc/mdstat: md0: too few lines');
    expect(() => parseMdstat(`${personalities}md0 : active raid1 sdb1[1] sda1[0]\n      many blocks super 1.2 [2/2] [UU]\n\n\n`, '/proc/mdstat')).toThrow('/proc/mdstat: md0 size: invalid number "many"');
    expect(() => parseMdstat(`${personalities}md0 : active raid1 sdb1[1] sda1[0]\n      1000 blocks super 1.2 [2/2]\n\n\n`, '/proc/mdstat')).toThrow(/md0: unexpected status line "1000 blocks super 1.2 \[2\/2\]"/);
    expect(() => parseMdstat(`${personalities}md0 :\n`, '/proc/mdstat')).toThrow(/expected "<array> : <state> …"/);
    expect(() => parseMdstat(`${personalities}md0 : active raid1 sdb1[1] sda1[0]\n      1000 blocks super 1.2 [2/2] [UU]\n      [=>...]  recovery = 1.0%\n\n`, '/proc/mdstat')).toThrow(/md0: unexpected progress line/);
  });

  it('reads raid_disks, the current count while a reshape changes it', () => {
    expect(['4\n', '5 (4)\n', '\n', 'unknown\n'].map(parseRaidDisks)).toEqual([4, 5, undefined, undefined]);
  });
});

describe('parseXfsStats', () => {
  it('reads the groups node_exporter reports, with vnodes of seven or eight values, and skips the others', () => {
    const text = 'extent_alloc 4 40 2 20\nrw 10 20\nvnodes 1 2 3 4 5 6 7\nabtb2 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 9\nxpc 1 2 18446744073709551615\ngc xpc 1 2 3\n';
    expect(Object.fromEntries(parseXfsStats(text, 'f'))).toEqual({ extent_alloc: [4, 40, 2, 20], rw: [10, 20], vnodes: [1, 2, 3, 4, 5, 6, 7] });
    expect(parseXfsStats('vnodes 1 2 3 4 5 6 7 8\n', 'f').get('vnodes')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses a reported group with the wrong number of values or a value that is not a number', () => {
    expect(() => parseXfsStats('blk_map 1 2 3\n', 'stats')).toThrow('stats: blk_map has 3 values, expected 7');
    expect(() => parseXfsStats('vnodes 1 2 3 4 5 6\n', 'stats')).toThrow('stats: vnodes has 6 values, expected 7 or 8');
    expect(() => parseXfsStats('rw 1 -2\n', 'stats')).toThrow('stats rw: invalid number "-2"');
  });
});
