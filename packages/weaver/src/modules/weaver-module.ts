import type { ChangeEvent } from '@tabagent/common';
import type { CommitResult, WriteBatch } from '@tabagent/storage';
import type { ModuleRunSettings } from '../config/weaver-config.js';

/** What a module is asked to do, and to what. */
export interface WorkTarget {
  /** The kind of work (`embed`, `link`, `gc`, …); one module may do several. */
  action: string;
  /** What to do it to: a node id, an entity id, a chat id. */
  target: string;
}

/**
 * One piece of work of one module. Work asked for by several changes before it ran is
 * done once: `change` is the latest of them.
 */
export interface WorkItem extends WorkTarget {
  readonly module: string;
  /** The latest change that asked for this work. */
  readonly change: ChangeEvent;
}

/** Details of an `enriched` event. */
export interface EnrichedDetail {
  /** The node the work was about (the summary for the summarizer, the chat for the topic modeler). */
  nodeId: string;
  /** Its node kind. */
  kind: string;
  chatId?: string;
  [key: string]: unknown;
}

/** What a module gets while it works on one batch. */
export interface ModuleRunContext {
  /** Aborted when the run should stop: preempted (the user became active), timed out, or the weaver closing. */
  readonly signal: AbortSignal;
  /** 1 for the first run of this batch, 2 for its first retry, … */
  readonly attempt: number;
  /**
   * Commits a write batch of the module with the run's signal, and remembers its
   * change-log range (so `whenIdle` also waits for the work these writes cause).
   */
  commit(batch: WriteBatch): Promise<CommitResult>;
  /** Reports that an item produced or changed data; sent as an `enriched` event once the batch succeeded. */
  enriched(item: WorkItem, detail: EnrichedDetail): void;
  /** Marks an item as needing no work (counted as skipped, not processed). */
  skipped(item: WorkItem): void;
  /** Fails one item without failing the batch: it is tried once more on its own, then dead-lettered. */
  fail(item: WorkItem, error: unknown): void;
  /** Counts a noteworthy event (for example `truncated`) in the module's stats. */
  note(name: string): void;
  /**
   * Lets the event loop run when this run has kept it busy for a couple of milliseconds,
   * so a user's request never waits behind a long batch; otherwise returns at once.
   * Call it between items. Rejects when the run should stop (preempted, timed out, closing).
   */
  breathe(): Promise<void>;
  /**
   * Passes a change this run committed straight on to the other modules, as if it had
   * been read from the log (the log still delivers it later; modules skip work already
   * done). The item counts as unfinished until their work is, so a crash replays both.
   * The semantic indexer hands its embeddings to the associative linker this way, so
   * linking overlaps with embedding instead of waiting for the log to reach them.
   */
  handOff(item: WorkItem, change: ChangeEvent): void;
}

/**
 * A unit of enrichment. The built-in modules implement it, and so can an application's
 * own (pass them as `customModules`). `route` is called on the main thread for every
 * change of the log and must be quick; `process` does the work for a batch of items in a
 * scheduler task and must be idempotent: after a crash, work may be done again.
 *
 * @example
 * const wordCounter: WeaverModule = {
 *   name: 'word-counter',
 *   settings: { ...DEFAULT_RUN_SETTINGS },
 *   route: (change) => (change.entity === 'node' && change.kind === 'Message' && change.op === 'insert' ? { action: 'count', target: change.id } : undefined),
 *   async process(items, ctx) { for (const item of items) ctx.skipped(item); },
 * };
 */
export interface WeaverModule {
  /** Unique name, used in stats, events and dead letters. */
  readonly name: string;
  readonly settings: ModuleRunSettings;
  /**
   * Modules whose work for the same change must finish (or be dead-lettered) before
   * this module's starts — the topic modeler waits for the entity linker.
   */
  readonly after?: readonly string[];
  /** The work a change asks of this module, if any. */
  route(change: ChangeEvent): readonly WorkTarget[] | WorkTarget | undefined;
  /** Does the work. Throwing fails the whole batch (retried, then item by item). */
  process(items: readonly WorkItem[], ctx: ModuleRunContext): Promise<void>;
}
