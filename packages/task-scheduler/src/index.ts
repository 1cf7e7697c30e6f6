export { TaskScheduler } from './scheduler/task-scheduler.js';
export type { CloseOptions, DrainOptions } from './scheduler/task-scheduler.js';
export type { TaskSchedulerOptions, ResolvedTaskSchedulerOptions } from './scheduler/options.js';
export type { TaskSchedulerEvents } from './scheduler/events.js';
export type { TaskSchedulerStats, TaskSchedulerStatus } from './scheduler/stats.js';
export type {
  TaskContext,
  TaskFn,
  SubmitOptions,
  TaskStatus,
  CancelReason,
  DropReason,
  TaskOutcome,
  TaskInfo,
  TaskHandle,
} from './task/task.js';
export { PRIORITIES, isPriority } from './priority/priority.js';
export type { Priority } from './priority/priority.js';
export { ACTIVITY_LEVELS, isActivityLevel } from './activity/activity-level.js';
export type { ActivityLevel } from './activity/activity-level.js';
export { DEFAULT_POLICY, resolvePolicy, allows } from './policy/scheduling-policy.js';
export type { LevelPolicy, SchedulingPolicy, SchedulingPolicyOverrides } from './policy/scheduling-policy.js';
export { systemClock } from './clock/system-clock.js';
export type { Clock, CancelTimer } from './clock/clock.js';
export type { BackoffOptions } from './retry/backoff.js';
export type { Percentiles } from './metrics/latency-window.js';
