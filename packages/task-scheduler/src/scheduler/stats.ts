import type { ActivityLevel } from '../activity/activity-level.js';
import type { Percentiles } from '../metrics/latency-window.js';
import type { Priority } from '../priority/priority.js';

/** Lifecycle of a scheduler: it is usable from construction until `close()`. */
export type TaskSchedulerStatus = 'open' | 'closing' | 'closed';

/** A snapshot of the scheduler's state and counters. */
export interface TaskSchedulerStats {
  readonly status: TaskSchedulerStatus;
  readonly level: ActivityLevel;
  /** Tasks waiting to start, per priority. */
  readonly queued: Readonly<Record<Priority, number>>;
  /** Tasks running now, per priority. */
  readonly runningByPriority: Readonly<Record<Priority, number>>;
  /** Tasks running now. */
  readonly running: number;
  /** Tasks waiting out a retry backoff. */
  readonly retrying: number;
  /** Tasks accepted (deduplicated submissions are not counted twice). */
  readonly submitted: number;
  readonly completed: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Tasks dropped because their deadline passed or the scheduler closed. */
  readonly dropped: number;
  /** Retries scheduled after failed runs. */
  readonly retried: number;
  /** Runs stopped and re-queued because the user became active. */
  readonly preempted: number;
  /** Submissions folded into a waiting task with the same key. */
  readonly deduplicated: number;
  /** Time from entering the queue to starting, over recent runs, in ms. */
  readonly waitMs: Percentiles;
  /** Run time over recent runs, in ms. */
  readonly runMs: Percentiles;
  /** Tasks ended per second over the last 10 seconds. */
  readonly throughput: number;
}
