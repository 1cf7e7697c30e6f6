import { DbError, type Edge, type Node } from '@tabagent/common';
import { decodeRecord, encodeRecord, storageError, type Extension, type ExtensionBatch, type ExtensionContext, type RecordChange, type Storage, type Sublevel } from '@tabagent/storage';

/** A record an entry index covers. */
export type IndexedRecord = { entity: 'node'; record: Node } | { entity: 'edge'; record: Edge };

/** Index entries: key → value bytes. */
export type Entries = Map<string, Uint8Array>;

/** Options of an index's `rebuild()`. */
export interface RebuildOptions {
  signal?: AbortSignal;
  /** Called after each batch written, with the entries (documents, for the keyword index) written so far. */
  onProgress?: (written: number) => void;
}

/** What `verify()` found for one index. */
export interface DriftReport {
  index: string;
  /** Entries the data implies but the index lacks. */
  missing: number;
  /** Entries the index has but the data does not imply. */
  extra: number;
  /** Entries present with a wrong value. */
  mismatched: number;
  /** A few offending keys, for diagnosis. */
  examples: string[];
  ok: boolean;
}

const EMPTY = new Uint8Array(0);
export { EMPTY as EMPTY_VALUE };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Where an entry index keeps the version of its entry rules. */
const VERSION_KEY = '~version';

/**
 * An index whose entries are a pure function of single records: the hook writes the
 * difference between a record's entries before and after each change, and verify /
 * rebuild recompute the entries of every record. Structural and graph indexes are this.
 */
export abstract class EntryIndex implements Extension {
  abstract readonly name: string;
  readonly kind = 'derived';
  protected storage: Storage | undefined;
  protected context: ExtensionContext | undefined;

  /** The entries one record contributes. */
  protected abstract entriesFor(item: IndexedRecord, into: Entries): void;

  /** Which record kinds this index covers. */
  protected abstract readonly covers: { nodes: boolean; edges: boolean };

  /**
   * Version of the entry rules. Stored as `~version`; an index opened on entries of an
   * older version (or of none, when this is above 1) rebuilds itself, so a release that
   * indexes more migrates existing databases.
   */
  protected readonly version: number = 1;

  /** Called by storage: binds the index to its key space; builds it when it is missing while the database holds data. */
  async open(context: ExtensionContext): Promise<void> {
    this.context = context;
    this.storage = context.storage;
    await this.afterOpen();
    const [anyEntry] = await context.keyspace.keys({ limit: 1 }).all();
    const stored = await context.keyspace.get(VERSION_KEY);
    const version = stored === undefined ? 1 : decodeRecord<number>(stored, VERSION_KEY);
    if ((anyEntry === undefined || anyEntry === VERSION_KEY || version !== this.version) && context.storage.lastSeq > 0) await this.rebuild();
    else if (stored === undefined || version !== this.version) await context.keyspace.put(VERSION_KEY, encodeRecord(this.version));
  }

  /** Called by storage before it closes. */
  close(): void | Promise<void> {}

  /** Lets an index start in-memory state once its key space is open. */
  protected async afterOpen(): Promise<void> {}

  protected get store(): Sublevel {
    if (this.context === undefined) throw new DbError('NOT_OPEN', `index ${this.name} is not open`);
    return this.context.keyspace;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.context === undefined) throw new DbError('NOT_OPEN', `index ${this.name} is not open`);
    // LevelDB's failures (damaged files, a full disk) leave with their codes.
    return this.context.exclusive(fn).catch((err: unknown) => {
      throw storageError(err, `index ${this.name}`);
    });
  }

  #entriesOf(entity: RecordChange['entity'], record: unknown): Entries {
    const entries: Entries = new Map();
    if (record === undefined) return entries;
    if (entity === 'node' && this.covers.nodes) this.entriesFor({ entity, record: record as Node }, entries);
    if (entity === 'edge' && this.covers.edges) this.entriesFor({ entity, record: record as Edge }, entries);
    return entries;
  }

  apply(changes: readonly RecordChange[], batch: ExtensionBatch): void {
    for (const change of changes) {
      if (change.entity === 'embedding') continue;
      if (change.before === undefined) {
        // An insert (the common case): every entry is new, nothing to compare with.
        for (const [key, value] of this.#entriesOf(change.entity, change.after)) batch.put(key, value);
        continue;
      }
      const before = this.#entriesOf(change.entity, change.before);
      const after = this.#entriesOf(change.entity, change.after);
      for (const key of before.keys()) if (!after.has(key)) batch.del(key);
      for (const [key, value] of after) {
        const old = before.get(key);
        if (old === undefined || !sameBytes(old, value)) batch.put(key, value);
      }
    }
  }

  /** The entries the stored data implies. */
  async expectedEntries(signal?: AbortSignal): Promise<Entries> {
    const storage = this.storage!;
    const entries: Entries = new Map();
    if (this.covers.nodes) {
      for await (const nodes of storage.scanNodes({ signal })) {
        for (const record of nodes) this.entriesFor({ entity: 'node', record }, entries);
      }
    }
    if (this.covers.edges) {
      for await (const edges of storage.scanEdges({ signal })) {
        for (const record of edges) this.entriesFor({ entity: 'edge', record }, entries);
      }
    }
    return entries;
  }

  /** Compares the index with the data (runs with writes paused, for a consistent view). */
  async verify({ signal }: { signal?: AbortSignal } = {}): Promise<DriftReport> {
    return this.#exclusive(async () => {
      const expected = await this.expectedEntries(signal);
      const report: DriftReport = { index: this.name, missing: 0, extra: 0, mismatched: 0, examples: [], ok: true };
      const note = (key: string): void => {
        if (report.examples.length < 10) report.examples.push(key);
      };
      const iterator = this.store.iterator();
      try {
        for (let chunk = await iterator.nextv(5_000); chunk.length > 0; chunk = await iterator.nextv(5_000)) {
          for (const [key, value] of chunk) {
            if (key === VERSION_KEY) continue;
            const want = expected.get(key);
            if (want === undefined) {
              report.extra++;
              note(key);
            } else {
              if (!sameBytes(want, value)) {
                report.mismatched++;
                note(key);
              }
              expected.delete(key);
            }
          }
        }
      } finally {
        await iterator.close();
      }
      report.missing = expected.size;
      for (const key of [...expected.keys()].slice(0, 10 - report.examples.length)) note(key);
      report.ok = report.missing === 0 && report.extra === 0 && report.mismatched === 0;
      return report;
    });
  }

  /** Rebuilds the index from the data, with writes paused. Returns the entry count. */
  async rebuild({ signal, onProgress }: RebuildOptions = {}): Promise<number> {
    // Under a durable marker: a rebuild cut short (SIGKILL between the clear and the last
    // batch) is finished at the next open instead of leaving the index half empty.
    return this.#exclusive(() => this.context!.rebuilding(async () => {
      const expected = await this.expectedEntries(signal);
      await this.store.clear();
      let batch: { type: 'put'; key: string; value: Uint8Array }[] = [];
      let written = 0;
      for (const [key, value] of expected) {
        batch.push({ type: 'put', key, value });
        if (batch.length === 10_000) {
          await this.store.batch(batch);
          written += batch.length;
          onProgress?.(written);
          batch = [];
        }
      }
      if (batch.length > 0) await this.store.batch(batch);
      await this.store.put(VERSION_KEY, encodeRecord(this.version));
      onProgress?.(expected.size);
      await this.afterRebuild();
      return expected.size;
    }));
  }

  /** Lets an index refresh in-memory state after a rebuild. */
  protected async afterRebuild(): Promise<void> {}
}
