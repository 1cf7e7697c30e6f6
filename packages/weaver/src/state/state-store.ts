import { DbError } from '@tabagent/common';
import { decodeRecord, encodeRecord, type Extension, type ExtensionContext, type Storage, type Sublevel } from '@tabagent/storage';

/** Name of the weaver's storage extension: its key space and its durable change-log cursor. */
export const STATE_SPACE = 'weaver';

/** One write of a state batch. */
export type StateOp = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

/**
 * The weaver's own persisted state — chat ledger, dead letters — in the key space of a
 * `state` storage extension (never cleared by a reindex), and its context, through which
 * the weaver follows the change log with a durable cursor. Values are MessagePack; writes
 * honour the storage's durability. The weaver's writes follow the data they describe,
 * never precede it.
 */
export class StateStore implements Extension {
  readonly name = STATE_SPACE;
  readonly kind = 'state';
  readonly #storage: Storage;
  readonly #onClose: () => Promise<void>;
  #context: ExtensionContext | undefined;

  private constructor(storage: Storage, onClose: () => Promise<void>) {
    this.#storage = storage;
    this.#onClose = onClose;
  }

  /**
   * Opens the weaver's key space as an extension of the open storage; `onClose` runs when
   * the storage closes first (the weaver stops and saves its cursor while it still can).
   */
  static async open(storage: Storage, onClose: () => Promise<void> = async () => {}): Promise<StateStore> {
    if (storage.status !== 'open') throw new DbError('NOT_OPEN', 'the storage must be open before the weaver');
    const store = new StateStore(storage, onClose);
    await storage.addExtension(store);
    return store;
  }

  /** Called by storage. */
  open(context: ExtensionContext): void {
    this.#context = context;
  }

  /** Called by storage before it closes. */
  async close(): Promise<void> {
    await this.#onClose();
  }

  /** The extension's context (its change-log follower, snapshots). */
  get context(): ExtensionContext {
    if (this.#context === undefined) throw new DbError('NOT_OPEN', 'the weaver state is not open');
    return this.#context;
  }

  /** Forgets the extension when the weaver closes before the storage (a new weaver may open on it). */
  detach(): void {
    if (this.#context !== undefined && this.#storage.status === 'open') this.#storage.detachExtension(this);
  }

  get #space(): Sublevel {
    return this.context.keyspace;
  }

  #check(): void {
    if (this.#storage.status === 'closed') throw new DbError('NOT_OPEN', 'the storage was closed under the weaver');
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
    await this.context.write(ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: encodeRecord(op.value) } : op)));
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
