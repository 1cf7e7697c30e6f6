import type { CancelTimer, Clock } from '../clock/clock.js';
import type { ActivityLevel } from './activity-level.js';

export interface ActivityMonitorOptions {
  /** Time source for idle measurement and decay timers. */
  clock: Clock;
  /** Idle time after which `high` decays to `low`, in ms. */
  lowAfterMs: number;
  /** Idle time after which the level decays to `sleep`, in ms (≥ `lowAfterMs`). */
  sleepAfterMs: number;
  /** Level to start in. */
  initialLevel: ActivityLevel;
  /** Whether the level decays by itself; when false only explicit calls change it. */
  autoDecay: boolean;
  /** Called after every change of level (never for a no-op). */
  onChange: (level: ActivityLevel, previous: ActivityLevel) => void;
}

/**
 * Tracks the user's activity level from reports and lets it decay with idle time.
 *
 * The level is a function of the time since the last activity: below `lowAfterMs` it is
 * `high`, below `sleepAfterMs` it is `low`, after that `sleep`. Setting a level
 * explicitly moves the "last activity" so that the same rule keeps holding, which makes
 * decay continue naturally from the level that was set.
 *
 * @example
 * const monitor = new ActivityMonitor({ clock, lowAfterMs: 300_000, sleepAfterMs: 1_800_000,
 *   initialLevel: 'low', autoDecay: true, onChange: (l) => console.log(l) });
 * monitor.report(); // → 'high'
 */
export class ActivityMonitor {
  readonly #options: ActivityMonitorOptions;
  #level: ActivityLevel;
  #lastActivityAt: number;
  #cancelTimer: CancelTimer | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #stopped = false;

  constructor(options: ActivityMonitorOptions) {
    this.#options = options;
    this.#level = options.initialLevel;
    this.#lastActivityAt = this.#activityTimeFor(options.initialLevel, options.clock.now());
    this.#arm();
  }

  get level(): ActivityLevel {
    return this.#level;
  }

  /** Clock time of the last reported activity (synthetic after an explicit `set`). */
  get lastActivityAt(): number {
    return this.#lastActivityAt;
  }

  /** The user did something: the level becomes `high` and the idle clock restarts. */
  report(): void {
    if (this.#stopped) return;
    this.#lastActivityAt = this.#options.clock.now();
    // Reports can arrive on every keystroke: while already `high` with a decay timer
    // pending, moving the timestamp is enough; the timer re-checks when it fires.
    if (this.#level === 'high' && this.#cancelTimer !== undefined) return;
    this.#change('high');
    this.#arm();
  }

  /** Forces a level; decay (if enabled) continues from it. */
  set(level: ActivityLevel): void {
    if (this.#stopped) return;
    this.#lastActivityAt = this.#activityTimeFor(level, this.#options.clock.now());
    this.#change(level);
    this.#arm();
  }

  /** Stops decay timers; the level stays where it is. */
  stop(): void {
    this.#stopped = true;
    this.#disarm();
  }

  #activityTimeFor(level: ActivityLevel, now: number): number {
    if (level === 'high') return now;
    if (level === 'low') return now - this.#options.lowAfterMs;
    return now - this.#options.sleepAfterMs;
  }

  #levelAt(now: number): ActivityLevel {
    const idle = now - this.#lastActivityAt;
    if (idle >= this.#options.sleepAfterMs) return 'sleep';
    if (idle >= this.#options.lowAfterMs) return 'low';
    return 'high';
  }

  #change(level: ActivityLevel): void {
    const previous = this.#level;
    if (previous === level) return;
    this.#level = level;
    this.#options.onChange(level, previous);
  }

  #disarm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #arm(): void {
    if (this.#stopped || !this.#options.autoDecay) return;
    const next =
      this.#level === 'high'
        ? this.#lastActivityAt + this.#options.lowAfterMs
        : this.#level === 'low'
          ? this.#lastActivityAt + this.#options.sleepAfterMs
          : Number.POSITIVE_INFINITY;
    if (next === this.#timerAt && this.#cancelTimer !== undefined) return;
    this.#disarm();
    if (next === Number.POSITIVE_INFINITY) return;
    const now = this.#options.clock.now();
    this.#timerAt = next;
    this.#cancelTimer = this.#options.clock.setTimer(this.#onTimer, Math.max(0, next - now), true);
  }

  readonly #onTimer = (): void => {
    this.#cancelTimer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
    if (this.#stopped) return;
    this.#change(this.#levelAt(this.#options.clock.now()));
    this.#arm();
  };
}
