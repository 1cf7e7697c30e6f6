import type { DbError } from '@tabagent/common';
import type { ChangeEntity, ChangeEvent, ChangeOp, Edge, Embedding, Node } from '@tabagent/common';
import type { ClassicLevel } from 'classic-level';
import type { ChangeConsumer, ConsumeOptions } from './change-consumer.js';
import type { Sublevel } from './engine.js';
import type { Storage } from './storage.js';

/** A record as it was before and after one change. */
export type RecordChange =
  | { entity: 'node'; op: ChangeOp; id: string; seq: number; before?: Node; after?: Node }
  | { entity: 'edge'; op: ChangeOp; id: string; seq: number; before?: Edge; after?: Edge }
  | { entity: 'embedding'; op: ChangeOp; id: string; seq: number; before?: Embedding; after?: Embedding };

export type { ChangeEntity, ChangeEvent };

/** Writes an extension's entries into its own key space, inside the data's batch. */
export interface ExtensionBatch {
  put(key: string, value: Uint8Array): void;
  del(key: string): void;
}

/**
 * `derived`: everything in its key space can be rebuilt from the data (indexes) — a
 * reindex may clear it. `state`: it cannot (cursors, ledgers, dead letters) — nothing
 * but the extension itself ever clears it.
 */
export type ExtensionKind = 'derived' | 'state';

/** A consistent, read-only view of the whole database between two commits. */
export interface StorageSnapshot {
  /** Sequence number of the last commit the snapshot includes. */
  readonly seq: number;
  /** Pass as `snapshot` in an iterator's options (of the extension's key space, say). */
  readonly handle: ReturnType<ClassicLevel<string, Uint8Array>['snapshot']>;
  close(): Promise<void>;
}

/** What storage gives an extension when it opens it. */
export interface ExtensionContext {
  /** The extension's name. */
  readonly name: string;
  /** The storage: its read API (`getNodes`, `scanNodes`, `readChanges`, `lastSeq` …). */
  readonly storage: Storage;
  /**
   * The extension's own key space. Reads and iteration as abstract-level offers them;
   * writes outside a commit go through {@link ExtensionContext.write}.
   */
  readonly keyspace: Sublevel;
  /** Writes to the key space outside a commit, honouring the storage's durability. */
  write(ops: readonly ({ type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string })[]): Promise<void>;
  /** A consistent snapshot, taken between commits; close it when done. */
  snapshot(): Promise<StorageSnapshot>;
  /** Runs `fn` while no commit is in flight and none can start (rebuilds, verification). */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T>;
  /**
   * Follows the change log: stretches read from the log while behind, live commits
   * (with the records before and after) once caught up. A `durable` consumer's cursor
   * is persisted by `ack(seq)`; storage keeps the log after the lowest durable cursor
   * and compacts the rest by itself.
   */
  consume(options: ConsumeOptions): ChangeConsumer;
  /**
   * Runs a rebuild of a derived extension under a durable "rebuild in progress" marker:
   * if the process dies (or `fn` throws) before it finishes, the next open calls the
   * extension's `rebuild()` again before anything reads it, and says so in `warnings`.
   */
  rebuilding<T>(fn: () => Promise<T>): Promise<T>;
  /** Reports a problem found (and repaired): see `Storage.reportWarning`. */
  warn(warning: DbError, options?: { incident?: boolean }): Promise<void>;
}

/**
 * Anything built on storage — indexes, the weaver's state, exporters, replication.
 * Storage opens extensions in order after itself, closes them in reverse before itself,
 * calls `apply` under the write lock with every commit, and gives each a key space.
 *
 * Model: abstract-level's sublevels, hooks and `attachResource`.
 *
 * @example
 * const byChat: Extension = {
 *   name: 'by-chat',
 *   kind: 'derived',
 *   apply(changes, batch) {
 *     for (const c of changes) if (c.entity === 'node' && c.after?.type === 'Message')
 *       batch.put(`${c.after.chatId}\0${c.id}`, new Uint8Array());
 *   },
 * };
 * await using storage = await Storage.open(dir, { extensions: [byChat] });
 */
export interface Extension {
  /** Unique name; also names its key space and its durable cursor. */
  readonly name: string;
  readonly kind: ExtensionKind;
  /**
   * Called under the write lock with every change of one commit, in order. May read
   * committed data (its own key space too); writes only through `batch`, which lands in
   * the data's atomic batch. Throwing fails the whole commit: nothing is written.
   */
  apply?(changes: readonly RecordChange[], batch: ExtensionBatch): void | Promise<void>;
  /** Called once the storage is open (or when the extension is added to an open one). */
  open?(context: ExtensionContext): void | Promise<void>;
  /** Called before the storage closes, in reverse order of opening. */
  close?(): void | Promise<void>;
  /** Compares what the extension holds with the data. */
  verify?(options?: { signal?: AbortSignal }): Promise<unknown>;
  /** Rebuilds a `derived` extension from the data. */
  rebuild?(options?: { signal?: AbortSignal }): Promise<unknown>;
}
