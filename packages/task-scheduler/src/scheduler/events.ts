import type { ActivityLevel } from '../activity/activity-level.js';
import type { TaskInfo, TaskOutcome } from '../task/task.js';

/**
 * Events of a {@link TaskScheduler} (a typed node:events emitter). Listeners run
 * synchronously inside the scheduler, so they should be quick and must not throw.
 *
 * @example
 * scheduler.on('settled', (task, outcome) => log(task.id, outcome.status));
 * scheduler.on('level', (level, previous) => log(`${previous} → ${level}`));
 */
export interface TaskSchedulerEvents {
  /** A new task was accepted (not emitted for a deduplicated submission). */
  submitted: [task: TaskInfo];
  /** A submission was folded into the waiting task with the same key. */
  deduplicated: [task: TaskInfo];
  /** A run of the task began. */
  started: [task: TaskInfo];
  /** A run failed and another will start after `delayMs`. */
  retrying: [task: TaskInfo, error: unknown, delayMs: number];
  /** A running preemptible task was asked to stop because its priority is now paused. */
  preempted: [task: TaskInfo];
  /** A task ended; exactly once per task. */
  settled: [task: TaskInfo, outcome: TaskOutcome<unknown>];
  /** The activity level changed. */
  level: [level: ActivityLevel, previous: ActivityLevel];
  /** Nothing is queued, running or waiting to retry any more. */
  idle: [];
  /** `close()` finished. */
  closed: [];
}
