/**
 * Lets loops wait for "something changed" without polling hard: waiters sleep until the
 * next {@link notify}, a timeout, or an abort, then re-check their own condition.
 * `next()` never rejects, so callers decide what a timeout or an abort means.
 *
 * @example
 * const progress = new ProgressSignal();
 * // producer: after each unit of work
 * progress.notify();
 * // consumer
 * while (!done()) await progress.next(1_000, signal);
 */
export class ProgressSignal {
  readonly #waiters = new Set<() => void>();

  /** Wakes everything waiting now; later `next()` calls wait for the next notify. */
  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }

  /**
   * Resolves on the next {@link notify}, after `timeoutMs` (no timer when it is not
   * finite), or when `signal` fires, whichever comes first.
   */
  next(timeoutMs = Number.POSITIVE_INFINITY, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = Number.isFinite(timeoutMs) ? setTimeout(done, Math.max(0, timeoutMs)) : undefined;
      signal?.addEventListener('abort', done, { once: true });
      this.#waiters.add(done);
    });
  }
}
