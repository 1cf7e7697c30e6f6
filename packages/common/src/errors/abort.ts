import { DbError } from './db-error.js';

/**
 * The `ABORTED` error for a cancelled operation, with the signal's reason as `cause`.
 *
 * @example
 * signal.addEventListener('abort', () => reject(abortedError(signal, 'drain aborted')));
 */
export function abortedError(signal: AbortSignal | undefined, message = 'operation aborted'): DbError {
  return new DbError('ABORTED', message, { cause: signal?.reason });
}

/**
 * Throws {@link abortedError} when `signal` has fired; does nothing otherwise.
 * Long loops call it between units of work.
 *
 * @example
 * for (const batch of batches) { throwIfAborted(options.signal); await write(batch); }
 */
export function throwIfAborted(signal: AbortSignal | undefined, message?: string): void {
  if (signal?.aborted !== true) return;
  const reason: unknown = signal.reason;
  // A coded reason (e.g. NOT_OPEN from a closing component) is the error itself.
  if (DbError.is(reason)) throw reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') throw new DbError('TIMEOUT', 'operation exceeded its time limit', { cause: reason });
  throw abortedError(signal, message);
}

/**
 * `throwIfAborted` once every `every` calls of the returned function: tight loops stop
 * promptly when cancelled without paying for a check per item.
 */
export function abortChecker(signal: AbortSignal | undefined, every = 256): () => void {
  if (signal === undefined) return () => {};
  let count = 0;
  return () => {
    if (++count % every === 0) throwIfAborted(signal);
  };
}
