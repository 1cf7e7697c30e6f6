import type { ChangeEntity, ChangeOp, Edge, Embedding, Node } from '@tabagent/common';

/** A record as it was before and after one change. */
export type RecordChange =
  | { entity: 'node'; op: ChangeOp; id: string; seq: number; before?: Node; after?: Node }
  | { entity: 'edge'; op: ChangeOp; id: string; seq: number; before?: Edge; after?: Edge }
  | { entity: 'embedding'; op: ChangeOp; id: string; seq: number; before?: Embedding; after?: Embedding };

export type { ChangeEntity };

/** Writes index entries into the hook's own key space, inside the data's batch. */
export interface IndexBatch {
  put(key: string, value: Uint8Array): void;
  del(key: string): void;
}

/**
 * Lets another package (indexing) add entries to the very batch that writes the data,
 * so readers never see a record without its index entries. Storage never imports it.
 *
 * @example
 * const byChat: IndexHook = {
 *   name: 'by-chat',
 *   apply(changes, batch) {
 *     for (const c of changes) if (c.entity === 'node' && c.after?.type === 'Message')
 *       batch.put(`${c.after.chatId}\0${c.id}`, new Uint8Array());
 *   },
 * };
 */
export interface IndexHook {
  /** Unique name; also the name of the hook's key space (`storage.indexStore(name)`). */
  readonly name: string;
  /**
   * Called under the write lock with every change of one commit, in order. May read
   * committed data (including its own key space); must not write anywhere else.
   * Throwing fails the whole commit: nothing is written.
   */
  apply(changes: readonly RecordChange[], batch: IndexBatch): void | Promise<void>;
}
