import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import { BcryptWorker } from './web-config-bcrypt.js';

/** Checks a password against a bcrypt hash without blocking the event loop. */
export type PasswordComparator = (password: string, hash: string) => Promise<boolean>;

/** The outcome of one basic-auth check. */
export type AuthenticationResult = 'allowed' | 'denied' | 'busy';

/** Options of {@link BasicAuthenticator}; the defaults suit production. */
export interface BasicAuthenticatorOptions {
  /** Default: bcryptjs on a worker thread ({@link BcryptWorker}), which leaves the event loop free. */
  readonly compare?: PasswordComparator;
  /** Successful checks remembered (default 100, as exporter-toolkit). */
  readonly cacheSize?: number;
  /** bcrypt checks queued at most; beyond it a request is answered "busy" (default 64). */
  readonly maxPending?: number;
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * HTTP basic authentication against bcrypt hashes, as exporter-toolkit does it: user names are
 * compared in constant time, an unknown user still costs one bcrypt check (against a dummy hash of
 * the same cost, so response times do not reveal which users exist), and a success is remembered
 * under a digest of user, hash and password, so a scraper pays bcrypt once rather than on every
 * scrape. Checks run one at a time (bcrypt is CPU-bound) and identical concurrent checks share
 * one run.
 */
export class BasicAuthenticator {
  readonly #compare: PasswordComparator;
  readonly #worker: BcryptWorker | undefined;
  readonly #cacheSize: number;
  readonly #maxPending: number;
  // Insertion order is the eviction order: a hit moves its entry to the end (least recently used first out).
  readonly #successes = new Map<string, true>();
  readonly #inFlight = new Map<string, Promise<boolean>>();
  readonly #dummyHashes = new Map<string, string>();
  #queue: Promise<unknown> = Promise.resolve();
  #pending = 0;

  constructor(options: BasicAuthenticatorOptions = {}) {
    if (options.compare === undefined) {
      const worker = new BcryptWorker();
      this.#worker = worker;
      this.#compare = (password, hash) => worker.compare(password, hash);
    } else {
      this.#compare = options.compare;
    }
    this.#cacheSize = options.cacheSize ?? 100;
    this.#maxPending = options.maxPending ?? 64;
  }

  /**
   * Checks an `Authorization` header against `users` (name → bcrypt hash). `denied` covers a
   * missing or malformed header, an unknown user and a wrong password alike.
   */
  async authenticate(authorization: string | undefined, users: ReadonlyMap<string, string>): Promise<AuthenticationResult> {
    const credentials = parseBasicAuthorization(authorization);
    if (credentials === undefined) return 'denied';
    const known = findUser(credentials.user, users);
    const hash = known ?? this.#dummyHash(users);
    const key = createHash('sha256').update(JSON.stringify([credentials.user, hash, credentials.password])).digest('base64');
    if (known !== undefined && this.#successes.delete(key)) {
      this.#successes.set(key, true);
      return 'allowed';
    }
    let check = this.#inFlight.get(key);
    if (check === undefined) {
      if (this.#pending >= this.#maxPending) return 'busy';
      check = this.#enqueue(credentials.password, hash).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, check);
    }
    const matches = await check;
    if (!matches || known === undefined) return 'denied';
    this.#remember(key);
    return 'allowed';
  }

  /** Stops the bcrypt worker (checks still queued are denied). */
  async close(): Promise<void> {
    await this.#worker?.close();
  }

  /** Runs one bcrypt check after the ones already queued. */
  #enqueue(password: string, hash: string): Promise<boolean> {
    this.#pending++;
    const run = this.#queue.then(() => this.#compare(password, hash).catch(() => false));
    this.#queue = run.finally(() => this.#pending--);
    return run;
  }

  #remember(key: string): void {
    this.#successes.set(key, true);
    if (this.#successes.size > this.#cacheSize) {
      const oldest = this.#successes.keys().next();
      if (oldest.done !== true) this.#successes.delete(oldest.value);
    }
  }

  /**
   * A well-formed hash no password matches, at the highest cost among `users`: checking an
   * unknown user takes as long as checking a known one. Random, so it matches nothing by design.
   */
  #dummyHash(users: ReadonlyMap<string, string>): string {
    const cost = Math.max(10, ...[...users.values()].map((hash) => Number(hash.slice(4, 6))).filter(Number.isFinite));
    const prefix = `$2b$${String(cost).padStart(2, '0')}$`;
    let dummy = this.#dummyHashes.get(prefix);
    if (dummy === undefined) {
      dummy = prefix + Array.from({ length: 53 }, () => BCRYPT_ALPHABET[randomInt(BCRYPT_ALPHABET.length)]).join('');
      this.#dummyHashes.set(prefix, dummy);
    }
    return dummy;
  }
}

/** User and password of a `Basic` Authorization header (RFC 7617), or `undefined` when malformed. */
export function parseBasicAuthorization(header: string | undefined): { readonly user: string; readonly password: string } | undefined {
  const match = header === undefined ? null : /^basic ([A-Za-z0-9+/]+={0,2})$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The hash of `user`, comparing the name with every configured one in constant time (digests of
 * equal length, no early exit), so the time taken does not say how much of a name matched.
 */
function findUser(user: string, users: ReadonlyMap<string, string>): string | undefined {
  const wanted = createHash('sha256').update(user).digest();
  let found: string | undefined;
  for (const [name, hash] of users) {
    const same = timingSafeEqual(wanted, createHash('sha256').update(name).digest());
    if (same) found = hash;
  }
  return found;
}
