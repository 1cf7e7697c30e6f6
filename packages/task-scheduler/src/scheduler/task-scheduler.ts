import { DbError, throwIfAborted } from '@tabagent/common';
import { ProgressSignal } from '@tabagent/common/runtime';
import { EventEmitter } from 'node:events';
import { assertActivityLevel, type ActivityLevel } from '../activity/activity-level.js';
import { ActivityMonitor } from '../activity/activity-monitor.js';
import type { CancelTimer, Clock } from '../clock/clock.js';
import { LatencyWindow } from '../metrics/latency-window.js';
import { RateMeter } from '../metrics/rate-meter.js';
import type { SchedulingPolicy } from '../policy/scheduling-policy.js';
import { assertPriority, PRIORITIES, rankOf, type Priority, type PriorityRank } from '../priority/priority.js';
import { RingQueue } from '../queue/ring-queue.js';
import { backoffDelay } from '../retry/backoff.js';
import { abortRun, AttemptContext } from '../task/attempt-context.js';
import type { CancelReason, DropReason, SubmitOptions, TaskFn, TaskHandle, TaskOutcome } from '../task/task.js';
import { TaskRecord } from '../task/task-record.js';
import { assertFiniteNumber, assertInteger, describe } from '../validation/assert.js';
import type { TaskSchedulerEvents } from './events.js';
import {
  resolveTaskSchedulerOptions,
  type ResolvedTaskSchedulerOptions,
  type TaskSchedulerOptions,
} from './options.js';
import type { TaskSchedulerStats, TaskSchedulerStatus } from './stats.js';
import { YieldQueue } from './yield-queue.js';

/** Options of {@link TaskScheduler.close}. */
export interface CloseOptions {
  /**
   * Abort the signals of running tasks instead of letting them finish (default false).
   * Either way `close()` resolves only once every running task has returned; tasks still
   * waiting to start or to retry are dropped with reason `close`.
   */
  abortRunning?: boolean;
}

/** Options of {@link TaskScheduler.drain}. */
export interface DrainOptions {
  /** Stops waiting (the promise rejects with `ABORTED`); the tasks are unaffected. */
  signal?: AbortSignal;
}

type Queues = [RingQueue<TaskRecord>, RingQueue<TaskRecord>, RingQueue<TaskRecord>];
type PerRank = [number, number, number];

/**
 * An activity-aware priority scheduler for background work that must never get in the
 * user's way. What may start depends on the activity level (see `DEFAULT_POLICY`):
 * while the user chats only urgent tasks start; when they go idle, normal and then low
 * priority work follows. The level is reported by the application and decays by itself.
 *
 * Within a priority tasks start in submission order. Urgent tasks always go first and
 * have reserved slots; between normal and low, `maxNormalBurst` keeps low work from
 * starving while the user is idle.
 *
 * @example
 * await using scheduler = new TaskScheduler({ policy: { sleep: { concurrency: 8 } } });
 * const handle = scheduler.submit(async ({ signal }) => embed(text, { signal }), {
 *   priority: 'low', key: `embed:${nodeId}`, retries: 3, preemptible: true,
 * });
 * scheduler.reportActivity(); // user typed: only urgent work starts now
 * const outcome = await handle.done; // { status: 'completed', value, … } or another ending
 */
export class TaskScheduler extends EventEmitter<TaskSchedulerEvents> {
  readonly #options: ResolvedTaskSchedulerOptions;
  readonly #clock: Clock;
  readonly #activity: ActivityMonitor;
  readonly #queues: Queues = [new RingQueue(), new RingQueue(), new RingQueue()];
  readonly #queuedCount: PerRank = [0, 0, 0];
  #queuedTotal = 0;
  readonly #runningCount: PerRank = [0, 0, 0];
  readonly #running = new Set<TaskRecord>();
  readonly #retryingTasks = new Set<TaskRecord>();
  /** Every task that has not ended yet, by id (for `cancel(id)`). */
  readonly #live = new Map<number, TaskRecord>();
  /** The waiting (queued or retrying) task per dedupe key. */
  readonly #waitingByKey = new Map<string, TaskRecord>();
  #allowed: [boolean, boolean, boolean] = [false, false, false];
  #concurrency = 1;
  #status: TaskSchedulerStatus = 'open';
  #nextId = 1;
  #normalStreak = 0;

  #submitted = 0;
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  #dropped = 0;
  #retried = 0;
  #preempted = 0;
  #deduplicated = 0;
  readonly #waitTimes: LatencyWindow;
  readonly #runTimes: LatencyWindow;
  readonly #throughput = new RateMeter(10);
  readonly #yields = new YieldQueue();

  #pumpScheduled = false;
  #pumping = false;
  #turnOpen = false;
  #turnStartedAt = 0;
  #turnMarker: ReturnType<typeof setImmediate> | undefined;
  #deferredPump: ReturnType<typeof setImmediate> | undefined;
  #deadlineAt = Number.POSITIVE_INFINITY;
  #cancelDeadlineTimer: CancelTimer | undefined;
  #busy = false;
  /** Notified each time the scheduler becomes idle. */
  readonly #idle = new ProgressSignal();
  #closing: Promise<void> | undefined;

  constructor(options: TaskSchedulerOptions = {}) {
    super();
    this.setMaxListeners(0); // any number of subscribers, as before (node:events warns past 10)
    this.#options = resolveTaskSchedulerOptions(options);
    this.#clock = this.#options.clock;
    this.#waitTimes = new LatencyWindow(this.#options.statsWindow);
    this.#runTimes = new LatencyWindow(this.#options.statsWindow);
    this.#activity = new ActivityMonitor({
      clock: this.#clock,
      lowAfterMs: this.#options.lowAfterMs,
      sleepAfterMs: this.#options.sleepAfterMs,
      initialLevel: this.#options.initialLevel,
      autoDecay: this.#options.autoDecay,
      onChange: (level, previous) => this.#onLevelChange(level, previous),
    });
    this.#applyPolicy(this.#activity.level);
  }

  /** `open` from construction, then `closing` and `closed`. */
  get status(): TaskSchedulerStatus {
    return this.#status;
  }

  /** The current activity level. */
  get activityLevel(): ActivityLevel {
    return this.#activity.level;
  }

  /** The resolved policy table (defaults merged with the constructor's overrides). */
  get policy(): SchedulingPolicy {
    return this.#options.policy;
  }

  /**
   * Queues a task. Returns its handle at once; `handle.done` resolves when it ends.
   * With a `key` that already belongs to a waiting task, returns that task instead.
   *
   * @example
   * const { id, done } = scheduler.submit(({ signal }) => summarise(chatId, signal), {
   *   priority: 'normal', key: `summary:${chatId}`, timeoutMs: 30_000, retries: 2,
   * });
   */
  submit<T>(fn: TaskFn<T>, options: SubmitOptions = {}): TaskHandle<T> {
    this.#assertOpen('submit');
    if (typeof fn !== 'function') {
      throw new DbError('INVALID_ARGUMENT', `task must be a function, got ${describe(fn)}`, {
        details: { field: 'fn' },
      });
    }
    if (typeof options !== 'object' || options === null) {
      throw new DbError('INVALID_ARGUMENT', `submit options must be an object, got ${describe(options)}`, {
        details: { field: 'options' },
      });
    }
    const priority = options.priority ?? 'normal';
    assertPriority(priority);
    const { key, deadline, signal } = options;
    if (key !== undefined && (typeof key !== 'string' || key.length === 0)) {
      throw new DbError('INVALID_ARGUMENT', `key must be a non-empty string, got ${describe(key)}`, {
        details: { field: 'key' },
      });
    }
    if (deadline !== undefined && (typeof deadline !== 'number' || !Number.isFinite(deadline))) {
      throw new DbError('INVALID_ARGUMENT', `deadline must be a finite clock time in ms, got ${describe(deadline)}`, {
        details: { field: 'deadline' },
      });
    }
    const timeoutMs = options.timeoutMs ?? this.#options.defaultTimeoutMs;
    if (timeoutMs !== undefined) assertFiniteNumber(timeoutMs, 'timeoutMs', 0, true);
    const retries = options.retries ?? this.#options.defaultRetries;
    assertInteger(retries, 'retries', 0);
    const preemptible = options.preemptible ?? this.#options.defaultPreemptible;
    if (typeof preemptible !== 'boolean') {
      throw new DbError('INVALID_ARGUMENT', `preemptible must be a boolean, got ${describe(preemptible)}`, {
        details: { field: 'preemptible' },
      });
    }
    if (
      signal !== undefined &&
      (typeof signal !== 'object' || signal === null || typeof signal.addEventListener !== 'function')
    ) {
      throw new DbError('INVALID_ARGUMENT', 'signal must be an AbortSignal', { details: { field: 'signal' } });
    }
    const rank = rankOf(priority);

    if (key !== undefined) {
      const waiting = this.#waitingByKey.get(key);
      if (waiting !== undefined) {
        if (rank < waiting.rank) this.#raisePriority(waiting, priority, rank);
        this.#deduplicated++;
        this.#emit('deduplicated', waiting);
        return waiting as TaskRecord as TaskHandle<T>;
      }
    }

    const task = new TaskRecord<T>(
      this.#nextId++,
      fn,
      priority,
      rank,
      key,
      deadline,
      timeoutMs,
      retries,
      preemptible,
      signal,
    );
    const record = task as TaskRecord;
    this.#submitted++;
    this.#live.set(task.id, record);
    this.#emit('submitted', task);
    if (signal !== undefined) {
      if (signal.aborted) {
        this.#cancel(record, 'signal', this.#clock.now());
        return task;
      }
      const onAbort = (): void => {
        this.#cancelTask(record, 'signal');
      };
      task.onSignalAbort = onAbort;
      signal.addEventListener('abort', onAbort, { once: true });
    }
    this.#enqueue(record, false);
    return task;
  }

  /**
   * Cancels a task by id, or every unfinished task with a dedupe key. Waiting tasks end
   * at once; running ones get their signal aborted and end (as `cancelled`) when they
   * return. Returns how many tasks were affected.
   *
   * @example
   * scheduler.cancel(handle.id);
   * scheduler.cancel(`embed:${nodeId}`);
   */
  cancel(idOrKey: number | string): number {
    this.#assertOpen('cancel');
    if (typeof idOrKey === 'number') {
      const task = this.#live.get(idOrKey);
      return task !== undefined && this.#cancelTask(task, 'cancel') ? 1 : 0;
    }
    if (typeof idOrKey === 'string' && idOrKey.length > 0) {
      const matching: TaskRecord[] = [];
      for (const task of this.#live.values()) if (task.key === idOrKey) matching.push(task);
      let count = 0;
      for (const task of matching) if (this.#cancelTask(task, 'cancel')) count++;
      return count;
    }
    throw new DbError('INVALID_ARGUMENT', `cancel expects a task id or key, got ${describe(idOrKey)}`, {
      details: { field: 'idOrKey' },
    });
  }

  /**
   * The user did something (typed, clicked, sent a message): the level becomes `high`,
   * paused preemptible work is stopped, and idle decay starts over. Cheap enough to call
   * on every input event.
   *
   * @example
   * input.addEventListener('keydown', () => scheduler.reportActivity());
   */
  reportActivity(): void {
    this.#assertOpen('reportActivity');
    this.#activity.report();
  }

  /**
   * Sets the activity level explicitly; decay (if enabled) continues from it.
   *
   * @example
   * scheduler.setActivityLevel('sleep'); // the app knows the user locked the screen
   */
  setActivityLevel(level: ActivityLevel): void {
    this.#assertOpen('setActivityLevel');
    assertActivityLevel(level);
    this.#activity.set(level);
  }

  /**
   * A snapshot of queue depths, running tasks, counters and latency percentiles.
   *
   * @example
   * const { queued, running, waitMs } = scheduler.stats();
   */
  stats(): TaskSchedulerStats {
    const byPriority = (counts: PerRank): Record<Priority, number> => ({
      urgent: counts[0],
      normal: counts[1],
      low: counts[2],
    });
    return {
      status: this.#status,
      level: this.#activity.level,
      queued: byPriority(this.#queuedCount),
      runningByPriority: byPriority(this.#runningCount),
      running: this.#running.size,
      retrying: this.#retryingTasks.size,
      submitted: this.#submitted,
      completed: this.#completed,
      failed: this.#failed,
      cancelled: this.#cancelled,
      dropped: this.#dropped,
      retried: this.#retried,
      preempted: this.#preempted,
      deduplicated: this.#deduplicated,
      waitMs: this.#waitTimes.percentiles(),
      runMs: this.#runTimes.percentiles(),
      throughput: this.#throughput.rate(this.#clock.now()),
    };
  }

  /**
   * Resolves when nothing is queued, running or waiting to retry. Tasks that the current
   * level does not allow to start keep it waiting until the level allows them.
   *
   * @example
   * for (const doc of docs) scheduler.submit(() => index(doc), { priority: 'low' });
   * await scheduler.drain();
   */
  async drain(options: DrainOptions = {}): Promise<void> {
    if (this.#status !== 'open') throw this.#notOpen('drain');
    if (this.#isIdle()) return;
    const { signal } = options;
    throwIfAborted(signal, 'drain aborted');
    await this.#idle.next(Number.POSITIVE_INFINITY, signal);
    throwIfAborted(signal, 'drain aborted');
  }

  /**
   * Stops accepting work, drops tasks that have not started (reason `close`), and waits
   * for running tasks — or aborts them first with `abortRunning`. Idempotent.
   *
   * @example
   * await scheduler.close({ abortRunning: true });
   */
  close(options: CloseOptions = {}): Promise<void> {
    if (this.#status === 'closed') return Promise.resolve();
    if (this.#closing !== undefined) return this.#closing;
    const abortRunning = options.abortRunning ?? false;
    if (typeof abortRunning !== 'boolean') {
      return Promise.reject(
        new DbError('INVALID_ARGUMENT', 'abortRunning must be a boolean', { details: { field: 'abortRunning' } }),
      );
    }
    this.#status = 'closing';
    this.#closing = this.#shutdown(abortRunning);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ── queueing ─────────────────────────────────────────────────────────────────────

  #enqueue(task: TaskRecord, front: boolean): void {
    const now = this.#clock.now();
    if (this.#status !== 'open') {
      this.#drop(task, 'close', now);
      return;
    }
    if (task.deadline !== undefined && now >= task.deadline) {
      this.#drop(task, 'deadline', now);
      return;
    }
    task.status = 'queued';
    task.enqueuedAt = now;
    if (front) this.#queues[task.rank].unshift(task);
    else this.#queues[task.rank].push(task);
    this.#queuedCount[task.rank]++;
    this.#queuedTotal++;
    if (task.key !== undefined && !this.#waitingByKey.has(task.key)) this.#waitingByKey.set(task.key, task);
    if (task.deadline !== undefined && task.deadline < this.#deadlineAt) this.#armDeadline(task.deadline, now);
    this.#busy = true;
    this.#schedulePump();
  }

  /** Bookkeeping for a task leaving the queued state (its queue entry becomes stale). */
  #leaveQueue(task: TaskRecord): void {
    this.#queuedCount[task.rank]--;
    this.#queuedTotal--;
    if (task.key !== undefined && this.#waitingByKey.get(task.key) === task) this.#waitingByKey.delete(task.key);
  }

  /**
   * Moves a waiting task to a more important queue. Its old entry stays behind as a
   * stale entry (skipped because the ranks no longer match): removing from the middle
   * of a ring buffer would cost O(n), and ranks only ever go up, so the stale entry can
   * never match again.
   */
  #raisePriority(task: TaskRecord, priority: Priority, rank: PriorityRank): void {
    if (task.status === 'queued') {
      const oldRank = task.rank;
      this.#queuedCount[oldRank]--;
      task.priority = priority;
      task.rank = rank;
      this.#compactIfSparse(oldRank);
      this.#queues[rank].push(task);
      this.#queuedCount[rank]++;
      this.#schedulePump();
    } else {
      task.priority = priority;
      task.rank = rank;
    }
  }

  /** Drops stale entries once they make up most of a queue, so cancelled work cannot pile up. */
  #compactIfSparse(rank: PriorityRank): void {
    const queue = this.#queues[rank];
    if (queue.length > 64 && queue.length > 2 * this.#queuedCount[rank]) {
      queue.retain((task) => task.status === 'queued' && task.rank === rank);
    }
  }

  #dequeue(rank: PriorityRank, now: number): TaskRecord | undefined {
    const queue = this.#queues[rank];
    while (queue.length > 0) {
      const task = queue.shift() as TaskRecord;
      if (task.status !== 'queued' || task.rank !== rank) continue;
      if (task.deadline !== undefined && now >= task.deadline) {
        this.#leaveQueue(task);
        this.#drop(task, 'deadline', now);
        continue;
      }
      return task;
    }
    return undefined;
  }

  /** The next urgent task allowed to start now, or undefined. */
  #pickUrgent(now: number): TaskRecord | undefined {
    if (!this.#allowed[0] || this.#queuedCount[0] === 0) return undefined;
    if (this.#running.size >= this.#concurrency + this.#options.urgentReserve) return undefined;
    return this.#dequeue(0, now);
  }

  /** The next task allowed to start now, or undefined. Implements the policy and fairness. */
  #pickNext(now: number): TaskRecord | undefined {
    for (;;) {
      const running = this.#running.size;
      const allowed = this.#allowed;
      const counts = this.#queuedCount;
      const urgent = this.#pickUrgent(now);
      if (urgent !== undefined) return urgent;
      if (running >= this.#concurrency) return undefined;
      const normalReady = allowed[1] && counts[1] > 0;
      const lowReady = allowed[2] && counts[2] > 0;
      if (!normalReady && !lowReady) return undefined;
      if (normalReady && (!lowReady || this.#normalStreak < this.#options.maxNormalBurst)) {
        const task = this.#dequeue(1, now);
        if (task !== undefined) {
          this.#normalStreak = lowReady ? this.#normalStreak + 1 : 0;
          return task;
        }
        // Everything left in the normal queue had expired; decide again.
        this.#assertDrained(1);
        continue;
      }
      const task = this.#dequeue(2, now);
      if (task !== undefined) {
        this.#normalStreak = 0;
        return task;
      }
      this.#assertDrained(2);
    }
  }

  /** Guards `#pickNext` against looping forever if the counters ever disagreed with the queues. */
  #assertDrained(rank: PriorityRank): void {
    if (this.#queuedCount[rank] !== 0) {
      throw new DbError('INTERNAL', `queue ${PRIORITIES[rank]} is empty but counts ${this.#queuedCount[rank]} tasks`);
    }
  }

  // ── running ──────────────────────────────────────────────────────────────────────

  #schedulePump(): void {
    if (this.#pumpScheduled || this.#pumping) return;
    this.#pumpScheduled = true;
    // A microtask, not a timer: an urgent task submitted from any callback starts before
    // the event loop moves on to anything else.
    queueMicrotask(this.#pumpFromMicrotask);
  }

  readonly #pumpFromMicrotask = (): void => {
    this.#pumpScheduled = false;
    this.#pump();
  };

  readonly #pumpFromImmediate = (): void => {
    this.#deferredPump = undefined;
    this.#pump();
  };

  readonly #endTurn = (): void => {
    this.#turnOpen = false;
    this.#turnMarker = undefined;
  };

  /**
   * Starts every task the policy allows right now. `knownNow` lets a caller that has
   * just read the clock (a finishing task) share that reading with the next start.
   */
  #pump(knownNow?: number): void {
    // Tasks that finish synchronously settle inside `#start`, which calls back here;
    // the outer loop will pick up the freed slot, so the nested call has nothing to do.
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (
        this.#status === 'open' &&
        this.#queuedTotal > 0 &&
        this.#running.size < this.#concurrency + this.#options.urgentReserve
      ) {
        const now = knownNow ?? this.#clock.now();
        knownNow = undefined;
        let overBudget = false;
        if (!this.#turnOpen) {
          // A "turn" lasts until the event loop gets a chance to run (the immediate
          // fires). Completions chain through microtasks, so without this budget a queue
          // of quick tasks would hold off timers and I/O until it was empty.
          this.#turnOpen = true;
          this.#turnStartedAt = now;
          this.#turnMarker = setImmediate(this.#endTurn);
        } else {
          overBudget = now - this.#turnStartedAt >= this.#options.turnBudgetMs;
        }
        // The budget exists to keep the loop free for user-facing work, so it never
        // holds back an urgent task; everything else waits for the next turn.
        const task = overBudget ? this.#pickUrgent(now) : this.#pickNext(now);
        if (task === undefined) {
          if (overBudget) this.#deferredPump ??= setImmediate(this.#pumpFromImmediate);
          break;
        }
        this.#start(task, now);
      }
    } finally {
      this.#pumping = false;
    }
    this.#checkIdle();
  }

  #start(task: TaskRecord, now: number): void {
    this.#leaveQueue(task);
    task.status = 'running';
    task.attempts++;
    task.startedAt = now;
    const token = ++task.runToken;
    const run = new AttemptContext(task, task.attempts, this.#yields);
    task.run = run;
    this.#waitTimes.record(now - task.enqueuedAt);
    this.#running.add(task);
    this.#runningCount[task.rank]++;
    if (task.timeoutMs !== undefined) {
      const timeoutMs = task.timeoutMs;
      task.cancelTimer = this.#clock.setTimer(() => this.#onTimeout(task, token, timeoutMs), timeoutMs, true);
    }
    this.#emit('started', task);
    // `.then` with two closures measured cheaper per task than an async wrapper with
    // `await`; a synchronous return or throw settles at once without a microtask.
    let result: unknown;
    try {
      result = task.fn(run);
      if (isThenable(result)) {
        result.then(
          (value) => this.#settleRun(task, token, true, value),
          (error: unknown) => this.#settleRun(task, token, false, error),
        );
        return;
      }
    } catch (error) {
      this.#settleRun(task, token, false, error);
      return;
    }
    this.#settleRun(task, token, true, result);
  }

  #onTimeout(task: TaskRecord, token: number, timeoutMs: number): void {
    if (task.runToken !== token || task.status !== 'running') return;
    task.cancelTimer = undefined;
    const run = task.run;
    const error = new DbError('TIMEOUT', `task ${task.id} did not finish within ${timeoutMs} ms`, {
      details: { id: String(task.id), reason: 'timeout' },
    });
    // The run is abandoned rather than awaited: a timeout exists to bound a task that
    // hangs, and one that ignores its signal would otherwise hold its slot forever.
    this.#settleRun(task, token, false, error);
    run?.[abortRun](error);
  }

  #settleRun(task: TaskRecord, token: number, ok: boolean, value: unknown): void {
    if (task.runToken !== token || task.status !== 'running') return;
    task.cancelTimer?.();
    task.cancelTimer = undefined;
    this.#running.delete(task);
    this.#runningCount[task.rank]--;
    const now = this.#clock.now();
    this.#runTimes.record(now - task.startedAt);
    const stop = task.stop;
    task.stop = undefined;
    task.run = undefined;
    if (stop === 'cancel' || stop === 'signal' || stop === 'close') {
      this.#cancel(task, stop, now);
    } else if (ok) {
      task.value = value;
      this.#finish(task, 'completed', now);
    } else if (stop === 'preempt') {
      // Not the task's fault: the run does not count, and it goes back to the front of
      // its queue so it is the first to resume.
      task.attempts--;
      this.#enqueue(task, true);
    } else {
      this.#onFailure(task, value, now);
    }
    this.#pump(now);
  }

  #onFailure(task: TaskRecord, error: unknown, now: number): void {
    task.lastError = error;
    if (this.#status !== 'open' || task.attempts > task.retries) {
      this.#finish(task, 'failed', now);
      return;
    }
    const delay = backoffDelay(task.attempts, this.#options.backoff, this.#options.random);
    if (task.deadline !== undefined && now + delay >= task.deadline) {
      this.#drop(task, 'deadline', now);
      return;
    }
    task.status = 'retrying';
    this.#retryingTasks.add(task);
    this.#retried++;
    if (task.key !== undefined && !this.#waitingByKey.has(task.key)) this.#waitingByKey.set(task.key, task);
    task.cancelTimer = this.#clock.setTimer(() => this.#onRetryDue(task), delay);
    this.#emit('retrying', task, error, delay);
  }

  #onRetryDue(task: TaskRecord): void {
    if (task.status !== 'retrying') return;
    task.cancelTimer = undefined;
    this.#retryingTasks.delete(task);
    this.#enqueue(task, false);
    this.#checkIdle();
  }

  /** Ends a waiting task now, or asks a running one to stop. True if anything changed. */
  #cancelTask(task: TaskRecord, reason: 'cancel' | 'signal' | 'close'): boolean {
    switch (task.status) {
      case 'queued': {
        this.#leaveQueue(task);
        this.#compactIfSparse(task.rank);
        this.#cancel(task, reason, this.#clock.now());
        return true;
      }
      case 'retrying': {
        task.cancelTimer?.();
        task.cancelTimer = undefined;
        this.#retryingTasks.delete(task);
        this.#cancel(task, reason, this.#clock.now());
        return true;
      }
      case 'running': {
        if (task.stop !== undefined && task.stop !== 'preempt') return false;
        task.stop = reason;
        task.run?.[abortRun](
          new DbError('ABORTED', `task ${task.id} was cancelled`, { details: { id: String(task.id), reason } }),
        );
        return true;
      }
      default:
        return false;
    }
  }

  /** Ends a task: exactly one call per task, whatever the path. */
  #finish(task: TaskRecord, status: 'completed' | 'failed' | 'cancelled' | 'dropped', now: number): void {
    this.#live.delete(task.id);
    if (task.key !== undefined && this.#waitingByKey.get(task.key) === task) this.#waitingByKey.delete(task.key);
    if (task.onSignalAbort !== undefined) {
      task.callerSignal?.removeEventListener('abort', task.onSignalAbort);
      task.onSignalAbort = undefined;
    }
    switch (status) {
      case 'completed':
        this.#completed++;
        break;
      case 'failed':
        this.#failed++;
        break;
      case 'cancelled':
        this.#cancelled++;
        break;
      case 'dropped':
        this.#dropped++;
        break;
    }
    this.#throughput.mark(now);
    task.end(status);
    if (this.listenerCount('settled') !== 0) this.#emit('settled', task, task.outcome as TaskOutcome<unknown>);
    if (!this.#pumping) this.#checkIdle();
  }

  #cancel(task: TaskRecord, reason: CancelReason, now: number): void {
    task.endReason = reason;
    this.#finish(task, 'cancelled', now);
  }

  #drop(task: TaskRecord, reason: DropReason, now: number): void {
    task.endReason = reason;
    this.#finish(task, 'dropped', now);
  }

  // ── activity ─────────────────────────────────────────────────────────────────────

  #applyPolicy(level: ActivityLevel): void {
    const policy = this.#options.policy[level];
    this.#allowed = [
      policy.priorities.includes(PRIORITIES[0]),
      policy.priorities.includes(PRIORITIES[1]),
      policy.priorities.includes(PRIORITIES[2]),
    ];
    this.#concurrency = policy.concurrency;
  }

  #onLevelChange(level: ActivityLevel, previous: ActivityLevel): void {
    this.#applyPolicy(level);
    // Copy first: abort listeners run synchronously and may call back into the scheduler.
    for (const task of [...this.#running]) {
      if (this.#allowed[task.rank] || !task.preemptible || task.stop !== undefined) continue;
      task.stop = 'preempt';
      this.#preempted++;
      task.run?.[abortRun](
        new DbError('ABORTED', `task ${task.id} was preempted: ${task.priority} work is paused at level ${level}`, {
          details: { id: String(task.id), reason: 'preempted', level },
        }),
      );
      this.#emit('preempted', task);
    }
    this.#emit('level', level, previous);
    this.#schedulePump();
  }

  // ── deadlines, idleness, shutdown ────────────────────────────────────────────────

  #armDeadline(deadline: number, now: number): void {
    this.#cancelDeadlineTimer?.();
    this.#deadlineAt = deadline;
    this.#cancelDeadlineTimer = this.#clock.setTimer(this.#sweepDeadlines, Math.max(0, deadline - now), true);
  }

  /** Drops queued tasks whose deadline passed, even while their priority is paused. */
  readonly #sweepDeadlines = (): void => {
    this.#cancelDeadlineTimer = undefined;
    this.#deadlineAt = Number.POSITIVE_INFINITY;
    if (this.#status !== 'open') return;
    const now = this.#clock.now();
    let next = Number.POSITIVE_INFINITY;
    const expired: TaskRecord[] = [];
    for (const rank of [0, 1, 2] as const) {
      this.#queues[rank].retain((task) => {
        if (task.status !== 'queued' || task.rank !== rank) return false;
        if (task.deadline === undefined) return true;
        if (now >= task.deadline) {
          expired.push(task);
          return false;
        }
        if (task.deadline < next) next = task.deadline;
        return true;
      });
    }
    for (const task of expired) {
      this.#leaveQueue(task);
      this.#drop(task, 'deadline', now);
    }
    if (next < this.#deadlineAt) this.#armDeadline(next, now);
  };

  #isIdle(): boolean {
    return this.#queuedTotal === 0 && this.#running.size === 0 && this.#retryingTasks.size === 0;
  }

  #checkIdle(): void {
    if (!this.#busy || !this.#isIdle()) return;
    this.#busy = false;
    this.#idle.notify();
    this.#emit('idle');
  }

  async #shutdown(abortRunning: boolean): Promise<void> {
    this.#activity.stop();
    this.#cancelDeadlineTimer?.();
    this.#cancelDeadlineTimer = undefined;
    if (this.#deferredPump !== undefined) clearImmediate(this.#deferredPump);
    if (this.#turnMarker !== undefined) clearImmediate(this.#turnMarker);
    this.#deferredPump = undefined;
    this.#turnMarker = undefined;
    this.#turnOpen = false;
    const now = this.#clock.now();
    for (const rank of [0, 1, 2] as const) {
      const queue = this.#queues[rank];
      const waiting = [...queue].filter((task) => task.status === 'queued' && task.rank === rank);
      queue.clear();
      for (const task of waiting) {
        this.#leaveQueue(task);
        this.#drop(task, 'close', now);
      }
    }
    for (const task of [...this.#retryingTasks]) {
      task.cancelTimer?.();
      task.cancelTimer = undefined;
      this.#retryingTasks.delete(task);
      this.#drop(task, 'close', now);
    }
    if (abortRunning) for (const task of [...this.#running]) this.#cancelTask(task, 'close');
    if (this.#running.size > 0) {
      this.#busy = true;
      await this.#idle.next();
    }
    this.#status = 'closed';
    this.#closing = undefined;
    this.#emit('closed');
  }

  #assertOpen(operation: string): void {
    if (this.#status !== 'open') throw this.#notOpen(operation);
  }

  #notOpen(operation: string): DbError {
    return new DbError('NOT_OPEN', `cannot ${operation}: the scheduler is ${this.#status}`);
  }

  /**
   * Emits without letting a throwing listener corrupt the scheduler's state mid-update;
   * the error is rethrown from a microtask so it still surfaces as uncaught.
   */
  #emit<E extends keyof TaskSchedulerEvents>(event: E, ...args: TaskSchedulerEvents[E]): void {
    if (this.listenerCount(event) === 0) return;
    try {
      (this.emit as (event: E, ...args: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}



function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
