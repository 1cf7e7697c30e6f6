import type { ActivityLevel } from '../src/activity/activity-level.js';
import type { TaskContext, TaskFn } from '../src/task/task.js';
import { ManualClock, settle } from '../src/testing/manual-clock.js';
import type { TaskSchedulerOptions } from '../src/scheduler/options.js';
import { TaskScheduler } from '../src/scheduler/task-scheduler.js';

/** A scheduler on a manual clock, starting at `level` with decay off unless asked for. */
export function setup(level: ActivityLevel = 'sleep', options: TaskSchedulerOptions = {}) {
  const clock = new ManualClock(1_000_000);
  const scheduler = new TaskScheduler({ clock, initialLevel: level, autoDecay: false, ...options });
  return { clock, scheduler };
}

/** A promise with its resolve/reject exposed. */
export function gate<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * A task that runs until released (`release(value)`), or rejects with the abort reason
 * when its signal fires — a cooperative task. Records every start.
 */
export function controllable<T = string>(value?: T) {
  const starts: TaskContext[] = [];
  let current = gate<T>();
  const fn: TaskFn<T> = (ctx) => {
    starts.push(ctx);
    const mine = current;
    return new Promise<T>((resolve, reject) => {
      mine.promise.then(resolve, reject);
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
  };
  return {
    fn,
    starts,
    get started(): number {
      return starts.length;
    },
    /** Lets the current run finish with `result` and arms a fresh gate for the next run. */
    release(result: T = value as T): void {
      current.resolve(result);
      current = gate<T>();
    },
    fail(error: unknown): void {
      current.reject(error);
      current = gate<T>();
    },
  };
}

export { settle };
