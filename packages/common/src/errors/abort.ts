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
  if (signal?.aborted) throw abortedError(signal, message);
}
