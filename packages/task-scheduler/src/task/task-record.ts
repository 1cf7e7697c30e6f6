import type { CancelTimer } from '../clock/clock.js';
import type { Priority, PriorityRank } from '../priority/priority.js';
import type { AttemptContext } from './attempt-context.js';
import type { CancelReason, DropReason, TaskFn, TaskHandle, TaskOutcome, TaskStatus } from './task.js';

/** Why the scheduler asked a running task to stop. */
export type StopRequest = 'preempt' | 'cancel' | 'signal' | 'close';

/**
 * Internal: everything the scheduler tracks about one task. It doubles as the public
 * handle (typed as {@link TaskHandle}) so a submission allocates one object, not two.
 */
export class TaskRecord<T = unknown> implements TaskHandle<T> {
  readonly id: number;
  readonly key: string | undefined;
  readonly fn: TaskFn<T>;
  readonly deadline: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly retries: number;
  readonly preemptible: boolean;
  readonly callerSignal: AbortSignal | undefined;
  priority: Priority;
  rank: PriorityRank;
  status: TaskStatus = 'queued';
  attempts = 0;
  /** Clock time the task last entered a queue (for wait-time statistics). */
  enqueuedAt = 0;
  startedAt = 0;
  /** Increments per run; a settlement carrying an older token belongs to an abandoned run. */
  runToken = 0;
  run: AttemptContext | undefined;
  stop: StopRequest | undefined;
  /** Timeout of the current run, or the backoff timer while `retrying`. */
  cancelTimer: CancelTimer | undefined;
  /** Listener on the caller's signal, removed when the task ends. */
  onSignalAbort: (() => void) | undefined;
  /** What the last failed run threw. */
  lastError: unknown;
  /** What the successful run returned. */
  value: T | undefined;
  /** Why a cancelled or dropped task ended. */
  endReason: CancelReason | DropReason | undefined;
  #outcome: TaskOutcome<T> | undefined;
  #done: Promise<TaskOutcome<T>> | undefined;
  #resolve: ((outcome: TaskOutcome<T>) => void) | undefined;

  constructor(
    id: number,
    fn: TaskFn<T>,
    priority: Priority,
    rank: PriorityRank,
    key: string | undefined,
    deadline: number | undefined,
    timeoutMs: number | undefined,
    retries: number,
    preemptible: boolean,
    callerSignal: AbortSignal | undefined,
  ) {
    this.id = id;
    this.fn = fn;
    this.priority = priority;
    this.rank = rank;
    this.key = key;
    this.deadline = deadline;
    this.timeoutMs = timeoutMs;
    this.retries = retries;
    this.preemptible = preemptible;
    this.callerSignal = callerSignal;
  }

  /** Created on first access: fire-and-forget submissions never allocate a promise. */
  get done(): Promise<TaskOutcome<T>> {
    if (this.#done === undefined) {
      const outcome = this.outcome;
      this.#done =
        outcome !== undefined
          ? Promise.resolve(outcome)
          : new Promise<TaskOutcome<T>>((resolve) => {
              this.#resolve = resolve;
            });
    }
    return this.#done;
  }

  /** The final outcome, or undefined while the task has not ended. Built on first use. */
  get outcome(): TaskOutcome<T> | undefined {
    if (this.#outcome !== undefined) return this.#outcome;
    const { id, attempts } = this;
    switch (this.status) {
      case 'completed':
        this.#outcome = { status: 'completed', id, value: this.value as T, attempts };
        break;
      case 'failed':
        this.#outcome = { status: 'failed', id, error: this.lastError, attempts };
        break;
      case 'cancelled':
        this.#outcome = { status: 'cancelled', id, reason: this.endReason as CancelReason, attempts };
        break;
      case 'dropped':
        this.#outcome =
          this.lastError === undefined
            ? { status: 'dropped', id, reason: this.endReason as DropReason, attempts }
            : { status: 'dropped', id, reason: this.endReason as DropReason, attempts, error: this.lastError };
        break;
      default:
        return undefined;
    }
    return this.#outcome;
  }

  /** Marks the task as ended and resolves `done` if anyone is waiting on it. */
  end(status: 'completed' | 'failed' | 'cancelled' | 'dropped'): void {
    this.status = status;
    if (this.#resolve !== undefined) {
      this.#resolve(this.outcome as TaskOutcome<T>);
      this.#resolve = undefined;
    }
  }
}
