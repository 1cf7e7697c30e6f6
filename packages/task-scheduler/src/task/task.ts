import type { Priority } from '../priority/priority.js';

/**
 * What a running task gets. `signal` is aborted when the task is cancelled, times out,
 * is preempted because the user became active, or the scheduler closes; `signal.reason`
 * is a `DbError` whose code (`ABORTED` or `TIMEOUT`) and `details.reason` say which.
 */
export interface TaskContext {
  /** The task's id (the same as its handle's). */
  readonly id: number;
  /** The dedupe key the task was submitted with, if any. */
  readonly key: string | undefined;
  /** Current priority (it can be raised by a duplicate submission). */
  readonly priority: Priority;
  /** 1 for the first run, 2 for the first retry, … (a preempted run is not counted). */
  readonly attempt: number;
  /**
   * Aborted when this run should stop. Created on first access: constructing an
   * `AbortSignal` costs several microseconds in Node 20, more than the scheduler's whole
   * per-task budget, so tasks that never look at it never pay for it.
   */
  readonly signal: AbortSignal;
  /** True once this run should stop; checking it does not create the signal. */
  readonly aborted: boolean;
  /** Throws the abort reason if this run should stop. */
  throwIfAborted(): void;
  /**
   * Lets the event loop run, then resumes when the scheduler gives this task its turn
   * (more important tasks first, one resumption per event-loop turn). CPU-heavy tasks
   * should call it every millisecond or so, so that timers, I/O and urgent work are
   * never held up for longer than one slice. Rejects with the abort reason if the run
   * should stop.
   *
   * @example
   * for (const chunk of chunks) { embedChunk(chunk); await ctx.yield(); }
   */
  yield(): Promise<void>;
}

/**
 * A unit of work: an (async) function of its {@link TaskContext}.
 *
 * @example
 * const task: TaskFn<number> = async ({ signal }) => (await fetch(url, { signal })).status;
 */
export type TaskFn<T> = (context: TaskContext) => T | PromiseLike<T>;

/** Options of one submission. */
export interface SubmitOptions {
  /** `urgent`, `normal` or `low` (default `normal`). */
  priority?: Priority;
  /**
   * Dedupe key: while a task with this key is waiting to start, submitting the same key
   * again returns the waiting task instead of adding another (its priority is raised to
   * the higher of the two). Also lets `cancel(key)` reach the task.
   */
  key?: string;
  /**
   * Clock time (ms, same scale as the scheduler's clock, i.e. `Date.now()` by default)
   * by which the task must have started. A task still waiting at that time is dropped
   * with reason `deadline`.
   */
  deadline?: number;
  /** Per-run time limit in ms; a run that exceeds it fails with `TIMEOUT` (and may be retried). */
  timeoutMs?: number;
  /** How many times a failed run is retried, with exponential backoff and jitter. */
  retries?: number;
  /**
   * Whether the scheduler may stop this task when the user becomes active and its
   * priority is paused: its signal is aborted and, once it returns, it is put back at
   * the front of its queue (not counted as a failure or an attempt).
   */
  preemptible?: boolean;
  /** Aborting it cancels the task (like `cancel(id)`). */
  signal?: AbortSignal;
}

/** Where a task is in its life. The last four are final. */
export type TaskStatus = 'queued' | 'running' | 'retrying' | 'completed' | 'failed' | 'cancelled' | 'dropped';

/** Why a task was cancelled: `cancel()`, its own abort signal, or `close({ abortRunning: true })`. */
export type CancelReason = 'cancel' | 'signal' | 'close';

/** Why a task was dropped without running to an end: its deadline passed, or the scheduler closed. */
export type DropReason = 'deadline' | 'close';

/** How a task ended. `done` resolves with exactly one of these and never rejects. */
export type TaskOutcome<T> =
  | {
      readonly status: 'completed';
      readonly id: number;
      /** What the task function returned. */
      readonly value: T;
      /** Runs it took, including the successful one. */
      readonly attempts: number;
    }
  | {
      readonly status: 'failed';
      readonly id: number;
      /** What the last run threw (a `DbError` with code `TIMEOUT` for a timeout). */
      readonly error: unknown;
      readonly attempts: number;
    }
  | {
      readonly status: 'cancelled';
      readonly id: number;
      readonly reason: CancelReason;
      readonly attempts: number;
    }
  | {
      readonly status: 'dropped';
      readonly id: number;
      readonly reason: DropReason;
      readonly attempts: number;
      /** The last run's error when the task was dropped while waiting to retry. */
      readonly error?: unknown;
    };

/** A read-only view of a task. */
export interface TaskInfo {
  readonly id: number;
  readonly key: string | undefined;
  readonly priority: Priority;
  readonly status: TaskStatus;
  /** Runs started so far (a preempted run is not counted). */
  readonly attempts: number;
}

/**
 * What `submit` returns.
 *
 * @example
 * const handle = scheduler.submit(work, { priority: 'low' });
 * const outcome = await handle.done;
 * if (outcome.status === 'completed') use(outcome.value);
 */
export interface TaskHandle<T> extends TaskInfo {
  /** Resolves once, when the task ends; never rejects. */
  readonly done: Promise<TaskOutcome<T>>;
}
