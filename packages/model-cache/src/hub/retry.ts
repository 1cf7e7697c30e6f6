import { abortedError, DbError } from '@tabagent/common';
import { isNetworkError, RetryableError } from './http-errors.js';

export interface RetryPolicy {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or the retries are
 * spent (→ UNAVAILABLE). `attempt` returns `progressed: true` through `onProgress` when
 * it moved data forward: a download that keeps advancing between drops is not failing,
 * so its retry budget starts over.
 */
export async function withRetry<T>(
  what: string,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (markProgress: () => void) => Promise<T>,
): Promise<T> {
  let failures = 0;
  for (;;) {
    if (signal?.aborted) throw abortedError(signal, `${what}: aborted`);
    let progressed = false;
    try {
      return await attempt(() => {
        progressed = true;
      });
    } catch (err) {
      if (signal?.aborted) throw abortedError(signal, `${what}: aborted`);
      if (err instanceof DbError) throw err;
      const retryable = err instanceof RetryableError || isNetworkError(err);
      // Not ours to judge (e.g. a file-system error, or a signal for the caller): pass it on.
      if (!retryable) throw err;
      failures = progressed ? 1 : failures + 1;
      if (failures > policy.retries) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new DbError('UNAVAILABLE', `${what}: gave up after ${policy.retries} retries (${reason})`, { cause: err });
      }
      const backoff = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (failures - 1));
      const jittered = backoff * (0.5 + Math.random() * 0.5);
      const wait = err instanceof RetryableError && err.retryAfterMs !== undefined ? Math.min(policy.maxDelayMs, err.retryAfterMs) : jittered;
      await sleep(wait, signal, what);
    }
  }
}

export function sleep(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortedError(signal, `${what}: aborted`));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal, `${what}: aborted`));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
