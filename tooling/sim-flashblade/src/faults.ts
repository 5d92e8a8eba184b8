/**
 * Faults a test injects into a running simulator with `setFault()`. `endpoint` is a path as the
 * stats name it without the method (`/file-systems`, `/buckets/performance`, `/login`); absent
 * means every endpoint. `times` limits how many requests the fault hits (default: until cleared).
 */
export type FlashBladeFault =
  /** Answer with this status and the API's error body (`{"errors":[{context, message}]}`). */
  | { readonly kind: 'status'; readonly endpoint?: string; readonly status: number; readonly message?: string; readonly times?: number }
  /** Never answer: the request stays open until the client gives up or the simulator closes. */
  | { readonly kind: 'hang'; readonly endpoint?: string; readonly times?: number }
  /**
   * Answer 429 with the rate-limit headers arrays send: the `window` budget is spent
   * (`X-RateLimit-Remaining-<window>: 0`), and `Retry-After` when `retryAfterSeconds` is given.
   */
  | { readonly kind: 'rate-limit'; readonly endpoint?: string; readonly window?: 'second' | 'minute'; readonly retryAfterSeconds?: number; readonly times?: number }
  /** Wait this long before answering, on top of the simulator's own latency. */
  | { readonly kind: 'latency'; readonly endpoint?: string; readonly ms: number; readonly times?: number }
  /** Answer 200 with a body cut off in the middle of its JSON. */
  | { readonly kind: 'malformed-json'; readonly endpoint?: string; readonly times?: number }
  /**
   * Start continued pages one object early, repeating the last object of the page before: what a
   * client sees when objects are created while it pages through a list.
   */
  | { readonly kind: 'shifted-pages'; readonly endpoint?: string; readonly times?: number }
  /** Refuse every login, even with the right token (a token revoked on the array). */
  | { readonly kind: 'reject-logins'; readonly times?: number };

type Kind = FlashBladeFault['kind'];

interface ActiveFault {
  readonly fault: FlashBladeFault;
  remaining: number;
}

/** The faults in force; each request takes at most one of each kind. */
export class FaultTable {
  readonly #active: ActiveFault[] = [];

  add(fault: FlashBladeFault): void {
    this.#active.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#active.length = 0;
  }

  /** The first fault of `kind` that applies to `endpoint`, counted as used; undefined when none does. */
  take<TKind extends Kind>(kind: TKind, endpoint: string): Extract<FlashBladeFault, { kind: TKind }> | undefined {
    const index = this.#active.findIndex(({ fault }) => fault.kind === kind && (!('endpoint' in fault) || fault.endpoint === undefined || fault.endpoint === endpoint));
    const active = this.#active[index];
    if (active === undefined) return undefined;
    active.remaining--;
    if (active.remaining <= 0) this.#active.splice(index, 1);
    return active.fault as Extract<FlashBladeFault, { kind: TKind }>;
  }
}
