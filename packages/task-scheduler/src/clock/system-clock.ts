import type { CancelTimer, Clock } from './clock.js';

// Read once: the `timeOrigin` getter is surprisingly slow on a per-task hot path.
const TIME_ORIGIN = performance.timeOrigin;

/**
 * Wall-clock time with sub-millisecond precision. `performance.now()` is monotonic;
 * adding `timeOrigin` keeps the values comparable with `Date.now()`, so deadlines can be
 * given as ordinary epoch milliseconds.
 *
 * @example
 * const scheduler = new TaskScheduler({ clock: systemClock });
 */
export const systemClock: Clock = {
  now: () => TIME_ORIGIN + performance.now(),
  setTimer(callback: () => void, ms: number, weak = false): CancelTimer {
    const timer = setTimeout(callback, Math.max(0, ms));
    if (weak) timer.unref();
    return () => clearTimeout(timer);
  },
};
