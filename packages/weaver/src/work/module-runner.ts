import { DbError, type ChangeEvent } from '@tabagent/common';
import type { CommitResult } from '@tabagent/storage';
import type { TaskContext, TaskHandle, TaskOutcome, TaskScheduler } from '@tabagent/task-scheduler';
import type { ImportModeConfig, ModuleRunSettings, WeaverPriority } from '../config/weaver-config.js';
import type { ChangeRecord } from '../feed/change-tracker.js';
import type { WeaverLogger } from '../logger.js';
import type { WeaverModule, WorkItem, WorkTarget } from '../modules/weaver-module.js';
import { deadLetterId, type DeadLetter, type DeadLetterStore } from '../state/dead-letter-store.js';
import type { ModuleError, ModuleStats } from '../weaver-stats.js';
import { BatchRun, type EnrichedEvent } from './batch-run.js';

/** Items failing in a row after which a module's breaker opens. */
const BREAKER_THRESHOLD = 20;
/** How long an open breaker sends new items straight to the dead letters, in ms. */
const BREAKER_COOLDOWN_MS = 30_000;

/** What a runner reports to the weaver. */
export interface RunnerHooks {
  scheduler: TaskScheduler;
  deadLetters: DeadLetterStore;
  logger: WeaverLogger;
  now: () => number;
  onCommit(result: CommitResult): void;
  onEnriched(event: EnrichedEvent): void;
  onDeadLetter(letter: DeadLetter): void;
  onError(error: DbError): void;
  /** Routes a change a module handed off to the other modules, as work of `records`. */
  onHandOff(change: ChangeEvent, records: readonly ChangeRecord[], from: string): void;
}

interface Pending {
  key: string;
  item: WorkItem;
  records: ChangeRecord[];
  since: number;
  /** Failed runs so far (for the dead letter). */
  attempts: number;
  /** Set when this work is a retry of a dead letter. */
  retryOf: string | undefined;
}

/** A run of the breaker: the error every item gets while it is open. */
interface BreakerState {
  openUntil: number;
  error: DbError;
}

function errorInfo(err: unknown, at: number): ModuleError {
  const error = DbError.from(err);
  return { code: error.code, message: error.message, at };
}

/**
 * Runs one module: gathers its items into batches (by size, or after `flushMs`), runs
 * each batch as a scheduler task, and decides what a failure means — retried by the
 * scheduler with backoff, then item by item so one bad item cannot sink its batch, then
 * into the dead letters. Items for the same target are merged while they wait, and
 * never run twice at once.
 */
export class ModuleRunner {
  readonly module: WeaverModule;
  readonly #hooks: RunnerHooks;
  readonly #buffer = new Map<string, Pending>();
  readonly #isolated: Pending[] = [];
  readonly #inFlightKeys = new Set<string>();
  readonly #handles = new Set<TaskHandle<BatchRun>>();
  #inFlightItems = 0;
  #running = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #stalled = false;
  #importMode: ImportModeConfig | undefined;
  #taskNo = 0;
  #failStreak = 0;
  #breaker: BreakerState | undefined;
  #processed = 0;
  #skipped = 0;
  #failed = 0;
  #retried = 0;
  #deferred = 0;
  readonly #notes: Record<string, number> = {};
  #lastError: ModuleError | undefined;
  #lastDoneAt: number | undefined;

  constructor(module: WeaverModule, hooks: RunnerHooks) {
    this.module = module;
    this.#hooks = hooks;
  }

  get name(): string {
    return this.module.name;
  }

  get lastDoneAt(): number | undefined {
    return this.#lastDoneAt;
  }

  /** Items waiting, deferred or running. */
  get pending(): number {
    return this.#buffer.size + this.#isolated.length + this.#inFlightItems + this.#deferred;
  }

  get processed(): number {
    return this.#processed + this.#skipped;
  }

  /** Bulk-import settings, or `undefined` for the module's own. */
  setImportMode(mode: ImportModeConfig | undefined): void {
    this.#importMode = mode;
    this.#schedule();
  }

  #settings(): { priority: WeaverPriority; batchSize: number; flushMs: number } & ModuleRunSettings {
    const own = this.module.settings;
    const mode = this.#importMode;
    if (mode === undefined) return own;
    return { ...own, priority: mode.priority, batchSize: own.batchSize * mode.batchFactor, flushMs: mode.flushMs };
  }

  /**
   * Adds work asked for by `change`, on behalf of `records` (the changes that finish only
   * when this work does); merged with waiting work for the same target.
   */
  enqueue(target: WorkTarget, change: ChangeEvent, records: readonly ChangeRecord[], retryOf?: string): void {
    if (this.#closed) return;
    const key = `${target.action}\u0000${target.target}`;
    for (const record of records) record.acquire(this.name);
    const item: WorkItem = { module: this.name, action: target.action, target: target.target, change };
    const waiting = this.#buffer.get(key);
    if (waiting !== undefined) {
      waiting.item = item;
      waiting.records.push(...records);
      waiting.retryOf ??= retryOf;
    } else {
      this.#buffer.set(key, { key, item, records: [...records], since: performance.now(), attempts: 0, retryOf });
    }
    this.#schedule();
  }

  /** Counts work held back until other modules finish (see `WeaverModule.after`). */
  deferred(delta: number): void {
    this.#deferred += delta;
  }

  #schedule(): void {
    if (this.#closed || this.#stalled) return;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const settings = this.#settings();
    while (this.#running < settings.concurrency) {
      const single = this.#isolated.shift();
      if (single !== undefined) {
        this.#submit([single], true);
        continue;
      }
      const batch: Pending[] = [];
      for (const pending of this.#buffer.values()) {
        if (this.#inFlightKeys.has(pending.key)) continue;
        batch.push(pending);
        if (batch.length >= settings.batchSize) break;
      }
      if (batch.length === 0) return;
      if (batch.length < settings.batchSize) {
        const wait = settings.flushMs - (performance.now() - batch[0]!.since);
        if (wait > 0) {
          this.#timer = setTimeout(() => this.#schedule(), Math.ceil(wait));
          return;
        }
      }
      for (const pending of batch) this.#buffer.delete(pending.key);
      this.#submit(batch, false);
    }
  }

  #submit(batch: Pending[], isolated: boolean): void {
    const breaker = this.#breaker;
    if (breaker !== undefined && this.#hooks.now() < breaker.openUntil) {
      for (const pending of batch) void this.#deadLetter(pending, breaker.error);
      return;
    }
    const settings = this.#settings();
    let handle: TaskHandle<BatchRun>;
    try {
      handle = this.#hooks.scheduler.submit((task) => this.#run(batch, task), {
        priority: settings.priority,
        key: `weaver:${this.name}:${++this.#taskNo}`,
        // A batch that failed every retry is tried item by item once more, without backoff.
        retries: isolated ? 0 : settings.retries,
        timeoutMs: settings.timeoutMs,
        preemptible: true,
      });
    } catch (err) {
      this.#putBack(batch);
      this.#stall(err);
      return;
    }
    this.#running++;
    this.#inFlightItems += batch.length;
    for (const pending of batch) this.#inFlightKeys.add(pending.key);
    this.#handles.add(handle);
    void handle.done.then((outcome) => {
      this.#handles.delete(handle);
      this.#running--;
      this.#inFlightItems -= batch.length;
      for (const pending of batch) this.#inFlightKeys.delete(pending.key);
      return this.#settle(batch, isolated, outcome);
    }).catch((err: unknown) => this.#hooks.onError(DbError.from(err)))
      .finally(() => this.#schedule());
  }

  async #run(batch: Pending[], task: TaskContext): Promise<BatchRun> {
    const run = new BatchRun(task, this.name, (result) => this.#hooks.onCommit(result));
    await this.module.process(
      batch.map((p) => p.item),
      run,
    );
    return run;
  }

  async #settle(batch: Pending[], isolated: boolean, outcome: TaskOutcome<BatchRun>): Promise<void> {
    if (outcome.status === 'cancelled' || outcome.status === 'dropped') {
      // Closing: the work is replayed from the log next time. Otherwise the scheduler
      // went away under us: keep the items and stop.
      if (this.#closed) return;
      this.#putBack(batch);
      this.#stall(new DbError('UNAVAILABLE', `the scheduler ${outcome.status === 'dropped' ? 'dropped' : 'cancelled'} a ${this.name} task (${outcome.reason})`));
      return;
    }
    if (outcome.attempts > 1) this.#retried += outcome.attempts - 1;
    if (outcome.status === 'failed') {
      this.#lastError = errorInfo(outcome.error, this.#hooks.now());
      this.#hooks.logger.warn(`${this.name}: a batch of ${batch.length} failed after ${outcome.attempts} run(s)`, {
        module: this.name,
        code: this.#lastError.code,
        error: this.#lastError.message,
      });
      for (const pending of batch) {
        pending.attempts += outcome.attempts;
        await this.#failed1(pending, outcome.error, isolated || batch.length === 1);
      }
      return;
    }
    const run = outcome.value;
    for (const [name, count] of run.notes) this.#notes[name] = (this.#notes[name] ?? 0) + count;
    for (const pending of batch) {
      const error = run.failedItems.get(pending.item);
      if (error !== undefined) {
        pending.attempts += 1;
        this.#lastError = errorInfo(error, this.#hooks.now());
        await this.#failed1(pending, error, isolated);
        continue;
      }
      for (const change of run.handOffs.get(pending.item) ?? []) this.#hooks.onHandOff(change, pending.records, this.name);
      await this.#done(pending, run.skippedItems.has(pending.item));
    }
    for (const event of run.enrichedEvents) this.#hooks.onEnriched(event);
  }

  async #failed1(pending: Pending, error: unknown, final: boolean): Promise<void> {
    if (!final) {
      this.#isolated.push(pending);
      return;
    }
    await this.#deadLetter(pending, error);
  }

  async #done(pending: Pending, skipped: boolean): Promise<void> {
    this.#failStreak = 0;
    this.#breaker = undefined;
    if (skipped) this.#skipped++;
    else this.#processed++;
    this.#lastDoneAt = this.#hooks.now();
    if (pending.retryOf !== undefined) {
      try {
        await this.#hooks.deadLetters.remove([pending.retryOf]);
      } catch (err) {
        this.#hooks.onError(DbError.from(err));
      }
    }
    this.#release(pending);
  }

  async #deadLetter(pending: Pending, err: unknown): Promise<void> {
    const error = DbError.from(err);
    let letter: DeadLetter;
    try {
      letter = await this.#hooks.deadLetters.record({
        module: this.name,
        action: pending.item.action,
        target: pending.item.target,
        change: pending.item.change,
        error: { code: error.code, message: error.message },
        attempts: pending.attempts,
        at: this.#hooks.now(),
      });
    } catch (cause) {
      // The store is gone (closing): the work stays unfinished and is replayed.
      this.#hooks.onError(DbError.from(cause));
      return;
    }
    this.#failed++;
    this.#lastError = errorInfo(error, this.#hooks.now());
    this.#hooks.logger.warn(`${this.name}: ${pending.item.action} ${pending.item.target} moved to the dead letters`, {
      module: this.name,
      deadLetter: letter.id,
      code: error.code,
      error: error.message,
    });
    this.#hooks.onDeadLetter(letter);
    if (++this.#failStreak >= BREAKER_THRESHOLD && this.#breaker === undefined) {
      this.#breaker = {
        openUntil: this.#hooks.now() + BREAKER_COOLDOWN_MS,
        error: new DbError(error.code, `${this.name} is failing (${BREAKER_THRESHOLD} items in a row): ${error.message}`, { cause: error }),
      };
      this.#hooks.logger.error(`${this.name}: ${BREAKER_THRESHOLD} items failed in a row; new items go to the dead letters for ${BREAKER_COOLDOWN_MS / 1000} s`, {
        module: this.name,
      });
    } else if (this.#breaker !== undefined && this.#hooks.now() >= this.#breaker.openUntil) {
      // The probe after the cool-down failed too: stay open.
      this.#breaker.openUntil = this.#hooks.now() + BREAKER_COOLDOWN_MS;
    }
    this.#release(pending);
  }

  #release(pending: Pending): void {
    for (const record of pending.records) record.release(this.name);
  }

  #putBack(batch: Pending[]): void {
    for (const pending of batch) if (!this.#buffer.has(pending.key)) this.#buffer.set(pending.key, pending);
  }

  #stall(err: unknown): void {
    if (this.#stalled) return;
    this.#stalled = true;
    const error = DbError.from(err, 'UNAVAILABLE');
    this.#lastError = errorInfo(error, this.#hooks.now());
    this.#hooks.logger.error(`${this.name}: stopped: ${error.message}`, { module: this.name, code: error.code });
    this.#hooks.onError(error);
  }

  /** Dead-letter id of an item of this module. */
  deadLetterIdOf(item: WorkTarget): string {
    return deadLetterId(this.name, item.action, item.target);
  }

  stats(): ModuleStats {
    const settings = this.#settings();
    return {
      enabled: true,
      processed: this.#processed,
      skipped: this.#skipped,
      failed: this.#failed,
      pending: this.pending,
      running: this.#running,
      retried: this.#retried,
      breaker: this.#breaker !== undefined && this.#hooks.now() < this.#breaker.openUntil ? 'open' : 'closed',
      notes: { ...this.#notes },
      priority: settings.priority,
      batchSize: settings.batchSize,
      lastError: this.#lastError,
    };
  }

  /** Stops: waiting items are dropped (replayed from the log next time), running tasks are cancelled and awaited. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#buffer.clear();
    this.#isolated.length = 0;
    const handles = [...this.#handles];
    for (const handle of handles) {
      try {
        this.#hooks.scheduler.cancel(handle.id);
      } catch {
        // The scheduler is closed already: its tasks end on their own.
      }
    }
    await Promise.allSettled(handles.map((h) => h.done));
  }
}
