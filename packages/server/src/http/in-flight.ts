import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Counts HTTP requests whose response is not finished yet (WebSocket upgrades are
 * not requests in this sense), so a shutdown can wait for exactly those and then cut
 * the idle keep-alive connections at once.
 */
export class InFlightRequests {
  #count = 0;
  readonly #waiters = new Set<() => void>();

  get count(): number {
    return this.#count;
  }

  track(request: IncomingMessage, response: ServerResponse): void {
    if (request.headers.upgrade?.toLowerCase() === 'websocket') return;
    this.#count++;
    response.once('close', () => {
      if (--this.#count > 0) return;
      for (const wake of this.#waiters) wake();
      this.#waiters.clear();
    });
  }

  /** Resolves when no request is in flight. */
  idle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.add(resolve));
  }
}
