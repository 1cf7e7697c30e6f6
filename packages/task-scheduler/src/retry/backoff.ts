/** Exponential backoff between retries of a failed task. */
export interface BackoffOptions {
  /** Delay before the first retry, in ms. */
  readonly baseMs: number;
  /** Upper bound for any delay, in ms. */
  readonly maxMs: number;
  /** Growth factor per attempt (2 doubles the delay each time). */
  readonly factor: number;
  /**
   * Share of the delay that is randomised, 0…1. With 0.5 a 400 ms delay becomes
   * 200–400 ms. Jitter spreads out retries of tasks that failed together (for example
   * when a model server restarted), so they do not all hit it again at once.
   */
  readonly jitter: number;
}

/**
 * Delay before retry number `retry` (1 for the first retry).
 *
 * @example
 * backoffDelay(3, { baseMs: 100, maxMs: 10_000, factor: 2, jitter: 0 }, Math.random); // 400
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: () => number): number {
  const exponential = Math.min(options.maxMs, options.baseMs * options.factor ** Math.max(0, retry - 1));
  return exponential * (1 - options.jitter * random());
}
