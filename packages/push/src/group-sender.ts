import { settleBy } from './deadline.js';
import type { PushgatewayClient, SendOptions } from './pushgateway-client.js';
import type { PushFailure, PushMethod, PushResult } from './push-result.js';

/**
 * Sends one Pushgateway group's pushes one at a time, in call order, each rendering the group's text
 * when its turn comes. Sent side by side, a retried older push could reach the gateway after a newer
 * one and put stale values back (a PUT would even replace the whole group); in turn, each push
 * carries the values of the moment it goes out. The job handle and `tessera-push exec` share it.
 */
export class GroupSender {
  readonly #client: PushgatewayClient;
  readonly #groupPath: string;
  readonly #render: () => Promise<string>;
  #queue: Promise<unknown> = Promise.resolve();
  /** Fired by {@link GroupSender.settle} when its deadline passes: every queued or running send gives up. */
  #abandon = new AbortController();

  constructor(client: PushgatewayClient, groupPath: string, render: () => Promise<string>) {
    this.#client = client;
    this.#groupPath = groupPath;
    this.#render = render;
  }

  /** Queues a send behind the previous one; never throws. */
  send(method: PushMethod, sendOptions: SendOptions = {}): Promise<PushResult> {
    const abandon = this.#abandon.signal;
    const signal = sendOptions.signal === undefined ? abandon : AbortSignal.any([abandon, sendOptions.signal]);
    const turn = this.#queue.then(() => this.#renderAndSend(method, { ...sendOptions, signal }));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Waits for the sends queued so far; those still queued or running when `deadline` fires give up
   * at once (a `timeout` failure with the deadline's reason). Sends queued afterwards start afresh.
   */
  async settle(deadline: AbortSignal): Promise<void> {
    const abandon = this.#abandon;
    await settleBy(this.#queue, deadline, () => abandon.abort(deadline.reason));
    if (this.#abandon === abandon) this.#abandon = new AbortController();
  }

  /** Closes the client's connections; later sends open new ones. */
  close(): Promise<void> {
    return this.#client.close();
  }

  /** Renders and sends; never throws. */
  async #renderAndSend(method: PushMethod, sendOptions: SendOptions): Promise<PushResult> {
    let body: string | undefined;
    if (method !== 'DELETE') {
      try {
        body = await this.#render();
      } catch (error) {
        const cause = error instanceof Error ? error : new Error(String(error));
        const failure: PushFailure = { ok: false, method, url: undefined, reason: 'render', message: `cannot render the registry: ${cause.message}`, attempts: 0, error: cause };
        this.#client.report(failure);
        return failure;
      }
    }
    return this.#client.send(method, this.#groupPath, body, sendOptions);
  }
}
