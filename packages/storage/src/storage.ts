import { readdir, readFile, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { EventEmitter } from 'node:events';
import {
  DbError,
  NODE_TYPES,
  throwIfAborted,
  recordKindOfId,
  type ChangeEvent,
  type Edge,
  type Embedding,
  type NewEdge,
  type NewEmbedding,
  type NewNode,
  type Node,
  type NodePatch,
  type NodeType,
} from '@tabagent/common';
import { decodeEmbedding, decodeRecord, encodeRecord } from './codec.js';
import { ensureDirectory, inspectDirectory, writeMarker } from './database-directory.js';
import { isCorruption, isDiskFull, storageError } from './storage-errors.js';
import type { Engine, Sublevel } from './engine.js';
import { Consumer, type ChangeConsumer, type ChangeSource, type ConsumeOptions } from './change-consumer.js';
import type { Extension, ExtensionContext, StorageSnapshot } from './extension.js';
import {
  EDGE_ID_RANGE,
  EDGE_STORE,
  EMBEDDING_ID_RANGE,
  CURSORS_SUBLEVEL,
  EMBEDDING_STORE,
  EXTENSION_SUBLEVEL,
  FORMAT_KEY,
  FORMAT_VERSION,
  INCIDENT_KEY_PREFIX,
  INDEX_SUBLEVEL,
  REBUILD_KEY_PREFIX,
  LOG_SUBLEVEL,
  nodeIdRange,
  REFS_SUBLEVEL,
  refRange,
  refTarget,
  seqKey,
  seqOfKey,
  STORE_NAMES,
  STORE_OF_TYPE,
  type StoreName,
} from './layout.js';
import { resolveStorageOptions, type ResolvedStorageOptions, type StorageOptions } from './options.js';
import { WriteBatch, type CommitResult, type InsertOptions } from './write-batch.js';
import { Writer, type CommitInfo } from './writer.js';

export type StorageStatus = 'opening' | 'open' | 'closing' | 'closed';

/** Events a Storage emits — always after the data is committed. */
export interface StorageEvents {
  /** One per change-log entry, in sequence order. */
  change: [event: ChangeEvent];
  /** One per committed group of batches, with the records before and after. */
  commit: [info: CommitInfo];
  /** The storage finished closing. */
  close: [];
}

export interface ScanOptions {
  /** Records per read from LevelDB (default 1,000). */
  batchSize?: number;
  signal?: AbortSignal;
}

export interface ReadChangesOptions {
  /** Return entries with a sequence number greater than this (default 0: from the start). */
  after?: number;
  /** At most this many entries (default 1,000). */
  limit?: number;
}

export interface FollowChangesOptions {
  /** Resume after this sequence number (a saved cursor). */
  after?: number;
  /** Keep waiting for new entries after reaching the end (default false). */
  follow?: boolean;
  signal?: AbortSignal;
  /** Entries per read (default 1,000). */
  batchSize?: number;
}

function mapOpenError(err: unknown, location: string): DbError {
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code === 'LEVEL_LOCKED') {
    return new DbError('UNAVAILABLE', `database at ${location} is in use by another process`, { cause: err });
  }
  if (cause?.code === 'LEVEL_CORRUPTION' || isCorruption(err)) {
    const reason = (cause as Error | undefined)?.message ?? (err as Error).message;
    return new DbError('CORRUPTED', `database at ${location} is damaged (${reason}); run \`tabagent repair\``, { cause: err });
  }
  if (isDiskFull(err)) return storageError(err, `cannot open database at ${location}`);
  return new DbError('UNAVAILABLE', `cannot open database at ${location}: ${(err as Error).message}`, { cause: err });
}

/** An incident the storage recorded (data found lost at open, a repair). */
export interface StorageIncident {
  code: string;
  message: string;
  /** When it was found (ms since the epoch). */
  at: number;
}

/** LevelDB's own log of the current open: where recovery reports the bytes it dropped. */
async function droppedAtRecovery(location: string): Promise<string[]> {
  const text = await readFile(join(location, 'LOG'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => /dropping \d+ bytes/u.test(line))
    .map((line) => line.replace(/^\S+ \S+ /u, '').trim());
}

/**
 * The storage engine: one classic-level database per directory, with sublevels for the
 * seven logical stores, reference keys for cascades, extensions' key spaces and a durable
 * change log. Every write goes through one atomic batch.
 *
 * @example
 * await using storage = await Storage.open('/tmp/db');
 * const [chat] = await storage.insertNodes([{ type: 'Chat', title: 'Trip' }]);
 * const node = await storage.getNode(chat.id);
 */
const ENGINE = Symbol('engine');
/** Least time between two automatic log compactions. */
const COMPACT_GAP_MS = 1_000;
/** Least time between two reopens of LevelDB after a full disk. */
const DISK_FULL_REOPEN_GAP_MS = 1_000;

export class Storage extends EventEmitter<StorageEvents> {
  readonly location: string;
  readonly #options: ResolvedStorageOptions;
  #status: StorageStatus = 'closed';
  #engine: Engine | undefined;
  #writer: Writer | undefined;
  #opening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #everOpened = false;
  #indexRoot: Sublevel | undefined;
  #stateRoot: Sublevel | undefined;
  #cursorStore: Sublevel | undefined;
  /** Extensions opened, in order, with their key spaces. */
  #extensions: { extension: Extension; keyspace: Sublevel }[] = [];
  readonly #consumers = new Set<Consumer>();
  /** Persisted durable cursors: name → last acknowledged sequence. */
  readonly #cursors = new Map<string, number>();
  #compactedTo = 0;
  #lastCompaction = -Infinity;
  #compactTimer: NodeJS.Timeout | undefined;
  /** True while extensions close: they may still write their key space and acknowledge. */
  #extensionsClosing = false;
  #compacting: Promise<void> = Promise.resolve();
  #warnings: DbError[] = [];
  /** Every sublevel opened on the database, reopened with it after a full disk. */
  readonly #sublevels = new Set<Sublevel>();
  #diskFull = false;
  #lastDiskFullReopen = -Infinity;
  readonly #pendingWarnings: DbError[] = [];
  /** Data was found lost at this open: every derived extension rebuilds when it opens. */
  #rebuildAll = false;

  constructor(location: string, options: StorageOptions = {}) {
    super();
    this.setMaxListeners(0); // any number of subscribers, as before (node:events warns past 10)
    this.location = location;
    this.#options = resolveStorageOptions(options);
  }

  /** Creates and opens a Storage. */
  static async open(location: string, options: StorageOptions = {}): Promise<Storage> {
    const storage = new Storage(location, options);
    await storage.open();
    return storage;
  }

  get status(): StorageStatus {
    return this.#status;
  }

  /** Sequence number of the last committed change-log entry (0 for an empty database). */
  get lastSeq(): number {
    return this.#requireForExtension().writer.lastSeq;
  }

  get options(): Readonly<ResolvedStorageOptions> {
    return this.#options;
  }

  /** @internal */
  [ENGINE](): Engine {
    return this.#require().engine;
  }

  /** Opens the database (idempotent). */
  async open(): Promise<void> {
    if (this.#status === 'open') return;
    if (this.#opening) return this.#opening;
    if (this.#closing) await this.#closing;
    this.#status = 'opening';
    this.#opening = this.#doOpen().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #doOpen(): Promise<void> {
    const state = await inspectDirectory(this.location).catch((err: unknown) => {
      this.#status = 'closed';
      throw err;
    });
    let created = false;
    try {
      if (state.kind === 'foreign') {
        throw new DbError('INVALID_ARGUMENT', `${this.location} is not empty and holds no TabAgent database`, { details: { field: 'location' } });
      }
      if (state.kind === 'database' && !state.hasCurrent) {
        // Opening now would make LevelDB start a new, empty database and delete the old table files.
        throw new DbError('CORRUPTED', `database at ${this.location} lost LevelDB's CURRENT file; run \`tabagent repair\` to recover it`, {
          details: { field: 'location' },
        });
      }
      if (state.kind === 'new') {
        if (!this.#options.createIfMissing) throw new DbError('NOT_FOUND', `no database at ${this.location}`, { details: { field: 'location' } });
        await ensureDirectory(this.location);
        created = true;
      }
    } catch (err) {
      this.#status = 'closed';
      throw err;
    }
    const db = new ClassicLevel<string, Uint8Array>(this.location, {
      keyEncoding: 'utf8',
      valueEncoding: 'view',
      writeBufferSize: this.#options.writeBufferSize,
      cacheSize: this.#options.cacheSize,
      createIfMissing: created,
    });
    try {
      await db.open();
    } catch (err) {
      this.#status = 'closed';
      throw mapOpenError(err, this.location);
    }
    this.#sublevels.clear();
    const sub = (name: string): Sublevel => {
      const sublevel = db.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as Sublevel;
      this.#sublevels.add(sublevel);
      return sublevel;
    };
    const stores = Object.fromEntries(STORE_NAMES.map((name) => [name, sub(name)])) as Record<StoreName, Sublevel>;
    const index = sub(INDEX_SUBLEVEL);
    const stateRoot = sub(EXTENSION_SUBLEVEL);
    const cursors = sub(CURSORS_SUBLEVEL);
    const engine: Engine = {
      db,
      stores,
      refs: sub(REFS_SUBLEVEL),
      log: sub(LOG_SUBLEVEL),
      appliers: [],
      options: this.#options,
    };
    try {
      // Sublevels open asynchronously after their parent; getSync needs them open.
      await Promise.all([...Object.values(stores), index, stateRoot, cursors, engine.refs, engine.log].map((s) => s.open()));
      const format = stores.meta.getSync(FORMAT_KEY);
      const [lastKey] = await engine.log.keys({ reverse: true, limit: 1 }).all();
      const [firstKey] = await engine.log.keys({ limit: 1 }).all();
      if (format === undefined) {
        // A new database (or one whose creation was interrupted before anything was written).
        const [anyKey] = await db.keys({ limit: 1 }).all();
        if (anyKey !== undefined) {
          throw new DbError('INVALID_ARGUMENT', `${this.location} holds a LevelDB database that is not a TabAgent database`, { details: { field: 'location' } });
        }
        await stores.meta.put(FORMAT_KEY, encodeRecord(FORMAT_VERSION), { sync: true } as never);
      } else if (decodeRecord<number>(format, FORMAT_KEY) > FORMAT_VERSION) {
        throw new DbError('UNSUPPORTED', `database format ${decodeRecord<number>(format, FORMAT_KEY)} is newer than this build supports (${FORMAT_VERSION})`);
      }
      if (state.kind !== 'database' || state.marker === undefined) await writeMarker(this.location, this.#options.now());
      this.#engine = engine;
      this.#indexRoot = index;
      this.#stateRoot = stateRoot;
      this.#cursorStore = cursors;
      this.#cursors.clear();
      for (const [name, value] of await cursors.iterator().all()) this.#cursors.set(name, decodeRecord<number>(value, name));
      const lastSeq = lastKey === undefined ? 0 : seqOfKey(lastKey);
      const ahead = [...this.#cursors].filter(([, seq]) => seq > lastSeq);
      if (ahead.length > 0) {
        // Changes a consumer acknowledged are gone (a damaged log, a repair): resume it at the
        // end of what is left, or it would skip the next changes, which reuse those numbers.
        await cursors.batch(ahead.map(([name]) => ({ type: 'put' as const, key: name, value: encodeRecord(lastSeq) })), { sync: true } as never);
        for (const [name] of ahead) this.#cursors.set(name, lastSeq);
        this.#pendingWarnings.push(
          new DbError('CORRUPTED', `data loss: consumer cursors ${ahead.map(([n, s]) => `${n}@${s}`).join(', ')} are past the end of the change log (${lastSeq}); they resume from ${lastSeq}`),
        );
      }
      this.#compactedTo = firstKey === undefined ? 0 : seqOfKey(firstKey) - 1;
      this.#writer = new Writer(
        engine,
        lastKey === undefined ? 0 : seqOfKey(lastKey),
        (info) => this.#emitCommit(info),
        (error) => this.#recoverFromDiskFull(error),
      );
      this.#warnings = [];
      for (const warning of this.#pendingWarnings.splice(0)) this.#warn(warning);
      await this.#checkRecovery(stores.meta);
      // Extensions open on an open storage: they may read, consume and write their key space.
      this.#status = 'open';
      for (const extension of this.#options.extensions) await this.#openExtension(extension);
    } catch (err) {
      await this.#closeExtensions();
      await db.close().catch(() => undefined);
      this.#engine = undefined;
      this.#writer = undefined;
      this.#status = 'closed';
      throw storageError(err);
    }
    this.#everOpened = true;
    this.#scheduleCompaction();
  }

  /**
   * LevelDB recovers a damaged log file by dropping what it cannot read — acknowledged
   * writes among it — and says so only in its own `LOG`. Read it: report the loss loudly,
   * record it as an incident, and rebuild every derived extension (a lost batch in the
   * middle of the log can leave index entries of later updates inconsistent).
   */
  async #checkRecovery(meta: Sublevel): Promise<void> {
    const dropped = await droppedAtRecovery(this.location);
    if (dropped.length === 0) return;
    const warning = new DbError(
      'CORRUPTED',
      `data loss: LevelDB dropped damaged parts of its log while opening ${this.location} (${dropped.join('; ')}); ` +
        `acknowledged writes in them are gone (the database now ends at change ${this.#writer!.lastSeq}); the indexes are being rebuilt`,
      { details: { dropped } },
    );
    await this.#recordIncident(meta, warning);
    const ops = this.#options.extensions
      .filter((e) => e?.kind === 'derived')
      .map((e) => ({ type: 'put' as const, key: `${REBUILD_KEY_PREFIX}${e.name}`, value: encodeRecord(Date.now()) }));
    await meta.batch(ops, { sync: true } as never);
    this.#rebuildAll = true;
    this.#warn(warning);
  }

  async #recordIncident(meta: Sublevel, error: DbError): Promise<void> {
    const at = this.#options.now();
    const incident: StorageIncident = { code: error.code, message: error.message, at };
    await meta.put(`${INCIDENT_KEY_PREFIX}${String(at).padStart(15, '0')}`, encodeRecord(incident), { sync: true } as never);
  }

  #warn(warning: DbError): void {
    this.#warnings.push(warning);
    try {
      this.#options.onWarning?.(warning);
    } catch {
      // A throwing listener must not break the storage.
    }
  }

  /**
   * A write failed for a full disk. LevelDB keeps refusing writes after a failed
   * background flush until it is reopened, so once the file system has room again
   * (at least twice the write buffer free), reopen it in place — the writer holds every
   * other commit meanwhile — and let the writer retry. Returns false while the disk is
   * still full: the write fails `DISK_FULL` at once.
   */
  async #recoverFromDiskFull(error: DbError): Promise<boolean> {
    const engine = this.#engine;
    if (engine === undefined || this.#status !== 'open') return false;
    if (!this.#diskFull) {
      this.#diskFull = true;
      this.#warn(error);
    }
    const free = await statfs(this.location).then(
      (s) => Number(s.bavail) * Number(s.bsize),
      () => Number.POSITIVE_INFINITY,
    );
    if (free < 2 * this.#options.writeBufferSize) return false;
    // At most one reopen a second: a limit statfs cannot see (a quota, RLIMIT_FSIZE) must not
    // turn every write into a reopen.
    const now = performance.now();
    if (now - this.#lastDiskFullReopen < DISK_FULL_REOPEN_GAP_MS) return false;
    this.#lastDiskFullReopen = now;
    if (engine.db.status === 'open') await engine.db.close();
    await engine.db.open({ createIfMissing: false } as never);
    for (const sublevel of this.#sublevels) await sublevel.open();
    this.#diskFull = false;
    return true;
  }

  /** Warnings of this open (data found lost, rebuilds finished after a crash, a full disk). */
  get warnings(): readonly DbError[] {
    return this.#warnings;
  }

  /**
   * Reports a problem an extension found and repaired (or could not): kept in `warnings`,
   * passed to `onWarning`, and with `incident`, recorded durably in `incidents()`.
   */
  async reportWarning(warning: DbError, options: { incident?: boolean } = {}): Promise<void> {
    const { engine } = this.#requireForExtension();
    if (options.incident) await this.#recordIncident(engine.stores.meta, warning);
    this.#warn(warning);
  }

  /** Incidents recorded so far (data lost at open, repairs), oldest first. `tabagent verify` reports them. */
  async incidents(): Promise<StorageIncident[]> {
    const { engine } = this.#require();
    const values = await engine.stores.meta.values({ gte: INCIDENT_KEY_PREFIX, lt: `${INCIDENT_KEY_PREFIX}\uffff` }).all();
    return values.map((v) => decodeRecord<StorageIncident>(v, 'incident'));
  }

  /** Forgets the recorded incidents (after `tabagent repair` reported them). */
  async clearIncidents(): Promise<void> {
    const { engine } = this.#require();
    await engine.stores.meta.clear({ gte: INCIDENT_KEY_PREFIX, lt: `${INCIDENT_KEY_PREFIX}\uffff` });
  }

  /** Runs a derived extension's rebuild under a durable "rebuild in progress" marker. */
  async #rebuilding<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const { engine } = this.#requireForExtension();
    const key = `${REBUILD_KEY_PREFIX}${name}`;
    if (engine.stores.meta.getSync(key) === undefined) await engine.stores.meta.put(key, encodeRecord(Date.now()), { sync: true } as never);
    const result = await fn();
    await engine.stores.meta.del(key, { sync: true } as never);
    return result;
  }

  /** Whether a rebuild of this extension was left unfinished (the process died, or it failed). */
  #rebuildPending(extension: Extension): boolean {
    return extension.kind === 'derived' && this.#require().engine.stores.meta.getSync(`${REBUILD_KEY_PREFIX}${extension.name}`) !== undefined;
  }

  /**
   * Finishes an interrupted rebuild before the extension serves. Warned about whenever one
   * was pending at open, even if the extension's own open already rebuilt (a version migration).
   */
  async #finishInterruptedRebuild(extension: Extension, wasPending: boolean): Promise<void> {
    if (extension.kind !== 'derived' || extension.rebuild === undefined) return;
    if (wasPending) {
      this.#warn(
        new DbError('CORRUPTED', `index ${extension.name}: a rebuild was interrupted (the process stopped during a reindex); rebuilding it now`, {
          details: { extension: extension.name },
        }),
      );
    }
    if (!this.#rebuildPending(extension) && !this.#rebuildAll) return;
    await this.#rebuilding(extension.name, () => extension.rebuild!());
  }

  /** Gives an extension its key space (derived: under `idx`, so one range covers every index; state: under `ext`) and opens it. */
  async #openExtension(extension: Extension): Promise<void> {
    const engine = this.#engine!;
    if (typeof extension?.name !== 'string' || extension.name === '' || (extension.kind !== 'derived' && extension.kind !== 'state')) {
      throw new DbError('INVALID_ARGUMENT', 'an extension needs a name and a kind (derived or state)', { details: { field: 'extensions' } });
    }
    if (this.#extensions.some((e) => e.extension.name === extension.name)) {
      throw new DbError('CONFLICT', `an extension named ${extension.name} is already registered`);
    }
    const root = extension.kind === 'derived' ? this.#indexRoot! : this.#stateRoot!;
    const keyspace = root.sublevel<string, Uint8Array>(extension.name, { keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as Sublevel;
    this.#sublevels.add(keyspace);
    await keyspace.open();
    if (extension.kind === 'state') await this.#moveLegacyState(extension.name, keyspace);
    const entry = { extension, keyspace };
    this.#extensions.push(entry);
    if (extension.apply !== undefined) engine.appliers.push(entry);
    try {
      const wasPending = this.#rebuildPending(extension);
      await extension.open?.(this.#contextFor(extension.name, keyspace));
      await this.#finishInterruptedRebuild(extension, wasPending);
    } catch (err) {
      this.#extensions.pop();
      engine.appliers = engine.appliers.filter((a) => a !== entry);
      throw err;
    }
  }

  /** State kept under `idx` by earlier versions (the weaver's) moves to `ext` once. */
  async #moveLegacyState(name: string, keyspace: Sublevel): Promise<void> {
    const legacy = this.#indexRoot!.sublevel<string, Uint8Array>(name, { keyEncoding: 'utf8', valueEncoding: 'view' }) as unknown as Sublevel;
    await legacy.open();
    const [any] = await legacy.keys({ limit: 1 }).all();
    if (any === undefined) return;
    const entries = await legacy.iterator().all();
    await this.#engine!.db.batch([
      ...entries.map(([key, value]) => ({ type: 'put' as const, sublevel: keyspace, key, value })),
      ...entries.map(([key]) => ({ type: 'del' as const, sublevel: legacy, key })),
    ] as never);
  }

  #contextFor(name: string, keyspace: Sublevel): ExtensionContext {
    return {
      name,
      storage: this,
      keyspace,
      write: async (ops) => {
        this.#requireForExtension();
        if (ops.length === 0) return;
        // classic-level takes `sync` (fsync this write), which abstract-level's option type does not list.
        if (this.#options.durability === 'sync') await keyspace.batch(ops as never, { sync: true } as never);
        else await keyspace.batch(ops as never);
      },
      snapshot: () => this.#snapshot(),
      exclusive: (fn) => this.exclusive(fn),
      consume: (options) => this.#consume(name, options),
      rebuilding: (fn) => this.#rebuilding(name, fn),
      warn: (warning, options) => this.reportWarning(warning, options),
    };
  }

  async #snapshot(): Promise<StorageSnapshot> {
    const { engine } = this.#require();
    return this.exclusive(() => {
      const handle = engine.db.snapshot();
      return { seq: this.lastSeq, handle, close: () => handle.close() };
    });
  }

  async #closeExtensions(): Promise<void> {
    const opened = this.#extensions.reverse();
    this.#extensions = [];
    this.#extensionsClosing = true;
    try {
      for (const { extension } of opened) {
        await Promise.allSettled([Promise.resolve().then(() => extension.close?.())]);
      }
      await Promise.allSettled([...this.#consumers].map((c) => c.stop()));
    } finally {
      this.#extensionsClosing = false;
    }
    if (this.#engine !== undefined) this.#engine.appliers = [];
  }

  /** Like `#require`, but also while extensions close (their last writes and acks). */
  #requireForExtension(): { engine: Engine; writer: Writer } {
    if (this.#status === 'closing' && this.#extensionsClosing && this.#engine !== undefined && this.#writer !== undefined) {
      return { engine: this.#engine, writer: this.#writer };
    }
    return this.#require();
  }

  /** Closes the database after queued writes finish (idempotent). */
  async close(): Promise<void> {
    if (this.#status === 'closed') return;
    if (this.#closing) return this.#closing;
    if (this.#opening) await this.#opening.catch(() => undefined);
    if (this.#status !== 'open') return;
    this.#status = 'closing';
    this.#closing = (async () => {
      try {
        await this.#closeExtensions();
        clearTimeout(this.#compactTimer);
        this.#compactTimer = undefined;
        await this.#writer?.idle();
        await this.#compacting;
        await this.#engine?.db.close();
      } finally {
        this.#engine = undefined;
        this.#writer = undefined;
        this.#status = 'closed';
        this.#closing = undefined;
        this.emit('close');
      }
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #require(): { engine: Engine; writer: Writer } {
    if (this.#status !== 'open' || this.#engine === undefined || this.#writer === undefined) {
      throw new DbError('NOT_OPEN', this.#everOpened ? 'storage is closed' : 'storage is not open');
    }
    return { engine: this.#engine, writer: this.#writer };
  }

  #emitCommit(info: CommitInfo): void {
    for (const event of info.events) this.emit('change', event);
    this.emit('commit', info);
  }

  // ---------------------------------------------------------------- extensions

  /**
   * Opens an extension on the open storage: from the next commit on, its `apply` sees
   * every change. Entries for existing data are the extension's to build (in `open`).
   */
  async addExtension(extension: Extension): Promise<void> {
    this.#require();
    await this.#openExtension(extension);
  }

  /**
   * Forgets an extension that closed by itself before the storage (its `apply` no longer
   * runs; its key space and durable cursor stay). Storage does not call its `close`.
   */
  detachExtension(extension: Extension): void {
    this.#extensions = this.#extensions.filter((e) => e.extension !== extension);
    if (this.#engine !== undefined) this.#engine.appliers = this.#engine.appliers.filter((e) => e.extension !== extension);
  }

  /** Names and kinds of the open extensions, in order. */
  get extensions(): { name: string; kind: Extension['kind'] }[] {
    return this.#extensions.map(({ extension }) => ({ name: extension.name, kind: extension.kind }));
  }

  /**
   * Runs `fn` while no batch is being written and none can start — for rebuilding an
   * index or taking a consistent snapshot. Keep it short: writers wait.
   */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return this.#require().writer.exclusive(fn);
  }

  // ---------------------------------------------------------------- writes

  /** A new atomic batch spanning every store. */
  batch(): WriteBatch {
    const { writer } = this.#require();
    return new WriteBatch((ops, options) => {
      this.#require();
      return writer.submit(ops, options);
    }, this.#options.now);
  }

  /** Inserts nodes in one atomic batch; returns the stored nodes in order. */
  async insertNodes(nodes: readonly NewNode[], options: InsertOptions = {}): Promise<Node[]> {
    const batch = this.batch();
    for (const node of this.#list(nodes, 'nodes')) batch.insertNode(node, options);
    const { results } = await batch.commit();
    return results.map((r) => (r as { record: Node }).record);
  }

  /** Inserts one node. */
  async insertNode(node: NewNode, options: InsertOptions = {}): Promise<Node> {
    const [stored] = await this.insertNodes([node], options);
    return stored!;
  }

  /** Applies a partial patch (`null` removes an optional field); returns the updated node. */
  async updateNode<T extends NodeType>(id: string, patch: NodePatch<T> | Record<string, unknown>): Promise<Node> {
    const { results } = await this.batch().updateNode(id, patch).commit();
    return (results[0] as { record: Node }).record;
  }

  /** Deletes nodes with their edges and embeddings, atomically. */
  async deleteNodes(ids: readonly string[]): Promise<CommitResult> {
    const batch = this.batch();
    for (const id of this.#list(ids, 'ids')) batch.deleteNode(id);
    return batch.commit();
  }

  async deleteNode(id: string): Promise<void> {
    await this.deleteNodes([id]);
  }

  /** Inserts edges (both endpoints must exist); returns the stored edges. */
  async insertEdges(edges: readonly NewEdge[], options: InsertOptions = {}): Promise<Edge[]> {
    const batch = this.batch();
    for (const edge of this.#list(edges, 'edges')) batch.insertEdge(edge, options);
    const { results } = await batch.commit();
    return results.map((r) => (r as { record: Edge }).record);
  }

  async insertEdge(edge: NewEdge, options: InsertOptions = {}): Promise<Edge> {
    const [stored] = await this.insertEdges([edge], options);
    return stored!;
  }

  async deleteEdges(ids: readonly string[]): Promise<void> {
    const batch = this.batch();
    for (const id of this.#list(ids, 'ids')) batch.deleteEdge(id);
    await batch.commit();
  }

  async deleteEdge(id: string): Promise<void> {
    await this.deleteEdges([id]);
  }

  /** Stores embeddings (replacing by id); returns the stored embeddings. */
  async putEmbeddings(embeddings: readonly NewEmbedding[]): Promise<Embedding[]> {
    const batch = this.batch();
    for (const embedding of this.#list(embeddings, 'embeddings')) batch.putEmbedding(embedding);
    const { results } = await batch.commit();
    return results.map((r) => (r as { record: Embedding }).record);
  }

  async putEmbedding(embedding: NewEmbedding): Promise<Embedding> {
    const [stored] = await this.putEmbeddings([embedding]);
    return stored!;
  }

  async deleteEmbedding(id: string): Promise<void> {
    await this.batch().deleteEmbedding(id).commit();
  }

  #list<T>(items: readonly T[], field: string): readonly T[] {
    if (!Array.isArray(items)) {
      throw new DbError('INVALID_ARGUMENT', `${field}: expected an array`, { details: { field } });
    }
    return items;
  }

  // ---------------------------------------------------------------- reads

  #storeOfId(engine: Engine, id: unknown): Sublevel | undefined {
    if (typeof id !== 'string') return undefined;
    const kind = recordKindOfId(id);
    if (kind === undefined) return undefined;
    if (kind === 'edge') return engine.stores[EDGE_STORE];
    if (kind === 'embedding') return engine.stores[EMBEDDING_STORE];
    return engine.stores[STORE_OF_TYPE[kind]];
  }

  // Reads use getSync: for data in LevelDB's cache it is several times faster than
  // the async getMany (see LIBRARY-NOTES.md); ids with an unknown prefix read as absent.
  #getRaw(ids: readonly string[], kind: 'node' | 'edge' | 'embedding'): (Uint8Array | undefined)[] {
    const { engine } = this.#require();
    return this.#list(ids, 'ids').map((id) => {
      const recordKind = typeof id === 'string' ? recordKindOfId(id) : undefined;
      const matches = kind === 'node' ? recordKind !== undefined && recordKind !== 'edge' && recordKind !== 'embedding' : recordKind === kind;
      if (!matches) return undefined;
      try {
        return this.#storeOfId(engine, id)!.getSync(id);
      } catch (err) {
        throw storageError(err, `cannot read ${id}`);
      }
    });
  }

  /** Nodes by id, in order; `undefined` for ids that do not exist. */
  async getNodes(ids: readonly string[]): Promise<(Node | undefined)[]> {
    return this.getNodesSync(ids);
  }

  /** Synchronous variant of `getNodes`, for hot paths (query execution). */
  getNodesSync(ids: readonly string[]): (Node | undefined)[] {
    return this.#getRaw(ids, 'node').map((bytes, i) => (bytes === undefined ? undefined : decodeRecord<Node>(bytes, ids[i]!)));
  }

  /** One node; `NOT_FOUND` when it does not exist. */
  async getNode(id: string): Promise<Node> {
    const [node] = this.getNodesSync([id]);
    if (node === undefined) throw new DbError('NOT_FOUND', `node ${id} does not exist`, { details: { id } });
    return node;
  }

  async getEdges(ids: readonly string[]): Promise<(Edge | undefined)[]> {
    return this.#getRaw(ids, 'edge').map((bytes, i) => (bytes === undefined ? undefined : decodeRecord<Edge>(bytes, ids[i]!)));
  }

  async getEdge(id: string): Promise<Edge> {
    const [edge] = await this.getEdges([id]);
    if (edge === undefined) throw new DbError('NOT_FOUND', `edge ${id} does not exist`, { details: { id } });
    return edge;
  }

  async getEmbeddings(ids: readonly string[]): Promise<(Embedding | undefined)[]> {
    return this.getEmbeddingsSync(ids);
  }

  getEmbeddingsSync(ids: readonly string[]): (Embedding | undefined)[] {
    return this.#getRaw(ids, 'embedding').map((bytes, i) => (bytes === undefined ? undefined : decodeEmbedding(bytes, ids[i]!)));
  }

  async getEmbedding(id: string): Promise<Embedding> {
    const [embedding] = await this.getEmbeddings([id]);
    if (embedding === undefined) throw new DbError('NOT_FOUND', `embedding ${id} does not exist`, { details: { id } });
    return embedding;
  }

  /** Every edge touching a node (either direction). Indexing offers typed, directional lookups. */
  async edgesOf(nodeId: string): Promise<Edge[]> {
    const { engine } = this.#require();
    const keys = await engine.refs.keys(refRange(nodeId, 'e')).all();
    return (await this.getEdges(keys.map(refTarget))).filter((e): e is Edge => e !== undefined);
  }

  /** Every embedding of a node (one per model, usually). */
  async embeddingsOf(nodeId: string): Promise<Embedding[]> {
    const { engine } = this.#require();
    const keys = await engine.refs.keys(refRange(nodeId, 'm')).all();
    return (await this.getEmbeddings(keys.map(refTarget))).filter((e): e is Embedding => e !== undefined);
  }

  // ---------------------------------------------------------------- scans

  async *#scan<T>(
    sublevel: Sublevel,
    range: { gte: string; lt: string },
    decode: (bytes: Uint8Array, id: string) => T,
    options: ScanOptions,
  ): AsyncGenerator<T[]> {
    const iterator = sublevel.iterator({ ...range });
    try {
      for (;;) {
        throwIfAborted(options.signal);
        const entries = await iterator.nextv(options.batchSize ?? 1_000).catch((err: unknown) => {
          throw storageError(err, 'cannot read the database');
        });
        if (entries.length === 0) return;
        yield entries.map(([key, value]) => decode(value, key));
      }
    } finally {
      await iterator.close();
    }
  }

  /** All nodes (optionally of some kinds) in chunks, from a consistent snapshot per kind. */
  async *scanNodes(options: ScanOptions & { types?: readonly NodeType[] } = {}): AsyncGenerator<Node[]> {
    const { engine } = this.#require();
    for (const type of options.types ?? NODE_TYPES) {
      yield* this.#scan(engine.stores[STORE_OF_TYPE[type]], nodeIdRange(type), (b, id) => decodeRecord<Node>(b, id), options);
    }
  }

  async *scanEdges(options: ScanOptions = {}): AsyncGenerator<Edge[]> {
    const { engine } = this.#require();
    yield* this.#scan(engine.stores[EDGE_STORE], EDGE_ID_RANGE, (b, id) => decodeRecord<Edge>(b, id), options);
  }

  async *scanEmbeddings(options: ScanOptions = {}): AsyncGenerator<Embedding[]> {
    const { engine } = this.#require();
    yield* this.#scan(engine.stores[EMBEDDING_STORE], EMBEDDING_ID_RANGE, decodeEmbedding, options);
  }

  /** Number of stored nodes of a kind (a key scan). */
  async countNodes(type: NodeType): Promise<number> {
    const { engine } = this.#require();
    const iterator = engine.stores[STORE_OF_TYPE[type]].keys(nodeIdRange(type));
    let count = 0;
    try {
      for (let keys = await iterator.nextv(10_000); keys.length > 0; keys = await iterator.nextv(10_000)) count += keys.length;
    } finally {
      await iterator.close();
    }
    return count;
  }

  // ---------------------------------------------------------------- change log

  /** Change-log entries after a cursor, in order. */
  async readChanges(options: ReadChangesOptions = {}): Promise<ChangeEvent[]> {
    const { engine } = this.#require();
    const after = options.after ?? 0;
    if (!Number.isInteger(after) || after < 0) {
      throw new DbError('INVALID_ARGUMENT', 'after: expected a non-negative integer', { details: { field: 'after' } });
    }
    const limit = options.limit ?? 1_000;
    const values = await engine.log
      .values({ gt: seqKey(after), limit })
      .all()
      .catch((err: unknown) => {
        throw storageError(err, 'cannot read the change log');
      });
    return values.map((value) => decodeRecord<ChangeEvent>(value, 'change-log'));
  }

  /**
   * Iterates the change log from a cursor; with `follow`, waits for new entries until
   * the signal aborts or the storage closes. Resume later with the last `seq` seen.
   *
   * @example
   * for await (const event of storage.changes({ after: cursor, follow: true, signal })) cursor = event.seq;
   */
  async *changes(options: FollowChangesOptions = {}): AsyncGenerator<ChangeEvent> {
    let cursor = options.after ?? 0;
    for (;;) {
      throwIfAborted(options.signal);
      if (this.#status !== 'open') return;
      const batch = await this.readChanges({ after: cursor, limit: options.batchSize ?? 1_000 });
      for (const event of batch) {
        yield event;
        cursor = event.seq;
      }
      if (batch.length > 0) continue;
      if (!options.follow) return;
      await this.#waitForCommitAfter(cursor, options.signal);
    }
  }

  #waitForCommitAfter(seq: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.off('commit', done);
        this.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      // Wake up on close too, so followers end instead of hanging.
      this.on('commit', done);
      this.on('close', done);
      signal?.addEventListener('abort', done, { once: true });
      if (this.#status !== 'open' || (this.#writer?.lastSeq ?? 0) > seq || signal?.aborted) done();
    });
  }

  // ---------------------------------------------------------------- consumers and compaction

  /**
   * Follows the change log (see `ExtensionContext.consume`, which names a durable cursor
   * after its extension; here a durable consumer names its `cursor`). In-memory mirrors
   * that are not extensions use this.
   *
   * @example
   * const follower = storage.consume({ handle: ({ events, changes }) => mirror.apply(changes) });
   * await follower.stop();
   */
  consume(options: ConsumeOptions): ChangeConsumer {
    return this.#consume(undefined, options);
  }

  #consume(extensionName: string | undefined, options: ConsumeOptions): ChangeConsumer {
    this.#require();
    if (options === null || typeof options !== 'object' || typeof options.handle !== 'function') {
      throw new DbError('INVALID_ARGUMENT', 'consume: options.handle must be a function', { details: { field: 'handle' } });
    }
    const cursor = options.durable ? (options.cursor ?? extensionName) : undefined;
    if (options.durable && cursor === undefined) {
      throw new DbError('INVALID_ARGUMENT', 'consume: a durable consumer needs a cursor name', { details: { field: 'cursor' } });
    }
    let after = options.after;
    if (after === undefined) after = cursor !== undefined ? (this.#cursors.get(cursor) ?? 0) : this.lastSeq;
    if (!Number.isInteger(after) || after < 0) {
      throw new DbError('INVALID_ARGUMENT', 'consume: after must be a non-negative integer', { details: { field: 'after' } });
    }
    if (cursor !== undefined && !this.#cursors.has(cursor)) {
      // Registered at once, so the log after `after` is kept from now on.
      void this.#persistCursor(cursor, after).catch(() => undefined);
    }
    const acked = cursor === undefined ? after : this.#cursors.get(cursor)!;
    const consumer = new Consumer(this.#changeSource, options, cursor, after, acked);
    this.#consumers.add(consumer);
    return consumer;
  }

  /** Records a durable cursor (in memory at once, then on disk with the storage's durability). */
  async #persistCursor(name: string, seq: number): Promise<void> {
    this.#cursors.set(name, seq);
    const value = encodeRecord(seq);
    // classic-level takes `sync` (fsync this write), which abstract-level's option type does not list.
    if (this.#options.durability === 'sync') await this.#cursorStore!.put(name, value, { sync: true } as never);
    else await this.#cursorStore!.put(name, value);
  }

  readonly #changeSource: ChangeSource = {
    isOpen: () => this.#status === 'open',
    lastSeq: () => this.#writer?.lastSeq ?? 0,
    read: (after, limit) => this.readChanges({ after, limit }),
    listen: (listener) => {
      this.on('commit', listener);
      return () => this.off('commit', listener);
    },
    saveCursor: async (name, seq) => {
      this.#requireForExtension();
      await this.#persistCursor(name, seq);
      this.#scheduleCompaction();
    },
    closeConsumer: (consumer) => {
      this.#consumers.delete(consumer as Consumer);
    },
  };

  /** Durable consumer cursors: name → last acknowledged sequence number. */
  get cursors(): Record<string, number> {
    return Object.fromEntries(this.#cursors);
  }

  /**
   * Forgets a durable cursor (a consumer that will not come back), so the log is no
   * longer kept for it.
   */
  async dropCursor(name: string): Promise<void> {
    this.#require();
    if (!this.#cursors.delete(name)) return;
    await this.#cursorStore!.del(name);
    this.#scheduleCompaction();
  }

  /** Compacts the log up to the lowest durable cursor once it moved `compactEvery` past the last compaction. */
  #scheduleCompaction(): void {
    if (this.#cursors.size === 0 || this.#status !== 'open') return;
    const lowest = Math.min(...this.#cursors.values());
    if (lowest - this.#compactedTo < this.#options.compactEvery) return;
    const now = performance.now();
    if (now - this.#lastCompaction < COMPACT_GAP_MS) {
      // Due, but one ran a moment ago: look again once the gap has passed.
      this.#compactTimer ??= setTimeout(() => {
        this.#compactTimer = undefined;
        this.#scheduleCompaction();
      }, COMPACT_GAP_MS - (now - this.#lastCompaction)).unref();
      return;
    }
    this.#lastCompaction = now;
    const target = lowest;
    this.#compactedTo = Math.max(this.#compactedTo, Math.min(target, this.lastSeq - 1));
    this.#compacting = this.#compacting.then(() => (this.#status === 'open' ? this.compactChangeLog(target) : undefined)).catch(() => undefined);
  }

  /**
   * Deletes change-log entries up to and including `seq`. Storage does this by itself up
   * to the lowest durable consumer cursor; calling it by hand past a cursor makes that
   * consumer recover through its `onGap`. The newest entry is always kept so sequence
   * numbers continue.
   */
  async compactChangeLog(upToSeq: number): Promise<void> {
    const { engine, writer } = this.#require();
    const limit = Math.min(upToSeq, writer.lastSeq - 1);
    if (limit < 1) return;
    await engine.log.clear({ lte: seqKey(limit) });
  }

  /** What the storage holds: change-log entries and position, durable cursors, disk use. */
  async stats(): Promise<StorageStats> {
    const { engine } = this.#require();
    const [firstKey] = await engine.log.keys({ limit: 1 }).all();
    const lastSeq = this.lastSeq;
    const firstSeq = firstKey === undefined ? lastSeq + 1 : seqOfKey(firstKey);
    return {
      status: this.#status,
      lastSeq,
      log: { entries: firstKey === undefined ? 0 : lastSeq - firstSeq + 1, firstSeq: firstKey === undefined ? undefined : firstSeq },
      cursors: this.cursors,
      extensions: this.extensions,
      diskBytes: await directoryBytes(this.location),
    };
  }
}

/** What {@link Storage.stats} reports. */
export interface StorageStats {
  status: StorageStatus;
  lastSeq: number;
  /** Entries still in the change log (everything after the lowest durable cursor, and the newest). */
  log: { entries: number; firstSeq: number | undefined };
  cursors: Record<string, number>;
  extensions: { name: string; kind: Extension['kind'] }[];
  /** Bytes of every file in the database directory and below it. */
  diskBytes: number;
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    // Everything in the directory: LevelDB's files, and what extensions keep beside them (vector snapshots).
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += await stat(path).then((s) => s.size, () => 0);
  }
  return total;
}

/** @internal The open engine of a storage, for backup and export inside this package. */
export function engineOf(storage: Storage): Engine {
  return storage[ENGINE]();
}
