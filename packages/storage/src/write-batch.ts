import {
  buildEdge,
  buildEmbedding,
  buildNode,
  DbError,
  type Edge,
  type Embedding,
  type NewEdge,
  type NewEmbedding,
  type NewNode,
  type Node,
  type NodePatch,
} from '@tabagent/common';

/** What an insert does when a record with the same id already exists. */
export type IfExists = 'error' | 'ignore' | 'replace';

export interface InsertOptions {
  /** `error` (default): fail with `CONFLICT`; `ignore`: keep the stored record; `replace`: overwrite it. */
  ifExists?: IfExists;
}

/** One validated operation of a batch. */
export type BatchOp =
  | { kind: 'insertNode'; node: Node; ifExists: IfExists; generatedId: boolean }
  | { kind: 'updateNode'; id: string; patch: Record<string, unknown> }
  | { kind: 'deleteNode'; id: string }
  | { kind: 'insertEdge'; edge: Edge; ifExists: IfExists }
  | { kind: 'deleteEdge'; id: string }
  | { kind: 'putEmbedding'; embedding: Embedding }
  | { kind: 'deleteEmbedding'; id: string };

/** The outcome of each operation of a committed batch, in order. */
export type OpResult =
  | { kind: 'node'; record: Node; op: 'insert' | 'update' | 'ignored' }
  | { kind: 'edge'; record: Edge; op: 'insert' | 'update' | 'ignored' }
  | { kind: 'embedding'; record: Embedding; op: 'insert' | 'update' }
  | { kind: 'deleted'; id: string };

export interface CommitResult {
  /** Sequence number of the first change-log entry written (0 when nothing changed). */
  firstSeq: number;
  /** Sequence number of the last change-log entry written (0 when nothing changed). */
  lastSeq: number;
  results: OpResult[];
}

export interface CommitOptions {
  /** Abandons the commit if aborted before it starts writing. */
  signal?: AbortSignal;
}

type Committer = (ops: BatchOp[], options: CommitOptions) => Promise<CommitResult>;

function requireId(id: unknown, field: string): string {
  if (typeof id !== 'string' || id === '') {
    throw new DbError('INVALID_ARGUMENT', `${field}: expected a non-empty id`, { details: { field } });
  }
  return id;
}

/**
 * An atomic batch of writes across all stores: every operation is validated when it is
 * added, and `commit()` writes all of them — with their index entries and change-log
 * entries — or none.
 *
 * @example
 * const batch = storage.batch();
 * const chatId = batch.insertNode({ type: 'Chat', title: 'Trip' });
 * batch.insertNode({ type: 'Message', chatId, sender: 'me', role: 'user', content: 'Hi' });
 * await batch.commit();
 */
export class WriteBatch {
  readonly #ops: BatchOp[] = [];
  readonly #commit: Committer;
  readonly #now: () => number;
  #committed = false;

  /** @internal use `storage.batch()` */
  constructor(commit: Committer, now: () => number) {
    this.#commit = commit;
    this.#now = now;
  }

  get length(): number {
    return this.#ops.length;
  }

  #field(): string {
    return `ops.${this.#ops.length}`;
  }

  /** Adds a node (validated now); returns its id. */
  insertNode(input: NewNode, options: InsertOptions = {}): string {
    const node = buildNode(input, this.#now(), this.#field());
    // A freshly generated (ULID) id cannot exist yet, so its existence check is skipped.
    const generatedId = (input as { id?: unknown }).id === undefined;
    this.#ops.push({ kind: 'insertNode', node, ifExists: options.ifExists ?? 'error', generatedId });
    return node.id;
  }

  /** Patches a node; `null` removes an optional field. */
  updateNode(id: string, patch: NodePatch | Record<string, unknown>): this {
    const field = this.#field();
    requireId(id, `${field}.id`);
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
      throw new DbError('INVALID_ARGUMENT', `${field}.patch: expected an object`, { details: { field: `${field}.patch` } });
    }
    this.#ops.push({ kind: 'updateNode', id, patch: { ...patch } });
    return this;
  }

  /** Deletes a node with its edges and embeddings. */
  deleteNode(id: string): this {
    this.#ops.push({ kind: 'deleteNode', id: requireId(id, `${this.#field()}.id`) });
    return this;
  }

  /** Adds an edge between two existing nodes; returns its id. */
  insertEdge(input: NewEdge, options: InsertOptions = {}): string {
    const edge = buildEdge(input, this.#now(), this.#field());
    this.#ops.push({ kind: 'insertEdge', edge, ifExists: options.ifExists ?? 'error' });
    return edge.id;
  }

  deleteEdge(id: string): this {
    this.#ops.push({ kind: 'deleteEdge', id: requireId(id, `${this.#field()}.id`) });
    return this;
  }

  /** Stores (or replaces, by id) an embedding of an existing node; returns its id. */
  putEmbedding(input: NewEmbedding): string {
    const embedding = buildEmbedding(input, this.#now(), this.#field());
    this.#ops.push({ kind: 'putEmbedding', embedding });
    return embedding.id;
  }

  deleteEmbedding(id: string): this {
    this.#ops.push({ kind: 'deleteEmbedding', id: requireId(id, `${this.#field()}.id`) });
    return this;
  }

  /** Writes every operation atomically. A batch can be committed once. */
  async commit(options: CommitOptions = {}): Promise<CommitResult> {
    if (this.#committed) throw new DbError('CONFLICT', 'this batch was already committed');
    this.#committed = true;
    return this.#commit(this.#ops, options);
  }
}
