import { storageError } from './storage-errors.js';
import {
  abortedError,
  applyNodePatch,
  chatIdOf,
  DbError,
  nodeTypeOfId,
  recordKindOfId,
  type ChangeEvent,
  type Edge,
  type Embedding,
  type Node,
} from '@tabagent/common';
import { decodeEmbedding, decodeRecord, encodeEmbedding, encodeRecord } from './codec.js';
import type { Engine, Sublevel } from './engine.js';
import type { ExtensionBatch, RecordChange } from './extension.js';
import {
  EDGE_STORE,
  EMBEDDING_STORE,
  edgeRefKey,
  embeddingRefKey,
  refRange,
  refTarget,
  seqKey,
  STORE_OF_TYPE,
} from './layout.js';
import type { BatchOp, CommitOptions, CommitResult, OpResult } from './write-batch.js';

type AnyRecord = Node | Edge | Embedding;
type LevelOp =
  | { type: 'put'; sublevel: Sublevel; key: string; value: Uint8Array }
  | { type: 'del'; sublevel: Sublevel; key: string };

interface BatchRequest {
  type: 'batch';
  ops: BatchOp[];
  options: CommitOptions;
  resolve(result: CommitResult): void;
  reject(error: unknown): void;
}

interface ExclusiveRequest {
  type: 'exclusive';
  run(): Promise<void>;
}

type Request = BatchRequest | ExclusiveRequest;

/** Fired after a group of batches is durably committed. */
export interface CommitInfo {
  events: ChangeEvent[];
  changes: RecordChange[];
}

const EMPTY = new Uint8Array(0);
/** Requests merged into one LevelDB batch at most (group commit). */
const MAX_GROUP = 256;

/**
 * Records written by the batches of the current group but not yet committed, layered:
 * each request writes into its own layer, merged into the group's only if it succeeds,
 * so a failing request leaves no trace while later ones still see earlier ones' writes.
 */
class Overlay {
  readonly records = new Map<string, AnyRecord | null>();
  // nodeId → (ref key → present?); made on first use (only edges and embeddings have refs)
  #refs: Map<string, Map<string, boolean>> | undefined;

  constructor(readonly parent?: Overlay) {}

  lookup(id: string): AnyRecord | null | undefined {
    return this.records.has(id) ? this.records.get(id) : this.parent?.lookup(id);
  }

  setRef(nodeId: string, key: string, present: boolean): void {
    this.#refs ??= new Map();
    let refs = this.#refs.get(nodeId);
    if (refs === undefined) this.#refs.set(nodeId, (refs = new Map()));
    refs.set(key, present);
  }

  /** Ref changes for a node, parent first so that child layers win. */
  refChanges(nodeId: string, into: Map<string, boolean> = new Map()): Map<string, boolean> {
    this.parent?.refChanges(nodeId, into);
    for (const [key, present] of this.#refs?.get(nodeId) ?? []) into.set(key, present);
    return into;
  }

  mergeInto(target: Overlay): void {
    for (const [id, record] of this.records) target.records.set(id, record);
    if (this.#refs === undefined) return;
    for (const [nodeId, refs] of this.#refs) for (const [key, present] of refs) target.setRef(nodeId, key, present);
  }
}

/**
 * The single writer. Batches queue up and are applied in order; whatever queued while
 * one LevelDB write was in flight is merged into the next (group commit), which keeps
 * sequence numbers gap-free, lets extensions see every change in order, and shares
 * one fsync among many commits in `sync` mode.
 */
export class Writer {
  readonly #engine: Engine;
  readonly #onCommit: (info: CommitInfo) => void;
  #queue: Request[] = [];
  #running: Promise<void> | undefined;
  #lastSeq: number;
  /**
   * Ids of chats and messages known to exist, so that inserting the n-th message of a
   * chat does not read the chat again. Sound because every write passes through this
   * writer: deletes evict, and only committed writes are added. New chats are added as
   * they commit; messages only once something references them (an attachment, say), so
   * a stream of new messages neither churns the cache nor pushes its chats out.
   */
  readonly #knownTargets = new Set<string>();

  /** Called when a write failed for a full disk: true when the database was made writable again (retry once). */
  readonly #recoverDiskFull: (error: DbError) => Promise<boolean>;

  constructor(engine: Engine, lastSeq: number, onCommit: (info: CommitInfo) => void, recoverDiskFull: (error: DbError) => Promise<boolean> = async () => false) {
    this.#engine = engine;
    this.#lastSeq = lastSeq;
    this.#onCommit = onCommit;
    this.#recoverDiskFull = recoverDiskFull;
  }

  /** One LevelDB write; after a full disk, LevelDB may refuse every later write until reopened: the storage does that once space returns. */
  async #writeLevel(levelOps: LevelOp[]): Promise<void> {
    const write = async (): Promise<void> => {
      // Pass options only when needed: abstract-level copies them into every
      // operation, which made 1,000-node batches ~3× slower when measured.
      if (this.#engine.options.durability === 'sync') await this.#engine.db.batch(levelOps as never, { sync: true });
      else await this.#engine.db.batch(levelOps as never);
    };
    try {
      // A reopen after a full disk that failed (still no room) left the database closed.
      if (this.#engine.db.status !== 'open') throw new DbError('DISK_FULL', 'the database is closed after a full disk');
      await write();
    } catch (err) {
      const error = storageError(err);
      if (error.code !== 'DISK_FULL' || !(await this.#recoverDiskFull(error).catch(() => false))) throw error;
      await write();
    }
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  submit(ops: BatchOp[], options: CommitOptions): Promise<CommitResult> {
    if (ops.length > this.#engine.options.maxBatchOps) {
      return Promise.reject(
        new DbError('TOO_LARGE', `a batch holds at most ${this.#engine.options.maxBatchOps} operations, got ${ops.length}`),
      );
    }
    return new Promise<CommitResult>((resolve, reject) => {
      this.#queue.push({ type: 'batch', ops, options, resolve, reject });
      this.#running ??= this.#drain();
    });
  }

  /**
   * Runs `fn` with no batch in flight and none starting until it settles — for work
   * that must see a quiet database (index rebuilds, consistent snapshots).
   */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({
        type: 'exclusive',
        run: async () => {
          try {
            resolve(await fn());
          } catch (err) {
            reject(err);
          }
        },
      });
      this.#running ??= this.#drain();
    });
  }

  /** Resolves when every queued batch has been written. */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const head = this.#queue[0]!;
        if (head.type === 'exclusive') {
          this.#queue.shift();
          await head.run();
          continue;
        }
        let end = 1;
        while (end < this.#queue.length && end < MAX_GROUP && this.#queue[end]!.type === 'batch') end++;
        await this.#writeGroup(this.#queue.splice(0, end) as BatchRequest[]);
      }
    } finally {
      this.#running = undefined;
    }
  }

  #trackTargets(changes: readonly RecordChange[]): void {
    for (const change of changes) {
      if (change.entity !== 'node') continue;
      if (change.op === 'delete') this.#knownTargets.delete(change.id);
      else if (change.after !== undefined && EAGER_TARGETS.has(change.after.type)) rememberTarget(this.#knownTargets, change.id);
    }
  }

  async #writeGroup(group: BatchRequest[]): Promise<void> {
    const groupOverlay = new Overlay();
    const levelOps: LevelOp[] = [];
    const changes: RecordChange[] = [];
    const events: ChangeEvent[] = [];
    const accepted: { request: BatchRequest; result: CommitResult }[] = [];
    let nextSeq = this.#lastSeq + 1;
    const at = this.#engine.options.now();

    for (const request of group) {
      if (request.options.signal?.aborted) {
        request.reject(abortedError(request.options.signal, 'commit aborted before it started'));
        continue;
      }
      const overlay = new Overlay(groupOverlay);
      const apply = new BatchApplication(this.#engine, overlay, nextSeq, at, this.#knownTargets);
      try {
        const results = await apply.run(request.ops);
        overlay.mergeInto(groupOverlay);
        levelOps.push(...apply.levelOps);
        changes.push(...apply.changes);
        events.push(...apply.events);
        const firstSeq = apply.events.length > 0 ? nextSeq : 0;
        nextSeq += apply.events.length;
        accepted.push({ request, result: { firstSeq, lastSeq: firstSeq === 0 ? 0 : nextSeq - 1, results } });
      } catch (err) {
        request.reject(DbError.from(err));
      }
    }
    if (accepted.length === 0) return;

    try {
      if (changes.length > 0) {
        for (const { extension, keyspace: sublevel } of this.#engine.appliers) {
          const batch: ExtensionBatch = {
            put: (key, value) => levelOps.push({ type: 'put', sublevel, key, value }),
            del: (key) => levelOps.push({ type: 'del', sublevel, key }),
          };
          await extension.apply!(changes, batch);
        }
      }
      if (levelOps.length > 0) await this.#writeLevel(levelOps);
    } catch (err) {
      const error = DbError.is(err) ? err : storageError(err);
      for (const { request } of accepted) request.reject(error);
      return;
    }
    this.#lastSeq = nextSeq - 1;
    this.#trackTargets(changes);
    for (const { request, result } of accepted) request.resolve(result);
    if (events.length > 0) this.#onCommit({ events, changes });
  }
}

/** Node fields that reference another node, with the kind they must reference. */
const REFERENCE_FIELDS = [
  ['chatId', 'Chat'],
  ['messageId', 'Message'],
] as const;

/**
 * Kinds remembered as reference targets as soon as they are written, because many
 * records will point at each (a chat's messages). Others are remembered once something
 * references them, so a stream of them does not churn the cache.
 */
const EAGER_TARGETS: ReadonlySet<string> = new Set([REFERENCE_FIELDS[0][1]]);

/** Reference targets whose existence the writer caches (bounded). */
const MAX_KNOWN_TARGETS = 10_000;

/** Adds a committed target to the bounded cache (cleared whole when full). */
function rememberTarget(targets: Set<string>, id: string): void {
  if (targets.size >= MAX_KNOWN_TARGETS) targets.clear();
  targets.add(id);
}

/** Applies one batch's operations against the overlay, collecting LevelDB ops and changes. */
class BatchApplication {
  readonly levelOps: LevelOp[] = [];
  readonly changes: RecordChange[] = [];
  readonly events: ChangeEvent[] = [];
  readonly #engine: Engine;
  readonly #overlay: Overlay;
  #seq: number;
  readonly #at: number;
  readonly #knownTargets: Set<string>;

  constructor(engine: Engine, overlay: Overlay, firstSeq: number, at: number, knownTargets: Set<string>) {
    this.#engine = engine;
    this.#knownTargets = knownTargets;
    this.#overlay = overlay;
    this.#seq = firstSeq;
    this.#at = at;
  }

  async run(ops: BatchOp[]): Promise<OpResult[]> {
    const results: OpResult[] = [];
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      // Only a node delete reads asynchronously (its reference keys); everything else
      // stays synchronous so a 1,000-op batch does not pay 1,000 promise turns.
      results.push(op.kind === 'deleteNode' ? await this.#deleteNode(op.id, `ops.${i}`) : this.#apply(op, `ops.${i}`));
    }
    return results;
  }

  async #deleteNode(id: string, field: string): Promise<OpResult> {
    const before = this.#requireNode(id, `${field}.id`);
    for (const edgeId of await this.#refs(id, 'e')) {
      const edge = this.#read(edgeId) as Edge | undefined;
      if (edge !== undefined) this.#removeEdge(edge);
    }
    for (const embeddingId of await this.#refs(id, 'm')) {
      const embedding = this.#read(embeddingId) as Embedding | undefined;
      if (embedding !== undefined) this.#removeEmbedding(embedding);
    }
    this.#write(id, null);
    this.#record({ entity: 'node', op: 'delete', id, before }, before.type, chatIdOf(before));
    return { kind: 'deleted', id };
  }

  #apply(op: Exclude<BatchOp, { kind: 'deleteNode' }>, field: string): OpResult {
    switch (op.kind) {
      case 'insertNode': {
        const existing = op.generatedId ? undefined : this.#read(op.node.id);
        if (existing !== undefined && op.ifExists === 'ignore') return { kind: 'node', record: existing as Node, op: 'ignored' };
        if (existing !== undefined && op.ifExists === 'error') {
          throw new DbError('CONFLICT', `${field}: node ${op.node.id} already exists`, { details: { field: `${field}.id`, id: op.node.id } });
        }
        this.#checkNodeReferences(op.node, field);
        if (existing === undefined) {
          this.#putNode(op.node, undefined);
          return { kind: 'node', record: op.node, op: 'insert' };
        }
        const before = existing as Node;
        if (before.type !== op.node.type) {
          throw new DbError('CONFLICT', `${field}: node ${op.node.id} exists with kind ${before.type}`, { details: { field: `${field}.type` } });
        }
        const replacement = { ...op.node, createdAt: before.createdAt } as Node;
        this.#putNode(replacement, before, Object.keys(replacement));
        return { kind: 'node', record: replacement, op: 'update' };
      }
      case 'updateNode': {
        const before = this.#requireNode(op.id, `${field}.id`);
        const { node, fields } = applyNodePatch(before, op.patch, this.#engine.options.now(), `${field}.patch`);
        this.#checkNodeReferences(node, `${field}.patch`);
        this.#putNode(node, before, fields);
        return { kind: 'node', record: node, op: 'update' };
      }
      case 'insertEdge': {
        const { edge } = op;
        const existing = this.#read(edge.id) as Edge | undefined;
        if (existing !== undefined && op.ifExists === 'ignore') return { kind: 'edge', record: existing, op: 'ignored' };
        if (existing !== undefined && op.ifExists === 'error') {
          throw new DbError('CONFLICT', `${field}: edge ${edge.id} already exists`, { details: { field: `${field}.id`, id: edge.id } });
        }
        // Edges always need both endpoints (whatever checkReferences says): a dangling
        // edge could never be found again by the cascade of a node delete.
        this.#requireNode(edge.from, `${field}.from`);
        this.#requireNode(edge.to, `${field}.to`);
        if (existing !== undefined) {
          this.#overlay.setRef(existing.from, edgeRefKey(existing.from, existing.id), false);
          this.#overlay.setRef(existing.to, edgeRefKey(existing.to, existing.id), false);
          this.#delRef(edgeRefKey(existing.from, existing.id));
          this.#delRef(edgeRefKey(existing.to, existing.id));
        }
        const record = existing === undefined ? edge : { ...edge, createdAt: existing.createdAt };
        this.#write(record.id, record);
        this.#putRef(record.from, edgeRefKey(record.from, record.id));
        this.#putRef(record.to, edgeRefKey(record.to, record.id));
        this.#record(
          { entity: 'edge', op: existing === undefined ? 'insert' : 'update', id: record.id, before: existing, after: record },
          record.type,
        );
        return { kind: 'edge', record, op: existing === undefined ? 'insert' : 'update' };
      }
      case 'deleteEdge': {
        const edge = this.#read(op.id);
        if (edge === undefined || recordKindOfId(op.id) !== 'edge') {
          throw new DbError('NOT_FOUND', `${field}: edge ${op.id} does not exist`, { details: { field: `${field}.id`, id: op.id } });
        }
        this.#removeEdge(edge as Edge);
        return { kind: 'deleted', id: op.id };
      }
      case 'putEmbedding': {
        const { embedding } = op;
        this.#requireNode(embedding.nodeId, `${field}.nodeId`);
        const existing = this.#read(embedding.id) as Embedding | undefined;
        if (existing !== undefined && existing.nodeId !== embedding.nodeId) {
          this.#overlay.setRef(existing.nodeId, embeddingRefKey(existing.nodeId, existing.id), false);
          this.#delRef(embeddingRefKey(existing.nodeId, existing.id));
        }
        this.#write(embedding.id, embedding);
        this.#putRef(embedding.nodeId, embeddingRefKey(embedding.nodeId, embedding.id));
        this.#record(
          { entity: 'embedding', op: existing === undefined ? 'insert' : 'update', id: embedding.id, before: existing, after: embedding },
          embedding.model,
          undefined,
          embedding.nodeId,
        );
        return { kind: 'embedding', record: embedding, op: existing === undefined ? 'insert' : 'update' };
      }
      case 'deleteEmbedding': {
        const embedding = this.#read(op.id);
        if (embedding === undefined || recordKindOfId(op.id) !== 'embedding') {
          throw new DbError('NOT_FOUND', `${field}: embedding ${op.id} does not exist`, { details: { field: `${field}.id`, id: op.id } });
        }
        this.#removeEmbedding(embedding as Embedding);
        return { kind: 'deleted', id: op.id };
      }
    }
  }

  #putNode(node: Node, before: Node | undefined, fields?: string[]): void {
    this.#write(node.id, node);
    const change: RecordChange = before === undefined
      ? { entity: 'node', op: 'insert', id: node.id, seq: 0, after: node }
      : { entity: 'node', op: 'update', id: node.id, seq: 0, before, after: node };
    this.#record(change, node.type, chatIdOf(node), undefined, fields);
  }

  #removeEdge(edge: Edge): void {
    this.#write(edge.id, null);
    this.#overlay.setRef(edge.from, edgeRefKey(edge.from, edge.id), false);
    this.#overlay.setRef(edge.to, edgeRefKey(edge.to, edge.id), false);
    this.#delRef(edgeRefKey(edge.from, edge.id));
    this.#delRef(edgeRefKey(edge.to, edge.id));
    this.#record({ entity: 'edge', op: 'delete', id: edge.id, before: edge }, edge.type);
  }

  #removeEmbedding(embedding: Embedding): void {
    this.#write(embedding.id, null);
    this.#overlay.setRef(embedding.nodeId, embeddingRefKey(embedding.nodeId, embedding.id), false);
    this.#delRef(embeddingRefKey(embedding.nodeId, embedding.id));
    this.#record({ entity: 'embedding', op: 'delete', id: embedding.id, before: embedding }, embedding.model, undefined, embedding.nodeId);
  }

  /** Appends the change, its change-log entry and its event. */
  #record(
    change: Omit<RecordChange, 'seq'> & { seq?: number },
    kind: string,
    chatId?: string,
    nodeId?: string,
    fields?: string[],
  ): void {
    const seq = this.#seq++;
    change.seq = seq;
    this.changes.push(change as RecordChange);
    const event: ChangeEvent = { seq, op: change.op, entity: change.entity, id: change.id, kind, at: this.#at };
    if (chatId !== undefined) event.chatId = chatId;
    if (change.entity === 'edge') {
      const edge = (change.after ?? change.before) as Edge;
      event.from = edge.from;
      event.to = edge.to;
    }
    if (nodeId !== undefined) event.nodeId = nodeId;
    if (fields !== undefined) event.fields = fields;
    this.events.push(event);
    this.levelOps.push({ type: 'put', sublevel: this.#engine.log, key: seqKey(seq), value: encodeRecord(event) });
  }

  #storeOf(id: string): Sublevel {
    const kind = recordKindOfId(id);
    if (kind === undefined) throw new DbError('INVALID_ARGUMENT', `unknown id prefix in ${JSON.stringify(id)}`, { details: { id } });
    if (kind === 'edge') return this.#engine.stores[EDGE_STORE];
    if (kind === 'embedding') return this.#engine.stores[EMBEDDING_STORE];
    return this.#engine.stores[STORE_OF_TYPE[kind]];
  }

  /** The current record: this group's writes first, then committed data. */
  #read(id: string): AnyRecord | undefined {
    const pending = this.#overlay.lookup(id);
    if (pending !== undefined) return pending ?? undefined;
    const kind = recordKindOfId(id);
    if (kind === undefined) return undefined;
    const bytes = this.#storeOf(id).getSync(id);
    if (bytes === undefined) return undefined;
    return kind === 'embedding' ? decodeEmbedding(bytes, id) : decodeRecord<AnyRecord>(bytes, id);
  }

  #requireNode(id: string, field: string): Node {
    const record = nodeTypeOfId(id) === undefined ? undefined : (this.#read(id) as Node | undefined);
    if (record === undefined) {
      throw new DbError('NOT_FOUND', `${field}: node ${id} does not exist`, { details: { field, id } });
    }
    return record;
  }

  #checkNodeReferences(node: Node, field: string): void {
    if (!this.#engine.options.checkReferences) return;
    for (const [name, expected] of REFERENCE_FIELDS) {
      const ref = (node as Record<string, unknown>)[name];
      if (typeof ref !== 'string') continue;
      // Known committed targets are valid unless this group deleted them.
      if (this.#knownTargets.has(ref) && this.#overlay.lookup(ref) !== null) continue;
      const target = nodeTypeOfId(ref) === expected ? (this.#read(ref) as Node | undefined) : undefined;
      if (target === undefined || target.type !== expected) {
        throw new DbError('NOT_FOUND', `${field}.${name}: ${expected} ${ref} does not exist`, {
          details: { field: `${field}.${name}`, id: ref },
        });
      }
      // Read through: a target found committed (not only in this group) stays known, so
      // the next messages of a chat skip the read even after the cache was cleared.
      if (this.#overlay.lookup(ref) === undefined) rememberTarget(this.#knownTargets, ref);
    }
  }

  #write(id: string, record: AnyRecord | null): void {
    this.#overlay.records.set(id, record);
    const sublevel = this.#storeOf(id);
    if (record === null) {
      this.levelOps.push({ type: 'del', sublevel, key: id });
      return;
    }
    const value = recordKindOfId(id) === 'embedding' ? encodeEmbedding(record as Embedding) : encodeRecord(record);
    if (value.byteLength > this.#engine.options.maxRecordBytes) {
      throw new DbError('TOO_LARGE', `record ${id} is ${value.byteLength} bytes; the limit is ${this.#engine.options.maxRecordBytes}`, {
        details: { id, bytes: value.byteLength },
      });
    }
    this.levelOps.push({ type: 'put', sublevel, key: id, value });
  }

  #putRef(nodeId: string, key: string): void {
    this.#overlay.setRef(nodeId, key, true);
    this.levelOps.push({ type: 'put', sublevel: this.#engine.refs, key, value: EMPTY });
  }

  #delRef(key: string): void {
    this.levelOps.push({ type: 'del', sublevel: this.#engine.refs, key });
  }

  /** Ids of the edges ('e') or embeddings ('m') of a node: committed refs plus this group's changes. */
  async #refs(nodeId: string, kind: 'e' | 'm'): Promise<string[]> {
    const keys = new Set(await this.#engine.refs.keys(refRange(nodeId, kind)).all());
    for (const [key, present] of this.#overlay.refChanges(nodeId)) {
      if (!key.startsWith(refRange(nodeId, kind).gte)) continue;
      if (present) keys.add(key);
      else keys.delete(key);
    }
    return [...keys].map(refTarget);
  }
}
