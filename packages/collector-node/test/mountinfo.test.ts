import { describe, expect, it } from 'vitest';
import { describeStatfsError, stripRoot } from '../src/collectors/filesystem.js';
import { decodeOctalEscapes, parseMountinfo } from '../src/parsers/mountinfo.js';

describe('parseMountinfo', () => {
  it('reads the fields around the optional fields and the separator', () => {
    const [mount] = parseMountinfo('36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue\n');
    expect(mount).toEqual({
      major: '98',
      minor: '0',
      mountPoint: '/mnt2',
      mountOptions: ['rw', 'noatime'],
      fsType: 'ext3',
      source: '/dev/root',
      superOptions: ['rw', 'errors=continue'],
    });
  });

  it('decodes escaped spaces, tabs, newlines and backslashes in mount points and sources', () => {
    const [mount] = parseMountinfo('40 27 8:17 / /mnt/my\\040disk\\011a\\012b\\134c rw - vfat //server/share\\040x rw\n');
    expect(mount?.mountPoint).toBe('/mnt/my disk\ta\nb\\c');
    expect(mount?.source).toBe('//server/share x');
  });

  it('refuses a line without the separator or with a bad device number', () => {
    expect(() => parseMountinfo('36 35 98:0 / / rw shared:1 ext4 /dev/sda rw\n')).toThrow(/malformed line/);
    expect(() => parseMountinfo('36 35 98 / / rw - ext4 /dev/sda rw\n')).toThrow(/malformed device number/);
  });
});

describe('decodeOctalEscapes', () => {
  it('leaves text without escapes and non-octal backslashes alone', () => {
    expect(decodeOctalEscapes('/plain')).toBe('/plain');
    expect(decodeOctalEscapes('/a\\x')).toBe('/a\\x');
  });
});

describe('stripRoot', () => {
  it('reports mount points relative to the root filesystem', () => {
    expect(stripRoot('/host/home', '/host')).toBe('/home');
    expect(stripRoot('/host', '/host')).toBe('/');
    expect(stripRoot('/hostile', '/host')).toBe('/hostile');
    expect(stripRoot('/proc', '/host')).toBe('/proc');
    expect(stripRoot('/home', '/')).toBe('/home');
  });
});

describe('describeStatfsError', () => {
  it('keeps the system description and drops the path', () => {
    const error = Object.assign(new Error("ENOENT: no such file or directory, statfs '/mnt/x'"), { code: 'ENOENT' });
    expect(describeStatfsError(error)).toBe('no such file or directory');
    expect(describeStatfsError(new Error('stale file handle'))).toBe('stale file handle');
  });
});
