import { abortedError, DbError } from '@tabagent/common';

/**
 * Throws `ABORTED` (or `TIMEOUT` when the signal was aborted by a deadline) if the
 * signal has fired. Query loops call it every few hundred items so a cancelled query
 * stops promptly without paying for a check per item.
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted !== true) return;
  const reason: unknown = signal.reason;
  if (DbError.is(reason)) throw reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    throw new DbError('TIMEOUT', 'query exceeded its time limit', { cause: reason });
  }
  throw abortedError(signal, 'query aborted');
}

/** A signal that fires when `signal` does or when `timeoutMs` elapses (if given). */
export function deadlineSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  if (timeoutMs === undefined) return signal;
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined ? timeout : AbortSignal.any([signal, timeout]);
}

/** Calls `throwIfAborted` once every `every` calls of the returned function. */
export function abortChecker(signal: AbortSignal | undefined, every = 256): () => void {
  if (signal === undefined) return () => {};
  let count = 0;
  return () => {
    if (++count % every === 0) throwIfAborted(signal);
  };
}
