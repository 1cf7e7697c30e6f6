import { EventEmitter } from 'node:events';
import { DbError, embeddingSpace, throwIfAborted } from '@tabagent/common';
import { ProgressSignal } from '@tabagent/common/runtime';
import { decodeRecord, encodeRecord, type ChangeConsumer, type ChangeStretch, type Extension, type ExtensionContext, type Storage } from '@tabagent/storage';
import type { HnswParams, SpaceInfo } from './protocol.js';
import { compareWithStore, type VectorDriftReport } from './drift.js';
import { ExactVectorSearch } from './exact-vector-search.js';
import { LocalIndex } from './local-index.js';
import { ChangeBatch, Replica } from './replica.js';
import { compareHits, queryVector, TopNodes, type VectorHit } from './vector-math.js';
import type { ScoreNodesOptions, VectorSearchOptions, VectorSearchResult } from './vector-search.js';
import { resolveVectorIndexOptions, type ResolvedVectorIndexOptions, type VectorIndexOptions } from './vector-options.js';

export type VectorIndexStatus = 'opening' | 'open' | 'closing' | 'closed';

/**
 * Where the index is in getting ready: `loading` a snapshot, `building` from the store,
 * `catching-up` from the change log, `ready`, or `failed` (searches then scan exactly).
 */
export type VectorReadiness = 'idle' | 'loading' | 'building' | 'catching-up' | 'ready' | 'failed';

/** A saved snapshot. */
export interface VectorSnapshotInfo {
  /** Change-log sequence it covers. The log may be compacted up to it. */
  seq: number;
  bytes: number;
  /** Time the worker took to write it. */
  ms: number;
  /** Time the main thread spent memory-mapping it as its new search base. */
  mapMs: number;
  at: number;
  spaces: SpaceInfo[];
}

/** How the index got ready. */
export interface VectorReadyInfo {
  /** `snapshot`: loaded and caught up; `store`: built from the embeddings store. */
  source: 'snapshot' | 'store';
  /** Why the store was used (no snapshot, corrupt, stale…). */
  reason?: string;
  seq: number;
  ms: number;
  vectors: number;
}

export interface VectorIndexStats {
  status: VectorIndexStatus;
  readiness: VectorReadiness;
  /** Change-log sequence the index reflects. */
  seq: number;
  /** Committed changes the index has not reflected yet. */
  lag: number;
  /** Sequence of the last snapshot known on disk (`undefined`: none yet). */
  snapshotSeq: number | undefined;
  lastSnapshot: VectorSnapshotInfo | undefined;
  ready: VectorReadyInfo | undefined;
  rebuilding: boolean;
  /** Snapshot sequence the main thread searches (memory-mapped), and the changes it scans exactly on top. */
  mapped: { seq: number; delta: number } | undefined;
  spaces: SpaceInfo[];
  vectors: number;
  params: HnswParams;
  dir: string;
  lastError: { code: string; message: string } | undefined;
}

export interface VectorRebuildResult {
  vectors: number;
  seq: number;
  ms: number;
}

export interface VectorIndexEvents {
  ready: [info: VectorReadyInfo];
  snapshot: [info: VectorSnapshotInfo];
  /** Background work failed (a snapshot save, a worker); the index keeps serving what it can. */
  'background-error': [error: DbError];
}

const MAX_K = 10_000;
const MAX_GRAPH_K = 16_384;

/** Key of the marker saying how far the last snapshot is known to be exact. */
const COVERED_KEY = 'covered';
/** Log entries between two such markers. */
const COVER_EVERY = 1_000;

class StaleLogError extends DbError {
  constructor(after: number) {
    super('CORRUPTED', `the change log no longer holds the changes after ${after} (compacted)`);
  }
}

function invalid(field: string, message: string): DbError {
  return new DbError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
}

function toDbError(err: unknown): DbError {
  return DbError.from(err);
}

/**
 * The vector index: usearch HNSW graphs, one per embedding space (model + dimensions),
 * following the embeddings store through the change log. The store stays the source of
 * truth: the index is a snapshot tagged with the change-log sequence it covers, loaded in
 * the background at open, caught up from the log, and rebuilt from the store when the
 * snapshot is missing, corrupt or older than the log. Vectors are normalised on the way
 * in so inner product ranks exactly as cosine; scores are cosine similarities.
 *
 * All usearch work runs in a worker thread; the database keeps answering meanwhile.
 *
 * @example
 * await using vectors = await VectorIndex.open(storage);
 * const { results, mode } = await vectors.search(queryVector, { model: 'all-MiniLM-L6-v2', k: 10 });
 */
export class VectorIndex extends EventEmitter<VectorIndexEvents> implements Extension {
  readonly name = 'vectors';
  readonly kind = 'derived';
  readonly storage: Storage;
  #context: ExtensionContext | undefined;
  /** Live changes, and the durable cursor: acknowledged at each snapshot, so the log is kept after it. */
  #follower: ChangeConsumer | undefined;
  /** The exact tier: candidate scoring and exact scans over an in-memory copy of the stored vectors (one per open). */
  #exact: ExactVectorSearch | undefined;
  /** Sequence of the last embedding change the serving replica applied. */
  #lastEmbeddingSeq = 0;
  /** Cursor acknowledged past the snapshot while no embedding changed (see `#coverWithoutSnapshot`). */
  #coveredAcked = 0;
  #covering: Promise<void> = Promise.resolve();
  readonly options: ResolvedVectorIndexOptions;
  readonly #params: HnswParams;
  #status: VectorIndexStatus = 'closed';
  #readiness: VectorReadiness = 'idle';
  #everOpened = false;
  #opening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #background: AbortController | undefined;
  #init: Promise<void> | undefined;
  /** The replica live updates go to (and searches, for spaces the local index cannot answer). */
  #serving: Replica | undefined;
  /** The main thread's search path: the mapped snapshot plus the changes since, fed with the serving replica's. */
  #local: LocalIndex | undefined;
  /** Replicas being loaded or built, stopped if the index closes. */
  readonly #preparing = new Set<Replica>();
  #maintenance: Promise<unknown> = Promise.resolve();
  #saveChain: Promise<unknown> = Promise.resolve();
  #autoSaving = false;
  #autoRecovered = false;
  #rebuilding = false;
  #snapshotSeq: number | undefined;
  #sinceSnapshot = 0;
  #lastSnapshot: VectorSnapshotInfo | undefined;
  #ready: VectorReadyInfo | undefined;
  #lastError: DbError | undefined;
  /** Notified whenever the index advances (readiness, catch-up, promotion, close). */
  readonly #progress = new ProgressSignal();

  constructor(storage: Storage, options: VectorIndexOptions = {}) {
    super();
    this.storage = storage;
    this.options = resolveVectorIndexOptions(storage.location, options);
    this.#params = {
      connectivity: this.options.connectivity,
      expansionAdd: this.options.expansionAdd,
      expansionSearch: this.options.expansionSearch,
    };
  }

  /** Creates an index and opens it as an extension of the storage; it loads in the background (see `whenReady`). */
  static async open(storage: Storage, options: VectorIndexOptions = {}): Promise<VectorIndex> {
    const index = new VectorIndex(storage, options);
    await storage.addExtension(index);
    return index;
  }

  get status(): VectorIndexStatus {
    return this.#status;
  }

  get readiness(): VectorReadiness {
    return this.#readiness;
  }

  /**
   * Starts following the storage and loading the index in the background; resolves at
   * once (idempotent). The storage must be open.
   */
  async open(context?: ExtensionContext): Promise<void> {
    if (context !== undefined) this.#context = context;
    else if (this.#context === undefined) return this.storage.addExtension(this);
    if (this.#status === 'open') return;
    if (this.#opening) return this.#opening;
    if (this.#closing) await this.#closing;
    this.#opening = (async () => {
      if (this.storage.status !== 'open') throw new DbError('NOT_OPEN', 'the storage must be open before its vector index');
      this.#status = 'opening';
      this.#background = new AbortController();
      this.#readiness = 'loading';
      this.#ready = undefined;
      this.#lastError = undefined;
      this.#autoRecovered = false;
      this.#exact = new ExactVectorSearch(this.storage, { cacheBytes: this.options.exactCacheBytes });
      this.#follower = this.#context!.consume({
        durable: true,
        after: this.storage.lastSeq,
        handle: (stretch) => this.#handleStretch(stretch),
      });
      this.#everOpened = true;
      this.#status = 'open';
      this.#init = this.#initialize(this.#background.signal).catch((err: unknown) => this.#backgroundFailure(err));
    })().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  /** Stops following the storage, saves a snapshot if changes were applied, stops the workers (idempotent). */
  async close(): Promise<void> {
    if (this.#status === 'closed') return;
    if (this.#closing) return this.#closing;
    if (this.#opening) await this.#opening.catch(() => undefined);
    if (this.#status !== 'open') return;
    this.#status = 'closing';
    this.#closing = (async () => {
      try {
        // Stops live changes; the follower stays to acknowledge the snapshot saved below.
        await this.#follower?.stop();
        this.#background?.abort(new DbError('NOT_OPEN', 'vector index is closing'));
        this.#progress.notify();
        await this.#init?.catch(() => undefined);
        await this.#maintenance.catch(() => undefined);
        await this.#saveChain.catch(() => undefined);
        await this.#covering;
        const replica = this.#serving;
        const unsaved = this.#snapshotSeq === undefined || (replica !== undefined && replica.seq > this.#snapshotSeq) || this.#sinceSnapshot > 0;
        if (replica !== undefined && replica.client.failure === undefined && this.options.snapshotOnClose && unsaved) {
          await this.#save(replica).catch((err: unknown) => this.#report(err));
        }
        await Promise.allSettled([...[replica, ...this.#preparing].map((r) => r?.client.close(true)), this.#exact?.close()]);
      } finally {
        this.#follower = undefined;
        this.#exact = undefined;
        // Closed before the storage: a later index may take its place.
        if (this.#context !== undefined) this.storage.detachExtension(this);
        this.#context = undefined;
        this.#serving = undefined;
        this.#local = undefined;
        this.#preparing.clear();
        this.#readiness = 'idle';
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

  #requireOpen(): void {
    if (this.#status !== 'open') {
      throw new DbError('NOT_OPEN', this.#everOpened ? 'vector index is closed' : 'vector index is not open');
    }
  }

  // ---------------------------------------------------------------- readiness

  /**
   * Resolves once the index is loaded (or built) and caught up; rejects with `TIMEOUT`
   * after `timeoutMs`, `UNAVAILABLE` if getting ready failed, `ABORTED` on the signal.
   */
  async whenReady(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    const deadline = options.timeoutMs === undefined ? Infinity : performance.now() + options.timeoutMs;
    for (;;) {
      this.#requireOpen();
      if (this.#serving !== undefined) return;
      if (this.#readiness === 'failed') {
        throw new DbError('UNAVAILABLE', `vector index failed to get ready: ${this.#lastError?.message ?? 'unknown error'}`, { cause: this.#lastError });
      }
      throwIfAborted(options.signal);
      const remaining = deadline - performance.now();
      if (remaining <= 0) throw new DbError('TIMEOUT', 'vector index is not ready yet');
      await this.#progress.next(remaining, options.signal);
    }
  }

  async #initialize(signal: AbortSignal): Promise<void> {
    const started = performance.now();
    for (let attempt = 0; ; attempt++) {
      const replica = new Replica(this.#params);
      this.#preparing.add(replica);
      try {
        this.#readiness = 'loading';
        const loaded = await replica.load(this.options.dir);
        let reason: string | undefined;
        // A snapshot still exact at a later sequence (no embedding changed since) covers through it.
        const covers = loaded.status === 'loaded' ? this.#coveredThrough(loaded.seq) : 0;
        if (loaded.status === 'loaded') reason = await this.#snapshotProblem(covers, loaded.params);
        else reason = loaded.status === 'missing' ? 'no snapshot' : `corrupt snapshot: ${loaded.reason}`;
        if (attempt > 0) reason = 'the change log was compacted during the build';
        throwIfAborted(signal);
        const localOptions = { deltaLimit: this.options.deltaLimit, expansionSearch: this.options.expansionSearch };
        let local: LocalIndex;
        if (reason !== undefined) {
          this.#readiness = 'building';
          await replica.reset();
          await this.#buildFromStore(replica, signal);
          // The store scan never passes through the local index: usable once a snapshot covers it.
          local = new LocalIndex({ ...localOptions, gapUntil: replica.seq });
        } else {
          const published = (loaded as Extract<typeof loaded, { status: 'loaded' }>).published;
          this.#snapshotSeq = published.seq;
          replica.seq = covers;
          this.#lastEmbeddingSeq = published.seq;
          local = new LocalIndex({ ...localOptions, published });
        }
        this.#readiness = 'catching-up';
        await this.#catchUpAndPromote(replica, signal, local);
        this.#readiness = 'ready';
        const info: VectorReadyInfo = {
          source: reason === undefined ? 'snapshot' : 'store',
          seq: replica.seq,
          ms: performance.now() - started,
          vectors: [...replica.spaces.values()].reduce((sum, s) => sum + s.count, 0),
        };
        if (reason !== undefined) info.reason = reason;
        this.#ready = info;
        this.#progress.notify();
        this.emit('ready', info);
        // A build is only worth keeping once it is on disk.
        if (reason !== undefined) this.#queueSave(replica, true);
        return;
      } catch (err) {
        this.#preparing.delete(replica);
        if (this.#serving !== replica) await replica.client.close(true);
        if (err instanceof StaleLogError && attempt === 0) continue;
        throw err;
      } finally {
        this.#preparing.delete(replica);
      }
    }
  }

  /** Why a loaded snapshot cannot be used, or `undefined` when it can. */
  async #snapshotProblem(seq: number, params: HnswParams): Promise<string | undefined> {
    if (params.connectivity !== this.#params.connectivity) {
      return `snapshot connectivity ${params.connectivity} differs from the configured ${this.#params.connectivity}`;
    }
    const lastSeq = this.storage.lastSeq;
    if (seq > lastSeq) return `snapshot covers seq ${seq} but the database ends at ${lastSeq}`;
    if (seq === lastSeq) return undefined;
    const [next] = await this.storage.readChanges({ after: seq, limit: 1 });
    if (next?.seq !== seq + 1) return `the change log was compacted past the snapshot (seq ${seq})`;
    return undefined;
  }

  async #buildFromStore(replica: Replica, signal: AbortSignal): Promise<void> {
    // Changes committed during the scan are replayed from the log afterwards; replaying
    // a change the scan already saw is a no-op in the worker.
    const seq = this.storage.lastSeq;
    const inFlight: Promise<unknown>[] = [];
    let batch = new ChangeBatch();
    const post = async (): Promise<void> => {
      inFlight.push(replica.apply(batch, this.options.threads));
      batch = new ChangeBatch();
      // Two batches in flight keep the worker busy without queueing the whole store in memory.
      if (inFlight.length >= 2) await inFlight.shift();
    };
    // LevelDB hands out small chunks (its read buffer holds ~10 embeddings of 384 floats);
    // usearch only spreads an add over its threads for large batches, so gather them first.
    for await (const chunk of this.storage.scanEmbeddings({ batchSize: this.options.batchSize, signal })) {
      for (const embedding of chunk) batch.upsert(embedding);
      if (batch.size >= this.options.batchSize) await post();
    }
    if (batch.size > 0) await post();
    await Promise.all(inFlight);
    replica.seq = seq;
  }

  /** One step of catch-up: the next stretch of the change log, applied as current records. */
  async #catchUpStep(replica: Replica, local: LocalIndex | undefined): Promise<void> {
    const after = replica.seq;
    const events = await this.storage.readChanges({ after, limit: this.options.batchSize });
    if (replica.seq !== after) return; // someone else advanced it meanwhile
    if (events.length === 0 || events[0]!.seq !== after + 1) throw new StaleLogError(after);
    const ids = [...new Set(events.filter((e) => e.entity === 'embedding').map((e) => e.id))];
    const batch = new ChangeBatch();
    if (ids.length > 0) {
      // The current record, not the one of the event: deletes and later updates win.
      const records = this.storage.getEmbeddingsSync(ids);
      ids.forEach((id, i) => {
        const record = records[i];
        if (record === undefined) batch.remove(id);
        else batch.upsert(record);
      });
    }
    const seq = events[events.length - 1]!.seq;
    if (batch.size > 0 && replica === this.#serving) this.#lastEmbeddingSeq = seq;
    const ack = batch.size > 0 ? replica.apply(batch, this.options.threads) : undefined;
    if (batch.size > 0) local?.record(batch, seq);
    replica.seq = seq;
    if (replica === this.#serving) this.#counted(batch.size, replica);
    this.#progress.notify();
    await ack;
  }

  /**
   * Catches a replica up with the log and makes it the serving one, in the same tick as
   * the final check. `local` (a new main-thread index for it) records the catch-up; without
   * it, the current local index keeps going — it already saw these changes through the
   * replica being replaced.
   */
  async #catchUpAndPromote(replica: Replica, signal: AbortSignal, local?: LocalIndex): Promise<void> {
    for (;;) {
      throwIfAborted(signal);
      if (replica.seq >= this.storage.lastSeq) {
        const previous = this.#serving;
        this.#serving = replica;
        if (local !== undefined) this.#local = local;
        this.#preparing.delete(replica);
        if (previous !== undefined && previous !== replica) void previous.client.close();
        this.#progress.notify();
        return;
      }
      await this.#catchUpStep(replica, local);
    }
  }

  // ---------------------------------------------------------------- live updates

  #handleStretch(info: ChangeStretch): void {
    const replica = this.#serving;
    if (replica === undefined || this.#status !== 'open' || replica.pumping || replica.stale) return;
    if (info.changes === undefined) {
      // Read back from the log, without records: the pump reads the current ones.
      this.#pump(replica);
      return;
    }
    const first = info.events[0]?.seq;
    if (first === undefined) return;
    if (first !== replica.seq + 1 || replica.inFlight > this.options.maxInFlight) {
      // Behind or flooded: read from the log at the worker's pace instead.
      this.#pump(replica);
      return;
    }
    const batch = new ChangeBatch();
    for (const change of info.changes) {
      if (change.entity !== 'embedding') continue;
      if (change.op === 'delete' || change.after === undefined) batch.remove(change.id);
      else batch.upsert(change.after);
    }
    const seq = info.events[info.events.length - 1]!.seq;
    if (batch.size > 0) {
      this.#lastEmbeddingSeq = seq;
      replica.apply(batch, this.options.threads).catch((err: unknown) => this.#replicaFailed(replica, err));
      this.#local?.record(batch, seq);
      this.#counted(batch.size, replica);
    }
    replica.seq = seq;
    this.#coverWithoutSnapshot(replica);
    this.#progress.notify();
  }

  /** The sequence a snapshot taken at `seq` is known to be exact through (the recorded marker, else `seq`). */
  #coveredThrough(seq: number): number {
    const bytes = this.#context?.keyspace.getSync(COVERED_KEY);
    if (bytes === undefined) return seq;
    const [snapshotSeq, through] = decodeRecord<[number, number]>(bytes, COVERED_KEY);
    return snapshotSeq === seq && through > seq && through <= this.storage.lastSeq ? through : seq;
  }

  /**
   * While no embedding changes, the last snapshot stays exact as the log moves on: record
   * that (a marker in the index's key space) and acknowledge, so storage can compact the
   * log even when nothing is embedded for a long time (the weaver off, say).
   */
  #coverWithoutSnapshot(replica: Replica): void {
    const snapshotSeq = this.#snapshotSeq;
    if (snapshotSeq === undefined || this.#lastEmbeddingSeq > snapshotSeq || this.#follower === undefined) return;
    if (replica.seq - Math.max(this.#coveredAcked, snapshotSeq) < COVER_EVERY) return;
    const through = replica.seq;
    this.#coveredAcked = through;
    const follower = this.#follower;
    this.#covering = this.#covering
      .then(async () => {
        await this.#context!.write([{ type: 'put', key: COVERED_KEY, value: encodeRecord([snapshotSeq, through]) }]);
        await follower.ack(through);
      })
      .catch((err: unknown) => this.#report(err));
  }

  /** Catches the serving replica up from the log; live updates resume when it is level. */
  #pump(replica: Replica): void {
    if (replica.pumping) return;
    replica.pumping = true;
    void (async () => {
      try {
        for (;;) {
          if (this.#serving !== replica || this.#status !== 'open') break;
          // Checked and cleared in one tick, so no commit slips between the two.
          if (replica.seq >= this.storage.lastSeq) break;
          await this.#catchUpStep(replica, this.#local);
        }
        replica.pumping = false;
        this.#progress.notify();
      } catch (err) {
        replica.pumping = false;
        this.#replicaFailed(replica, err);
        this.#progress.notify();
      }
    })();
  }

  #counted(changes: number, replica: Replica): void {
    this.#sinceSnapshot += changes;
    const every = this.options.snapshotEvery;
    if (every === 0 || this.#autoSaving) return;
    let vectors = 0;
    for (const space of replica.spaces.values()) vectors += space.count;
    if (this.#sinceSnapshot >= Math.max(every, Math.ceil(vectors * 0.02))) this.#queueSave(replica, true);
  }

  #replicaFailed(replica: Replica, err: unknown): void {
    if (this.#status !== 'open') return;
    this.#report(err);
    if (this.#serving !== replica || this.storage.status !== 'open') return;
    if (err instanceof StaleLogError) {
      // Someone compacted the log past us: only the store can bring the index back. Until
      // then the replica keeps answering, frozen at its sequence.
      if (!replica.stale) {
        replica.stale = true;
        void this.rebuild().catch((e: unknown) => this.#report(e));
      }
      return;
    }
    this.#serving = undefined;
    this.#local = undefined;
    this.#readiness = 'failed';
    void replica.client.close(true);
    this.#progress.notify();
    if (!this.#autoRecovered) {
      this.#autoRecovered = true;
      void this.rebuild().catch((e: unknown) => this.#report(e));
    }
  }

  #report(err: unknown): void {
    const error = toDbError(err);
    if (error.code === 'ABORTED' || (error.code === 'NOT_OPEN' && this.#status !== 'open')) return;
    this.#lastError = error;
    if (this.listenerCount('background-error') > 0) this.emit('background-error', error);
  }

  #backgroundFailure(err: unknown): void {
    if (this.#status !== 'open') return;
    this.#report(err);
    if (this.#serving === undefined) this.#readiness = 'failed';
    this.#progress.notify();
  }

  // ---------------------------------------------------------------- search

  /**
   * The `k` nodes nearest to `vector` in the space of `model` (cosine similarity), one per
   * node. Answered by the HNSW graph when the index is ready and caught up; before that
   * it waits up to `waitMs`, then scans the embeddings store exactly — `mode` says which.
   *
   * @example
   * const { results, mode } = await vectors.search(query, { model: 'all-MiniLM-L6-v2', k: 5, filter: (id) => id.startsWith('msg_') });
   */
  async search(vector: Float32Array | Float64Array | readonly number[], options: VectorSearchOptions): Promise<VectorSearchResult> {
    this.#requireOpen();
    const { model, k, dims } = this.#parseSearch(options);
    const query = queryVector(vector);
    if (dims !== undefined && dims !== query.length) throw invalid('vector', `has ${query.length} components, expected dims = ${dims}`);
    const filter = options.filter;
    if (filter !== undefined && typeof filter !== 'function') throw invalid('filter', 'expected a function');
    const allowed = options.candidates === undefined ? undefined : this.#nodeIdSet(options.candidates, 'candidates');
    const accept =
      allowed === undefined ? filter : filter === undefined ? (id: string) => allowed.has(id) : (id: string) => allowed.has(id) && filter(id);
    const waitMs = options.waitMs ?? this.options.waitMs;
    if (!Number.isFinite(waitMs) || waitMs < 0) throw invalid('waitMs', 'expected a non-negative number');
    const { signal } = options;
    throwIfAborted(signal);

    if (allowed !== undefined && allowed.size <= this.options.exactCandidates) {
      const seq = this.storage.lastSeq;
      const scored = (await this.exact.scoreNodes(query, [...allowed], { model, signal })).sort(compareHits);
      const results = (filter === undefined ? scored : scored.filter((hit) => filter(hit.nodeId))).slice(0, k);
      return { results, mode: 'exact', waitedMs: 0, seq };
    }
    if (options.exact === true) return this.#exactScan(query, model, k, accept, 0, signal);

    const started = performance.now();
    const target = this.storage.lastSeq;
    const replica = await this.#awaitServing(target, started + waitMs, signal);
    const waitedMs = performance.now() - started;
    if (replica === undefined) return this.#exactScan(query, model, k, accept, waitedMs, signal);
    const space = embeddingSpace(model, query.length);
    this.#checkSpace(replica, space, model, query.length);
    const seq = replica.seq;
    const local = this.#local;
    if (local !== undefined && local.usable(space)) {
      const results = local.search(space, query, k, accept, MAX_GRAPH_K);
      if (results !== undefined) return { results, mode: 'hnsw', waitedMs, seq };
      return this.#exactScan(query, model, k, accept, waitedMs, signal);
    }
    let results: VectorHit[] | undefined;
    try {
      results = await this.#searchGraph(replica, space, query, k, accept, signal);
    } catch (err) {
      // A worker that died mid-search: the store still has the answer.
      if (replica.client.failure === undefined) throw err;
      return this.#exactScan(query, model, k, accept, waitedMs, signal);
    }
    if (results === undefined) return this.#exactScan(query, model, k, accept, waitedMs, signal);
    return { results, mode: 'hnsw', waitedMs, seq };
  }

  #parseSearch(options: VectorSearchOptions): { model: string; k: number; dims: number | undefined } {
    if (options === null || typeof options !== 'object') throw invalid('options', 'expected an object with a model');
    const { model, dims } = options;
    const k = options.k ?? 10;
    if (typeof model !== 'string' || model.length === 0) throw invalid('model', 'expected a non-empty model id');
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw invalid('k', `expected an integer from 1 to ${MAX_K}`);
    if (dims !== undefined && (!Number.isInteger(dims) || dims < 1)) throw invalid('dims', 'expected a positive integer');
    return { model, k, dims };
  }

  #nodeIdSet(ids: Iterable<string>, field: string): Set<string> {
    if (ids === null || typeof ids !== 'object' || typeof (ids as Iterable<string>)[Symbol.iterator] !== 'function') {
      throw invalid(field, 'expected an iterable of node ids');
    }
    const set = new Set<string>();
    for (const id of ids) {
      if (typeof id !== 'string') throw invalid(field, 'expected node ids (strings)');
      set.add(id);
    }
    return set;
  }

  /** The serving replica once it reflects `target`; at the deadline, whatever serves (maybe none). */
  async #awaitServing(target: number, deadline: number, signal: AbortSignal | undefined): Promise<Replica | undefined> {
    for (;;) {
      this.#requireOpen();
      const replica = this.#serving;
      // A stale replica (log compacted past it) will not catch up; it answers until the rebuild lands.
      if (replica !== undefined && (replica.seq >= target || replica.stale)) return replica;
      throwIfAborted(signal);
      if (this.#readiness === 'failed' && replica === undefined) return undefined;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return replica;
      if (replica !== undefined && !replica.pumping && !replica.stale) this.#pump(replica);
      await this.#progress.next(remaining, signal);
    }
  }

  #checkSpace(replica: Replica, space: string, model: string, dims: number): void {
    if (replica.spaces.has(space)) return;
    const other = [...replica.spaces.values()].find((s) => s.model === model);
    if (other !== undefined) throw invalid('vector', `has ${dims} components; model ${model} is indexed with ${other.dims} dimensions`);
    throw new DbError('NOT_FOUND', `no embeddings of model ${model} with ${dims} dimensions are indexed`, { details: { field: 'model' } });
  }

  async #searchGraph(
    replica: Replica,
    space: string,
    query: Float32Array,
    k: number,
    accept: ((nodeId: string) => boolean) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<VectorHit[] | undefined> {
    // Oversample when results may be dropped (filters) or merged (several embeddings per node).
    let wanted = accept === undefined ? k : Math.min(MAX_GRAPH_K, Math.max(4 * k, k + 32));
    for (;;) {
      const response = await replica.client.call({ op: 'search', space, vector: query, k: wanted });
      const top = new TopNodes(k);
      for (let i = 0; i < response.ids.length; i++) {
        const nodeId = response.nodeIds[i]!;
        if (accept === undefined || accept(nodeId)) top.offer({ nodeId, embeddingId: response.ids[i]!, score: response.scores[i]! });
      }
      if (top.size >= k || response.ids.length < wanted || wanted >= response.count) return top.results();
      if (wanted >= MAX_GRAPH_K) return undefined;
      throwIfAborted(signal);
      wanted = Math.min(MAX_GRAPH_K, response.count, wanted * 4);
    }
  }

  /** Exact cosine over every embedding of the space (the exact tier). */
  async #exactScan(
    query: Float32Array,
    model: string,
    k: number,
    accept: ((nodeId: string) => boolean) | undefined,
    waitedMs: number,
    signal: AbortSignal | undefined,
  ): Promise<VectorSearchResult> {
    const exact = this.exact;
    await exact.ready();
    const dims = exact.dims(model);
    if (dims === undefined) {
      throw new DbError('NOT_FOUND', `no embeddings of model ${model} with ${query.length} dimensions are stored`, { details: { field: 'model' } });
    }
    if (dims !== query.length) {
      throw invalid('vector', `has ${query.length} components; model ${model} is stored with ${dims} dimensions`);
    }
    const { results, seq } = await exact.search(query, { model, k, filter: accept, signal });
    return { results, mode: 'exact', waitedMs, seq };
  }

  /**
   * Exact cosine similarity of `vector` against the embeddings (of `model`) of the given
   * nodes, read from the store — for ranking a small candidate set. Best first, one hit
   * per node; nodes with no embedding in the space are left out.
   *
   * @example
   * const hits = await vectors.scoreNodes(query, chatMessageIds, { model: 'all-MiniLM-L6-v2' });
   */
  async scoreNodes(vector: Float32Array | Float64Array | readonly number[], nodeIds: Iterable<string>, options: ScoreNodesOptions): Promise<VectorHit[]> {
    this.#requireOpen();
    if (options === null || typeof options !== 'object' || typeof options.model !== 'string' || options.model.length === 0) {
      throw invalid('model', 'expected a non-empty model id');
    }
    const query = queryVector(vector);
    if (options.dims !== undefined && options.dims !== query.length) {
      throw invalid('vector', `has ${query.length} components, expected dims = ${options.dims}`);
    }
    const ids = this.#nodeIdSet(nodeIds, 'nodeIds');
    return (await this.exact.scoreNodes(query, [...ids], { model: options.model, signal: options.signal })).sort(compareHits);
  }

  /**
   * The index's exact tier (in-memory vectors, loaded in the background from its first
   * use): the query planner scores candidate sets with it, and searches fall back to it
   * while the graph is loading. `NOT_OPEN` while the index is closed.
   */
  get exact(): ExactVectorSearch {
    const exact = this.#exact;
    if (exact === undefined || this.#status !== 'open') throw new DbError('NOT_OPEN', this.#everOpened ? 'vector index is closed' : 'vector index is not open');
    void exact.open();
    return exact;
  }

  // ---------------------------------------------------------------- introspection

  /** The spaces indexed, with their vector counts (as of the last batch the worker confirmed). */
  spaces(): SpaceInfo[] {
    this.#requireOpen();
    return [...(this.#serving?.spaces.values() ?? [])].map((s) => ({ ...s }));
  }

  /** Vectors indexed in one space (`embeddingSpace(model, dims)`), or in all spaces. */
  count(space?: string): number {
    const spaces = this.spaces();
    return spaces.filter((s) => space === undefined || s.space === space).reduce((sum, s) => sum + s.count, 0);
  }

  stats(): VectorIndexStats {
    const serving = this.#serving;
    const spaces = [...(serving?.spaces.values() ?? [])].map((s) => ({ ...s }));
    const seq = serving?.seq ?? 0;
    const lastSeq = this.storage.status === 'open' ? this.storage.lastSeq : seq;
    return {
      status: this.#status,
      readiness: this.#readiness,
      seq,
      lag: Math.max(0, lastSeq - seq),
      snapshotSeq: this.#snapshotSeq,
      lastSnapshot: this.#lastSnapshot,
      ready: this.#ready,
      rebuilding: this.#rebuilding,
      mapped: this.#local === undefined ? undefined : { seq: this.#local.seq, delta: this.#local.deltaSize },
      spaces,
      vectors: spaces.reduce((sum, s) => sum + s.count, 0),
      params: { ...this.#params },
      dir: this.options.dir,
      lastError: this.#lastError === undefined ? undefined : { code: this.#lastError.code, message: this.#lastError.message },
    };
  }

  // ---------------------------------------------------------------- snapshots

  /**
   * Saves a snapshot now (in the worker) and returns what it covers. Waits for the index
   * to be ready first. Snapshots are also saved every `snapshotEvery` changes and on close.
   */
  async saveSnapshot(options: { signal?: AbortSignal } = {}): Promise<VectorSnapshotInfo> {
    this.#requireOpen();
    await this.whenReady(options);
    return this.#save(this.#serving!);
  }

  #queueSave(replica: Replica, automatic: boolean): void {
    if (automatic) this.#autoSaving = true;
    this.#save(replica)
      .catch((err: unknown) => this.#report(err))
      .finally(() => {
        if (automatic) this.#autoSaving = false;
      });
  }

  /** Saves are serialised: each one covers at least what was applied when it was asked for. */
  #save(requested: Replica): Promise<VectorSnapshotInfo> {
    const run = this.#saveChain.catch(() => undefined).then(async () => {
      // After a rebuild, the promoted replica is the one to save.
      const replica = this.#serving ?? requested;
      const seq = replica.seq;
      const counted = this.#sinceSnapshot;
      const started = performance.now();
      const saved = await replica.client.call({ op: 'save', dir: this.options.dir, seq });
      this.#snapshotSeq = saved.seq;
      await this.#follower?.ack(saved.seq).catch((err: unknown) => this.#report(err));
      const ms = performance.now() - started;
      // The snapshot just written becomes the main thread's base (its delta is cut back).
      const mapping = performance.now();
      if (this.#local !== undefined && this.#serving !== undefined) this.#local.publish(saved.published);
      const mapMs = performance.now() - mapping;
      this.#sinceSnapshot = Math.max(0, this.#sinceSnapshot - counted);
      const info: VectorSnapshotInfo = { seq: saved.seq, bytes: saved.bytes, ms, mapMs, at: Date.now(), spaces: saved.spaces };
      this.#lastSnapshot = info;
      this.emit('snapshot', info);
      return info;
    });
    this.#saveChain = run;
    return run;
  }

  // ---------------------------------------------------------------- verify / rebuild

  /**
   * Compares the index with the embeddings store, with writes paused: embeddings the
   * index lacks (`missing`), entries with no embedding (`extra`), and entries whose vector,
   * node or space changed (`mismatched`).
   */
  async verify(options: { signal?: AbortSignal } = {}): Promise<VectorDriftReport> {
    this.#requireOpen();
    await this.whenReady(options);
    return this.storage.exclusive(async () => {
      const target = this.storage.lastSeq;
      let replica = this.#serving;
      while (replica === undefined || replica.seq < target || replica.pumping) {
        this.#requireOpen();
        throwIfAborted(options.signal);
        if (replica !== undefined && !replica.pumping) this.#pump(replica);
        if (replica === undefined && this.#readiness === 'failed') throw new DbError('UNAVAILABLE', 'vector index failed', { cause: this.#lastError });
        await this.#progress.next(1_000, options.signal);
        replica = this.#serving;
      }
      const { spaces } = await replica.client.call({ op: 'entries' });
      return compareWithStore(spaces, this.storage, { seq: target, batchSize: this.options.batchSize, signal: options.signal });
    });
  }

  /**
   * Rebuilds every space from the embeddings store in a new worker while the current
   * index keeps answering, catches it up, swaps it in and saves a snapshot.
   */
  async rebuild(options: { signal?: AbortSignal } = {}): Promise<VectorRebuildResult> {
    this.#requireOpen();
    const run = this.#maintenance.catch(() => undefined).then(async () => {
      this.#requireOpen();
      await this.#init?.catch(() => undefined);
      const background = this.#background!.signal;
      const signal = options.signal === undefined ? background : AbortSignal.any([options.signal, background]);
      const started = performance.now();
      this.#rebuilding = true;
      const replica = new Replica(this.#params);
      this.#preparing.add(replica);
      try {
        if (this.#serving === undefined) this.#readiness = 'building';
        await this.#buildFromStore(replica, signal);
        // A fresh main-thread index: it answers once the snapshot saved below covers the build.
        const local = new LocalIndex({ deltaLimit: this.options.deltaLimit, expansionSearch: this.options.expansionSearch, gapUntil: replica.seq });
        await this.#catchUpAndPromote(replica, signal, local);
      } catch (err) {
        this.#preparing.delete(replica);
        if (this.#serving !== replica) await replica.client.close(true);
        throw err;
      } finally {
        this.#rebuilding = false;
      }
      this.#readiness = 'ready';
      this.#lastError = undefined;
      const vectors = [...replica.spaces.values()].reduce((sum, s) => sum + s.count, 0);
      this.#ready = { source: 'store', reason: 'rebuild', seq: replica.seq, ms: performance.now() - started, vectors };
      this.#progress.notify();
      this.emit('ready', this.#ready);
      await this.#save(replica);
      return { vectors, seq: replica.seq, ms: performance.now() - started };
    });
    this.#maintenance = run;
    return run;
  }
}
