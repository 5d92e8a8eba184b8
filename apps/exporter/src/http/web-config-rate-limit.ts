import type { RateLimit } from './web-config.js';

/**
 * `rate_limit` of the web config: a token bucket shared by every client (as exporter-toolkit's,
 * Go's `rate.Limiter`): it holds up to `burst` tokens, gains one every `intervalMs`, and each
 * request takes one or is refused.
 */
export class TokenBucket {
  readonly limit: RateLimit;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    this.limit = limit;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#updatedAt = now();
  }

  /** Takes a token if one is there. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.limit.burst, this.#tokens + (now - this.#updatedAt) / this.limit.intervalMs);
    this.#updatedAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
