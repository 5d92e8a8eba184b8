import { htpasswdBcrypt } from '@tessera/test-support';
import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BasicAuthenticator, parseBasicAuthorization, type PasswordComparator } from '../src/http/web-config-auth.js';
import { TokenBucket } from '../src/http/web-config-rate-limit.js';
import { deferred } from './helpers.js';

// Basic authentication with bcrypt hashes as exporter-toolkit does it: hashes from htpasswd,
// a success cache, a dummy check for unknown users, one bcrypt check at a time, a free event loop.

const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** bcrypt's own compare, counted. */
function countingCompare(): { readonly compare: PasswordComparator; readonly calls: { password: string; hash: string }[] } {
  const calls: { password: string; hash: string }[] = [];
  return {
    calls,
    compare: (password, hash) => {
      calls.push({ password, hash });
      return bcrypt.compare(password, hash);
    },
  };
}

let htpasswdHash: string;
let cost4Hash: string;
beforeAll(async () => {
  htpasswdHash = await htpasswdBcrypt('prometheus', 's3cret: with colon', 5);
  cost4Hash = await bcrypt.hash('hunter2', 4);
}, 60_000);

describe('BasicAuthenticator', { timeout: 60_000 }, () => {
  it('accepts the $2y$ hash htpasswd -nbB makes, and $2a$/$2b$ hashes; refuses wrong passwords and users', async () => {
    expect(htpasswdHash).toMatch(/^\$2y\$05\$[./A-Za-z0-9]{53}$/);
    const authenticator = new BasicAuthenticator();
    const users = new Map([
      ['prometheus', htpasswdHash],
      ['b-user', cost4Hash],
      ['a-user', cost4Hash.replace(/^\$2b\$/, '$2a$')],
    ]);
    expect(await authenticator.authenticate(basic('prometheus', 's3cret: with colon'), users)).toBe('allowed');
    expect(await authenticator.authenticate(basic('b-user', 'hunter2'), users)).toBe('allowed');
    expect(await authenticator.authenticate(basic('a-user', 'hunter2'), users)).toBe('allowed');
    expect(await authenticator.authenticate(basic('prometheus', 's3cret'), users)).toBe('denied');
    expect(await authenticator.authenticate(basic('Prometheus', 's3cret: with colon'), users)).toBe('denied');
    expect(await authenticator.authenticate(basic('nobody', 'hunter2'), users)).toBe('denied');
    expect(await authenticator.authenticate(undefined, users)).toBe('denied');
    expect(await authenticator.authenticate('Bearer abc', users)).toBe('denied');
    await authenticator.close();
  });

  it('pays bcrypt once per user, hash and password: later requests hit the cache', async () => {
    const { compare, calls } = countingCompare();
    const authenticator = new BasicAuthenticator({ compare });
    const users = new Map([['prometheus', cost4Hash]]);
    for (let scrape = 0; scrape < 20; scrape++) expect(await authenticator.authenticate(basic('prometheus', 'hunter2'), users)).toBe('allowed');
    expect(calls).toHaveLength(1);

    // A new hash for the user (the file was edited) is checked again; concurrent requests with the
    // same credentials share that one check.
    const edited = new Map([['prometheus', htpasswdHash]]);
    const results = await Promise.all(Array.from({ length: 10 }, () => authenticator.authenticate(basic('prometheus', 'hunter2'), edited)));
    expect(results.every((result) => result === 'denied')).toBe(true);
    expect(calls).toHaveLength(2);

    // Failures are never cached: each costs its own check.
    expect(await authenticator.authenticate(basic('prometheus', 'hunter2'), edited)).toBe('denied');
    expect(await authenticator.authenticate(basic('prometheus', 'hunter2'), edited)).toBe('denied');
    expect(calls).toHaveLength(4);
  });

  it('keeps a bounded cache, forgetting the least recently used success first', async () => {
    const { compare, calls } = countingCompare();
    const authenticator = new BasicAuthenticator({ compare, cacheSize: 2 });
    const users = new Map([
      ['a', cost4Hash],
      ['b', cost4Hash],
      ['c', cost4Hash],
    ]);
    for (const user of ['a', 'b', 'a', 'c', 'a', 'b']) expect(await authenticator.authenticate(basic(user, 'hunter2'), users)).toBe('allowed');
    // a, b: checked; a: hit; c: checked, evicts b; a: hit; b: checked again.
    expect(calls.length).toBe(4);
  });

  it('checks an unknown user against a dummy hash of the configured cost, so timing reveals nothing', async () => {
    const { compare, calls } = countingCompare();
    const authenticator = new BasicAuthenticator({ compare });
    const users = new Map([['prometheus', htpasswdHash]]);
    expect(await authenticator.authenticate(basic('intruder', 's3cret: with colon'), users)).toBe('denied');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.hash).toMatch(/^\$2b\$10\$[./A-Za-z0-9]{53}$/);
    expect(calls[0]?.hash).not.toBe(htpasswdHash);
    const costly = new Map([['prometheus', '$2b$12$' + htpasswdHash.slice(7)]]);
    expect(await authenticator.authenticate(basic('intruder', 'x'), costly)).toBe('denied');
    expect(calls[1]?.hash).toMatch(/^\$2b\$12\$/);
  });

  it('does not block the event loop while bcrypt runs', async () => {
    const hash = await bcrypt.hash('slow', 11);
    const authenticator = new BasicAuthenticator();
    let turns = 0;
    let checking = true;
    const spin = (): void => {
      turns++;
      if (checking) setImmediate(spin);
    };
    setImmediate(spin);
    const result = await authenticator.authenticate(basic('prometheus', 'slow'), new Map([['prometheus', hash]]));
    checking = false;
    await authenticator.close();
    expect(result).toBe('allowed');
    // bcryptjs on the main thread, even through its callback API, lets the loop turn only every
    // 100 ms (2 or 3 turns for this hash); on the worker thread it turns freely.
    expect(turns).toBeGreaterThan(50);
  });

  it('runs one bcrypt check at a time and answers busy beyond its queue', async () => {
    let active = 0;
    let mostActive = 0;
    const gates: ReturnType<typeof deferred<boolean>>[] = [];
    const compare: PasswordComparator = async () => {
      active++;
      mostActive = Math.max(mostActive, active);
      const gate = deferred<boolean>();
      gates.push(gate);
      const result = await gate.promise;
      active--;
      return result;
    };
    const authenticator = new BasicAuthenticator({ compare, maxPending: 2 });
    const users = new Map([['prometheus', cost4Hash]]);
    const first = authenticator.authenticate(basic('prometheus', 'one'), users);
    const second = authenticator.authenticate(basic('prometheus', 'two'), users);
    expect(await authenticator.authenticate(basic('prometheus', 'three'), users)).toBe('busy');
    while (gates.length < 1) await new Promise((resolve) => setImmediate(resolve));
    gates[0]?.resolve(false);
    while (gates.length < 2) await new Promise((resolve) => setImmediate(resolve));
    gates[1]?.resolve(true);
    expect(await first).toBe('denied');
    expect(await second).toBe('allowed');
    expect(mostActive).toBe(1);
  });
});

describe('parseBasicAuthorization', () => {
  it('reads RFC 7617 credentials and refuses anything else', () => {
    expect(parseBasicAuthorization(basic('user', 'pass:word'))).toEqual({ user: 'user', password: 'pass:word' });
    expect(parseBasicAuthorization(`basic ${Buffer.from(':').toString('base64')}`)).toEqual({ user: '', password: '' });
    expect(parseBasicAuthorization(basic('jörg', 'pässword'))).toEqual({ user: 'jörg', password: 'pässword' });
    expect(parseBasicAuthorization(`Basic ${Buffer.from('no-colon').toString('base64')}`)).toBeUndefined();
    expect(parseBasicAuthorization('Basic !!!')).toBeUndefined();
    expect(parseBasicAuthorization('Basic')).toBeUndefined();
    expect(parseBasicAuthorization('Bearer dXNlcjpwYXNz')).toBeUndefined();
    expect(parseBasicAuthorization(undefined)).toBeUndefined();
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then one request per interval', () => {
    let now = 0;
    const bucket = new TokenBucket({ intervalMs: 1000, burst: 2 }, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
    now = 500;
    expect(bucket.take()).toBe(false);
    now = 1000;
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now = 60_000;
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });
});
