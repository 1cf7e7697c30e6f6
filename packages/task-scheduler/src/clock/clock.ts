/** Cancels a timer created by {@link Clock.setTimer}; calling it twice is harmless. */
export type CancelTimer = () => void;

/**
 * The scheduler's only source of time. Every decision that depends on time (activity
 * decay, deadlines, retry backoff, per-task timeouts, wait/run statistics) goes through
 * it, so tests can pass a manual clock and drive time deterministically.
 *
 * @example
 * const clock: Clock = {
 *   now: () => Date.now(),
 *   setTimer: (cb, ms) => { const t = setTimeout(cb, ms); return () => clearTimeout(t); },
 * };
 */
export interface Clock {
  /** Current time in milliseconds (fractions allowed). Must never go backwards. */
  now(): number;
  /**
   * Calls `callback` once after `ms` milliseconds. A `weak` timer must not keep the
   * process alive on its own (the scheduler uses it for housekeeping such as activity
   * decay, which should never delay a process exit).
   */
  setTimer(callback: () => void, ms: number, weak?: boolean): CancelTimer;
}
