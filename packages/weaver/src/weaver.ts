import { EventEmitter } from 'node:events';
import { DbError, throwIfAborted, type ChangeEvent } from '@tabagent/common';
import { ProgressSignal } from '@tabagent/common/runtime';
import type { CommitResult } from '@tabagent/storage';
import { resolveRunSettings, resolveWeaverConfig } from './config/resolve-config.js';
import { MODULE_NAMES, type WeaverConfig } from './config/weaver-config.js';
import { storeAsChanges } from './feed/backfill.js';
import { ChangeFeed } from './feed/change-feed.js';
import { ChangeTracker, type ChangeRecord } from './feed/change-tracker.js';
import { consoleWeaverLogger, type WeaverLogger } from './logger.js';
import { GuardedMl } from './ml/guarded-ml.js';
import { AssociativeLinker } from './modules/associative-linker.js';
import { EntityLinker } from './modules/entity-linker.js';
import type { ModuleServices } from './modules/module-services.js';
import { SemanticIndexer } from './modules/semantic-indexer.js';
import { Summarizer } from './modules/summarizer.js';
import { TopicModeler } from './modules/topic-modeler.js';
import type { WeaverModule, WorkTarget } from './modules/weaver-module.js';
import { ChatLedger } from './state/chat-ledger.js';
import { DeadLetterStore, type DeadLetter } from './state/dead-letter-store.js';
import { STATE_SPACE, StateStore } from './state/state-store.js';
import { prepareText } from './text/prepared-text.js';
import type { EnrichedEvent } from './work/batch-run.js';
import { ModuleRunner } from './work/module-runner.js';
import type { WeaverOptions } from './weaver-options.js';
import type { ModuleError, ModuleStats, WeaverProgress, WeaverStats } from './weaver-stats.js';

export type WeaverStatus = 'opening' | 'open' | 'closing' | 'closed';

/** Events a weaver emits. Listeners run synchronously: keep them quick. */
export interface WeaverEvents {
  /** A module finished work that produced or changed data. */
  enriched: [event: EnrichedEvent];
  /** Throttled (`progressIntervalMs`) while work finishes, and once when the weaver becomes idle. */
  progress: [progress: WeaverProgress];
  /** Work failed every retry and was stored as a dead letter. */
  'dead-letter': [letter: DeadLetter];
  /** A background failure: reading the log, saving state, a scheduler that went away. */
  error: [error: DbError];
}

/** Options of `whenIdle`. */
export interface WhenIdleOptions {
  signal?: AbortSignal;
  /** Rejects with `TIMEOUT` after this many ms. */
  timeoutMs?: number;
}

/** The dead-letter store of a weaver. */
export interface DeadLetters {
  /** Dead letters in id order (module, action, target). */
  list(options?: { limit?: number }): Promise<DeadLetter[]>;
  /** Queues the work again (all dead letters without ids); returns how many were queued. Success removes a dead letter, failure updates it. */
  retry(ids?: readonly string[]): Promise<number>;
  /** Deletes dead letters (all without ids); returns how many were deleted. */
  purge(ids?: readonly string[]): Promise<number>;
}

const CURSOR_KEY = '~cursor';
/** Changes routed in one go before the event loop gets a turn. */
const DELIVERY_SLICE = 64;
/** Texts whose cut was logged, remembered so a text is reported once (bounded). */
const MAX_CUT_REPORTS = 10_000;

function checkOpenHandle(value: unknown, field: string, status: (v: never) => string): void {
  if (value === null || typeof value !== 'object') {
    throw new DbError('INVALID_ARGUMENT', `${field}: required`, { details: { field } });
  }
  const current = status(value as never);
  if (current !== 'open') throw new DbError('NOT_OPEN', `${field} must be open (it is ${current})`, { details: { field } });
}

/** Least time between two automatic retries of dead letters that failed for a full disk. */
const SPACE_RETRY_GAP_MS = 1_000;

/**
 * The Knowledge Weaver: consumes storage's change log from a persisted cursor and turns
 * every change into enrichment work on the task scheduler — embeddings, entities and
 * their mentions, similarity links across chats, chat summaries and topics. The cursor
 * moves only past changes whose work is done or dead-lettered, and every module is
 * idempotent, so after a crash or restart everything committed is enriched exactly
 * once in effect.
 *
 * @example
 * await using weaver = await Weaver.open({ storage, vectors, scheduler, ml });
 * await storage.insertNode({ type: 'Message', chatId, sender: 'me', role: 'user', content: 'Alice met Bob in Paris' });
 * await weaver.whenIdle();
 * weaver.stats().modules['entity-linker'].processed; // 1
 */
export class Weaver extends EventEmitter<WeaverEvents> {
  readonly config: Readonly<WeaverConfig>;
  readonly deadLetters: DeadLetters;
  readonly #options: WeaverOptions;
  readonly #logger: WeaverLogger;
  readonly #now: () => number;
  #status: WeaverStatus = 'opening';
  #closing: Promise<void> | undefined;
  #state!: StateStore;
  #ledger!: ChatLedger;
  /** A dead letter failed for a full disk: retry such letters after the next successful commit. */
  #awaitingSpace = false;
  #lastSpaceRetry = -Infinity;
  #deadLetterStore!: DeadLetterStore;
  #tracker!: ChangeTracker;
  #feed!: ChangeFeed;
  #runners: ModuleRunner[] = [];
  #routes: { runner: ModuleRunner; after: string[] }[] = [];
  #needsLedger = false;
  #dropDeletedChats = false;
  #importMode = false;
  #backfilling = false;
  #ownThrough = 0;
  #savedCursor = 0;
  #cursorTimer: NodeJS.Timeout | undefined;
  #saving: Promise<void> = Promise.resolve();
  #lastEventAt: number | undefined;
  #lastError: ModuleError | undefined;
  #lastProgressAt = 0;
  #lastProgressDone = 0;
  readonly #progress = new ProgressSignal();
  readonly #cutReported = new Set<string>();

  private constructor(options: WeaverOptions) {
    super();
    this.setMaxListeners(0); // any number of subscribers, as before (node:events warns past 10)
    checkOpenHandle(options?.storage, 'storage', (s: { status: string }) => s.status);
    checkOpenHandle(options.vectors, 'vectors', (v: { status: string }) => v.status);
    checkOpenHandle(options.scheduler, 'scheduler', (s: { status: string }) => s.status);
    checkOpenHandle(options.ml, 'ml', (m: { status: string }) => m.status);
    if (options.vectors.storage !== options.storage) {
      throw new DbError('INVALID_ARGUMENT', 'vectors: must be the vector index of the same storage', { details: { field: 'vectors' } });
    }
    const { storage: _s, vectors: _v, scheduler: _t, ml: _m, customModules: _c, logger: _l, now: _n, ...settings } = options;
    this.config = resolveWeaverConfig(settings);
    this.#options = options;
    this.#logger = options.logger ?? consoleWeaverLogger;
    this.#now = options.now ?? Date.now;
    this.deadLetters = {
      list: async (o = {}) => {
        this.#requireOpen();
        return this.#deadLetterStore.list(o.limit);
      },
      retry: (ids) => this.#retry(ids),
      purge: (ids) => this.#purge(ids),
    };
  }

  /**
   * Opens the weaver and starts consuming the change log from its persisted cursor.
   * Storage, vector index, scheduler and ML bridge must be open; they stay the caller's.
   * Bad settings are `INVALID_ARGUMENT` naming the field.
   */
  static async open(options: WeaverOptions): Promise<Weaver> {
    const weaver = new Weaver(options);
    await weaver.#open();
    return weaver;
  }

  get status(): WeaverStatus {
    return this.#status;
  }

  async #open(): Promise<void> {
    const { storage } = this.#options;
    try {
      this.#state = await StateStore.open(storage, () => this.close());
      this.#ledger = new ChatLedger(this.#state, storage);
      this.#deadLetterStore = new DeadLetterStore(this.#state);
      await this.#deadLetterStore.load();
      // The durable cursor lives with storage; earlier versions kept it in the weaver's state.
      let cursor = storage.cursors[STATE_SPACE] ?? this.#state.get<number>(CURSOR_KEY) ?? 0;
      if (cursor > storage.lastSeq) {
        this.#logger.warn(`saved cursor ${cursor} is ahead of the change log (${storage.lastSeq}); starting at its end`, { cursor, lastSeq: storage.lastSeq });
        cursor = storage.lastSeq;
      }
      this.#savedCursor = cursor;
      this.#buildModules();
      this.#tracker = new ChangeTracker(
        cursor,
        () => this.#cursorMoved(),
        () => this.#settled(),
      );
      this.#feed = new ChangeFeed(
        this.#state.context,
        {
          saturated: () => this.#tracker.pending + this.#tracker.untrackedPending >= this.config.maxPendingChanges,
          deliver: (events) => this.#deliver(events),
          backfill: (after, first) => this.#backfill(after, first),
          onError: (error) => this.#backgroundError(error, 'reading the change log failed'),
        },
        cursor,
        this.config.readBatchSize,
      );
    } catch (err) {
      this.#status = 'closed';
      throw DbError.from(err);
    }
    this.#status = 'open';
    // Work that failed for a full disk is retried by itself once a commit succeeds again.
    this.#awaitingSpace = (await this.#deadLetterStore.list()).some((l) => l.error.code === 'DISK_FULL');
    storage.on('commit', this.#retryAfterSpaceReturns);
    this.#feed.start();
  }

  /** A commit succeeded: the disk has room again, so dead letters that failed for space are retried (at most once a second). */
  readonly #retryAfterSpaceReturns = (): void => {
    if (!this.#awaitingSpace || this.#status !== 'open') return;
    const now = performance.now();
    if (now - this.#lastSpaceRetry < SPACE_RETRY_GAP_MS) return;
    this.#lastSpaceRetry = now;
    this.#awaitingSpace = false;
    void (async () => {
      const letters = (await this.#deadLetterStore.list()).filter((l) => l.error.code === 'DISK_FULL');
      if (letters.length === 0) return;
      const queued = await this.#retry(letters.map((l) => l.id));
      this.#logger.info(`disk space is back: retrying ${queued} dead letters that failed for a full disk`, { queued });
    })().catch((err: unknown) => this.#backgroundError(DbError.from(err), 'retrying dead letters after a full disk failed'));
  };

  #services(): ModuleServices {
    const { storage, vectors, ml } = this.#options;
    return {
      storage,
      vectors,
      ml: new GuardedMl(ml, this.config.mlTimeoutMs),
      ledger: this.#ledger,
      logger: this.#logger,
      now: this.#now,
      prepare: (nodeId, text, module) => {
        const prepared = prepareText(text, this.config.maxTextLength);
        const key = `${nodeId}\u0000${prepared.hash}`;
        if (prepared.truncated && !this.#cutReported.has(key)) {
          if (this.#cutReported.size >= MAX_CUT_REPORTS) this.#cutReported.clear();
          this.#cutReported.add(key);
          this.#logger.warn(`text of ${nodeId} cut from ${prepared.originalLength} to ${prepared.text.length} characters (maxTextLength)`, {
            module,
            nodeId,
            textLength: prepared.originalLength,
            keptLength: prepared.text.length,
          });
        }
        return prepared;
      },
    };
  }

  #buildModules(): void {
    const services = this.#services();
    const { modules } = this.config;
    const builtins: WeaverModule[] = [
      new SemanticIndexer(modules['semantic-indexer'], services),
      new EntityLinker(modules['entity-linker'], services),
      new AssociativeLinker(modules['associative-linker'], services),
      new Summarizer(modules.summarizer, services),
      new TopicModeler(modules['topic-modeler'], services),
    ];
    const custom = (this.#options.customModules ?? []).map((module, i) => {
      const field = `customModules.${i}`;
      if (module === null || typeof module !== 'object' || typeof module.name !== 'string' || module.name === '') {
        throw new DbError('INVALID_ARGUMENT', `${field}.name: expected a non-empty module name`, { details: { field: `${field}.name` } });
      }
      if (typeof module.route !== 'function' || typeof module.process !== 'function') {
        throw new DbError('INVALID_ARGUMENT', `${field}: a module needs route() and process()`, { details: { field } });
      }
      resolveRunSettings(module.settings, `${field}.settings`);
      return module;
    });
    const names = new Set<string>();
    for (const module of [...builtins, ...custom]) {
      if (names.has(module.name)) throw new DbError('INVALID_ARGUMENT', `customModules: a module named ${module.name} already exists`, { details: { field: 'customModules' } });
      names.add(module.name);
    }
    const enabled = [...builtins, ...custom].filter((m) => m.settings.enabled);
    const hooks = {
      scheduler: this.#options.scheduler,
      deadLetters: this.#deadLetterStore,
      logger: this.#logger,
      now: this.#now,
      onCommit: (result: CommitResult) => {
        if (result.lastSeq > this.#ownThrough) this.#ownThrough = result.lastSeq;
      },
      onEnriched: (event: EnrichedEvent) => this.emit('enriched', event),
      onDeadLetter: (letter: DeadLetter) => {
        if (letter.error.code === 'DISK_FULL') this.#awaitingSpace = true;
        this.emit('dead-letter', letter);
      },
      onError: (error: DbError) => this.#backgroundError(error, 'a module failed in the background'),
      onHandOff: (change: ChangeEvent, records: readonly ChangeRecord[], from: string) => {
        for (const { runner } of this.#routes) {
          if (runner.name === from) continue;
          for (const target of this.#targets(runner, change)) runner.enqueue(target, change, records);
        }
      },
    };
    const enabledNames = new Set(enabled.map((m) => m.name));
    this.#runners = enabled.map((module) => new ModuleRunner(module, hooks));
    this.#routes = this.#runners.map((runner) => ({ runner, after: (runner.module.after ?? []).filter((name) => enabledNames.has(name)) }));
    this.#needsLedger = enabledNames.has('summarizer') || enabledNames.has('topic-modeler');
    this.#dropDeletedChats = !enabledNames.has('summarizer');
  }

  // ---------------------------------------------------------------- routing

  async #deliver(events: readonly ChangeEvent[]): Promise<void> {
    this.#lastEventAt = events[events.length - 1]!.at;
    // In slices, with the event loop free in between: a long stretch of the log must not
    // hold up a user's request.
    for (let start = 0; start < events.length; start += DELIVERY_SLICE) {
      if (start > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const slice = events.slice(start, start + DELIVERY_SLICE);
      if (this.#needsLedger) await this.#ledger.apply(slice, this.#dropDeletedChats);
      for (const event of slice) this.#route(this.#tracker.open(event));
    }
  }

  #targets(runner: ModuleRunner, change: ChangeEvent): readonly WorkTarget[] {
    try {
      const targets = runner.module.route(change);
      if (targets === undefined) return [];
      return Array.isArray(targets) ? targets : [targets as WorkTarget];
    } catch (err) {
      this.#backgroundError(DbError.from(err), `${runner.name}: route() threw on change ${change.seq}`);
      return [];
    }
  }

  #route(record: ChangeRecord): void {
    const waiting: { runner: ModuleRunner; targets: readonly WorkTarget[]; after: string[] }[] = [];
    for (const { runner, after } of this.#routes) {
      const targets = this.#targets(runner, record.change);
      if (targets.length === 0) continue;
      if (after.length > 0) waiting.push({ runner, targets, after });
      else for (const target of targets) runner.enqueue(target, record.change, [record]);
    }
    for (const { runner, targets, after } of waiting) {
      if (!record.busy(after)) {
        for (const target of targets) runner.enqueue(target, record.change, [record]);
        continue;
      }
      runner.deferred(targets.length);
      record.defer(runner.name, after, () => {
        runner.deferred(-targets.length);
        for (const target of targets) runner.enqueue(target, record.change, [record]);
      });
    }
    record.endRouting();
  }

  async #backfill(after: number, firstInLog: number): Promise<number> {
    const { storage } = this.#options;
    this.#logger.warn(`the change log was compacted past the weaver's cursor (${after}; the log starts at ${firstInLog}): re-reading the whole store`, {
      cursor: after,
      firstInLog,
    });
    this.#backfilling = true;
    try {
      await this.#until(() => this.#tracker.pending === 0);
      const seq = storage.lastSeq;
      for await (const events of storeAsChanges(storage, seq, this.#now())) {
        if (this.#status !== 'open') return after;
        await this.#until(() => this.#tracker.untrackedPending < this.config.maxPendingChanges);
        if (this.#needsLedger) await this.#ledger.apply(events, this.#dropDeletedChats);
        for (const event of events) this.#route(this.#tracker.openUntracked(event));
      }
      await this.#until(() => this.#tracker.untrackedPending === 0);
      if (this.#status !== 'open') return after;
      this.#tracker.jumpTo(seq);
      return seq;
    } finally {
      this.#backfilling = false;
    }
  }

  /** Resolves once `condition` holds (checked whenever work finishes), or the weaver stops. */
  async #until(condition: () => boolean): Promise<void> {
    while (!condition() && this.#status === 'open') await this.#progress.next(1_000);
  }

  // ---------------------------------------------------------------- progress and cursor

  #settled(): void {
    this.#feed.wake();
    this.#progress.notify();
    const now = performance.now();
    const idle = this.#tracker.pending === 0 && this.#tracker.untrackedPending === 0;
    if (idle || now - this.#lastProgressAt >= this.config.progressIntervalMs) this.#emitProgress(now, idle);
  }

  #emitProgress(now: number, idle: boolean): void {
    if (this.listenerCount('progress') === 0) return;
    const done = this.#tracker.doneThrough;
    // An idle weaver reports once, not on every lone change.
    if (idle && done === this.#lastProgressDone && now - this.#lastProgressAt < this.config.progressIntervalMs) return;
    const elapsed = (now - this.#lastProgressAt) / 1000;
    const progress: WeaverProgress = {
      cursor: done,
      headSeq: this.#headSeq(),
      lag: Math.max(0, this.#headSeq() - done),
      queueDepth: this.#queueDepth(),
      processed: this.#runners.reduce((sum, r) => sum + r.processed, 0),
      deadLetters: this.#deadLetterStore.count,
      importMode: this.#importMode,
      changesPerSecond: elapsed > 0 && this.#lastProgressAt > 0 ? Math.round((done - this.#lastProgressDone) / elapsed) : 0,
    };
    this.#lastProgressAt = now;
    this.#lastProgressDone = done;
    this.emit('progress', progress);
  }

  #cursorMoved(): void {
    if (this.#cursorTimer !== undefined) return;
    const delay = this.#tracker.pending === 0 ? 0 : this.config.cursorFlushMs;
    this.#cursorTimer = setTimeout(() => {
      this.#cursorTimer = undefined;
      void this.#saveCursor();
    }, delay);
  }

  /** Saves the cursor (serialised: saves never overtake each other). */
  #saveCursor(): Promise<void> {
    this.#saving = this.#saving.then(async () => {
      const cursor = this.#tracker.doneThrough;
      if (cursor <= this.#savedCursor || this.#options.storage.status === 'closed') return;
      try {
        await this.#feed.ack(cursor);
        if (this.#state.has(CURSOR_KEY)) await this.#state.write([{ type: 'del', key: CURSOR_KEY }]);
        this.#savedCursor = cursor;
      } catch (err) {
        this.#backgroundError(DbError.from(err), 'saving the cursor failed');
      }
    });
    return this.#saving;
  }

  #backgroundError(error: DbError, what: string): void {
    if (this.#status !== 'open') return;
    this.#lastError = { code: error.code, message: error.message, at: this.#now() };
    this.#logger.error(`${what}: ${error.message}`, { code: error.code });
    // node:events throws an unheard 'error': a background failure must not crash the process.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  #headSeq(): number {
    const { storage } = this.#options;
    return storage.status === 'open' ? storage.lastSeq : this.#tracker.doneThrough;
  }

  #queueDepth(): number {
    return this.#runners.reduce((sum, r) => sum + r.pending, 0);
  }

  // ---------------------------------------------------------------- public API

  #requireOpen(): void {
    if (this.#status !== 'open') throw new DbError('NOT_OPEN', `the weaver is ${this.#status}`);
  }

  /** Per-module counters, queue depth, dead letters, lag behind the log and the cursor. */
  stats(): WeaverStats {
    const modules: Record<string, ModuleStats> = {};
    const byName = new Map(this.#runners.map((r) => [r.name, r]));
    const names = [...MODULE_NAMES, ...(this.#options.customModules ?? []).map((m) => m.name)];
    let lastEnrichedAt: number | undefined;
    for (const name of names) {
      const runner = byName.get(name);
      if (runner === undefined) {
        const settings = (this.config.modules as unknown as Record<string, { priority: 'normal' | 'low'; batchSize: number } | undefined>)[name];
        modules[name] = {
          enabled: false,
          processed: 0,
          skipped: 0,
          failed: 0,
          pending: 0,
          running: 0,
          retried: 0,
          breaker: 'closed',
          notes: {},
          priority: settings?.priority ?? 'normal',
          batchSize: settings?.batchSize ?? 0,
          lastError: undefined,
        };
        continue;
      }
      modules[name] = runner.stats();
      if (runner.lastDoneAt !== undefined && (lastEnrichedAt === undefined || runner.lastDoneAt > lastEnrichedAt)) lastEnrichedAt = runner.lastDoneAt;
    }
    const ready = this.#tracker !== undefined;
    const cursor = ready ? this.#tracker.doneThrough : 0;
    const headSeq = ready ? this.#headSeq() : 0;
    return {
      status: this.#status,
      importMode: this.#importMode,
      cursor,
      headSeq,
      lag: Math.max(0, headSeq - cursor),
      inFlightChanges: ready ? this.#tracker.pending + this.#tracker.untrackedPending : 0,
      queueDepth: this.#queueDepth(),
      deadLetters: this.#deadLetterStore?.count ?? 0,
      lastEventAt: this.#lastEventAt,
      lastEnrichedAt,
      backfilling: this.#backfilling,
      modules,
      lastError: this.#lastError,
    };
  }

  /**
   * Resolves when every change up to the current head is done or dead-lettered — and the
   * work those changes caused (the weaver's own writes) too. `TIMEOUT` after `timeoutMs`,
   * `ABORTED` on the signal, `NOT_OPEN` if the weaver closes first.
   */
  async whenIdle(options: WhenIdleOptions = {}): Promise<void> {
    this.#requireOpen();
    const deadline = options.timeoutMs === undefined ? Infinity : performance.now() + options.timeoutMs;
    let target = this.#headSeq();
    for (;;) {
      this.#requireOpen();
      if (this.#tracker.doneThrough >= target && this.#tracker.untrackedPending === 0 && !this.#backfilling) {
        const next = Math.max(target, this.#ownThrough);
        if (next === target) return;
        target = next;
        continue;
      }
      throwIfAborted(options.signal, 'whenIdle aborted');
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        throw new DbError('TIMEOUT', `the weaver is not idle yet (cursor ${this.#tracker.doneThrough}, waiting for ${target})`, {
          details: { cursor: this.#tracker.doneThrough, target },
        });
      }
      await this.#progress.next(Math.min(remaining, 1_000), options.signal);
    }
  }

  /**
   * Bulk-import mode: every module works in batches `import.batchFactor` times larger, at
   * `import.priority` (low: only while the user is idle), and `progress` events report
   * how far enrichment got. Turn it off when the import is done.
   */
  importMode(on: boolean): void {
    this.#requireOpen();
    if (typeof on !== 'boolean') throw new DbError('INVALID_ARGUMENT', 'importMode: expected true or false', { details: { field: 'on' } });
    this.#importMode = on;
    for (const runner of this.#runners) runner.setImportMode(on ? this.config.import : undefined);
    this.#emitProgress(performance.now(), false);
  }

  async #retry(ids: readonly string[] | undefined): Promise<number> {
    this.#requireOpen();
    const letters = await this.#deadLetterStore.select(ids);
    const runners = new Map(this.#runners.map((r) => [r.name, r]));
    let queued = 0;
    for (const letter of letters) {
      const runner = runners.get(letter.module);
      if (runner === undefined) continue; // the module is disabled: nothing could run it
      const record = this.#tracker.openUntracked(letter.change);
      runner.enqueue({ action: letter.action, target: letter.target }, letter.change, [record], letter.id);
      record.endRouting();
      queued++;
    }
    return queued;
  }

  async #purge(ids: readonly string[] | undefined): Promise<number> {
    this.#requireOpen();
    const letters = await this.#deadLetterStore.select(ids);
    return this.#deadLetterStore.remove(letters.map((l) => l.id));
  }

  /**
   * Stops reading the log, cancels running work (it is redone from the log next time),
   * saves the cursor. Idempotent. Storage, vector index, scheduler and ML bridge stay open.
   */
  close(): Promise<void> {
    if (this.#status === 'closed') return Promise.resolve();
    if (this.#closing !== undefined) return this.#closing;
    this.#status = 'closing';
    this.#options.storage.off('commit', this.#retryAfterSpaceReturns);
    this.#closing = (async () => {
      try {
        await this.#feed?.stop();
        await Promise.allSettled(this.#runners.map((r) => r.close()));
        if (this.#cursorTimer !== undefined) clearTimeout(this.#cursorTimer);
        this.#cursorTimer = undefined;
        if (this.#tracker !== undefined) await this.#saveCursor();
        this.#state?.detach();
      } finally {
        this.#status = 'closed';
        this.#closing = undefined;
        this.#progress.notify();
      }
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
