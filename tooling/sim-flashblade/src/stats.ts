/** Calls per endpoint (`GET /file-systems`, `POST /login`) and status (`200`, `401`; `0` for a request never answered). */
export type CallCounts = Readonly<Record<string, Readonly<Record<string, number>>>>;

/**
 * What the simulator saw: every request by endpoint and status, logins and logouts, and how many
 * requests were in flight at once. Tests and benchmarks read it to count a client's REST calls.
 */
export class SimulatorStats {
  readonly #calls = new Map<string, Map<number, number>>();
  #inFlight = 0;
  #maxInFlight = 0;
  #logins = 0;
  #logouts = 0;

  /** Requests arrived and not answered yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The most requests in flight at once since the last {@link reset}. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  /** Successful logins since the last {@link reset}. */
  get logins(): number {
    return this.#logins;
  }

  /** Logouts of a live session since the last {@link reset}. */
  get logouts(): number {
    return this.#logouts;
  }

  /**
   * Requests counted so far: all of them, those of one endpoint (`GET /file-systems`; the method
   * may be left out), and of one status.
   */
  calls(endpoint?: string, status?: number): number {
    let total = 0;
    for (const [key, statuses] of this.#calls) {
      if (endpoint !== undefined && key !== endpoint && key.slice(key.indexOf(' ') + 1) !== endpoint) continue;
      for (const [code, count] of statuses) if (status === undefined || code === status) total += count;
    }
    return total;
  }

  /** Every endpoint's calls by status, as a plain object (for printing). */
  byEndpoint(): CallCounts {
    const result: Record<string, Record<string, number>> = {};
    for (const [key, statuses] of [...this.#calls].sort(([a], [b]) => a.localeCompare(b))) {
      result[key] = Object.fromEntries([...statuses].sort(([a], [b]) => a - b).map(([code, count]) => [String(code), count]));
    }
    return result;
  }

  /** Forgets everything counted so far (the in-flight count stays). */
  reset(): void {
    this.#calls.clear();
    this.#maxInFlight = this.#inFlight;
    this.#logins = 0;
    this.#logouts = 0;
  }

  /** @internal A request arrived. */
  begin(): void {
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
  }

  /** @internal A request was answered with `status` (its answer starts), or abandoned (`0`). */
  end(endpoint: string, status: number): void {
    this.#inFlight--;
    let statuses = this.#calls.get(endpoint);
    if (statuses === undefined) this.#calls.set(endpoint, (statuses = new Map<number, number>()));
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }

  /** @internal */
  countLogin(): void {
    this.#logins++;
  }

  /** @internal */
  countLogout(): void {
    this.#logouts++;
  }
}
