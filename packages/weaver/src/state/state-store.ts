import { DbError } from '@tabagent/common';
import { decodeRecord, encodeRecord, type IndexHook, type Storage, type Sublevel } from '@tabagent/storage';

/** Name of the weaver's key space in the storage (a key space of its own, next to the indexes'). */
export const STATE_SPACE = 'weaver';

/** One write of a state batch. */
export type StateOp = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

/**
 * The weaver's own persisted state — cursor, chat ledger, dead letters — in a key space
 * of the storage's LevelDB, reached through storage's index-hook API (the hook itself
 * writes nothing: the weaver's writes follow the data they describe, never precede it).
 * Values are MessagePack; writes are `sync` when the storage's durability is.
 */
export class StateStore {
  readonly #storage: Storage;
  readonly #space: Sublevel;

  private constructor(storage: Storage, space: Sublevel) {
    this.#storage = storage;
    this.#space = space;
  }

  /** Opens the weaver's key space, registering it on first use of this storage. */
  static async open(storage: Storage): Promise<StateStore> {
    if (storage.status !== 'open') throw new DbError('NOT_OPEN', 'the storage must be open before the weaver');
    let space: Sublevel;
    try {
      space = storage.indexStore(STATE_SPACE);
    } catch (err) {
      if (!DbError.is(err, 'NOT_FOUND')) throw err;
      const hook: IndexHook = { name: STATE_SPACE, apply: () => undefined };
      await storage.addIndexHook(hook);
      space = storage.indexStore(STATE_SPACE);
    }
    return new StateStore(storage, space);
  }

  #check(): void {
    if (this.#storage.status !== 'open') throw new DbError('NOT_OPEN', 'the storage was closed under the weaver');
  }

  get<T>(key: string): T | undefined {
    this.#check();
    const bytes = this.#space.getSync(key);
    return bytes === undefined ? undefined : decodeRecord<T>(bytes, key);
  }

  has(key: string): boolean {
    this.#check();
    return this.#space.getSync(key) !== undefined;
  }

  async write(ops: readonly StateOp[]): Promise<void> {
    if (ops.length === 0) return;
    this.#check();
    const levelOps = ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: encodeRecord(op.value) } : op));
    // classic-level takes `sync` (fsync this write), which abstract-level's option type does not list.
    if (this.#storage.options.durability === 'sync') await this.#space.batch(levelOps, { sync: true } as never);
    else await this.#space.batch(levelOps);
  }

  put(key: string, value: unknown): Promise<void> {
    return this.write([{ type: 'put', key, value }]);
  }

  /** Keys (and values) in `[gte, lt)`, in key order (or reversed), at most `limit`. */
  async entries<T>(range: { gte: string; lt: string; limit?: number; reverse?: boolean }): Promise<[string, T][]> {
    this.#check();
    const entries = await this.#space.iterator({ gte: range.gte, lt: range.lt, limit: range.limit ?? -1, reverse: range.reverse ?? false }).all();
    return entries.map(([key, value]) => [key, decodeRecord<T>(value, key)]);
  }

  async keys(range: { gte: string; lt: string; limit?: number; reverse?: boolean }): Promise<string[]> {
    this.#check();
    return this.#space.keys({ gte: range.gte, lt: range.lt, limit: range.limit ?? -1, reverse: range.reverse ?? false }).all();
  }

  /** Number of keys in `[gte, lt)`. */
  async count(range: { gte: string; lt: string }): Promise<number> {
    return (await this.keys(range)).length;
  }
}

/** The key range of every key starting with `prefix`. */
export function prefixRange(prefix: string): { gte: string; lt: string } {
  return { gte: prefix, lt: `${prefix}\uffff` };
}
