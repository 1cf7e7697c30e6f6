import type { Embedding } from '@tabagent/common';
import type { ChangeConsumer, ChangeStretch, Storage } from '@tabagent/storage';
import { norm } from './cosine.js';

/** One embedding of a node: its id, and its row in the space's matrix when cached (else -1). */
export interface Slot {
  id: string;
  row: number;
}

/** The embeddings of one space (model) as the scorer sees them. */
export interface SpaceView {
  dims: number;
  /** Cached vectors, row-major: row r is `matrix[r × dims … (r + 1) × dims)`. */
  matrix: Float32Array;
  /** Norm of each cached row. */
  norms: Float64Array;
}

interface Space extends SpaceView {
  byNode: Map<string, Slot[]>;
  /** Rows allocated in `matrix`. */
  capacity: number;
  /** Rows in use or freed (the high-water mark). */
  top: number;
  free: number[];
}

const INITIAL_ROWS = 1_024;

/**
 * An in-memory map from node to embeddings, per embedding space (model), so the exact
 * scorer reaches a candidate's vector with one map lookup — and, within a byte budget,
 * the vectors themselves in one contiguous matrix per space (a dot product per
 * candidate, no garbage-collector pressure). Loaded once from the embeddings store and
 * kept current from storage's commit events; commits during the load are replayed
 * after it (every replayed change is idempotent).
 */
export class EmbeddingDirectory {
  readonly #spaces = new Map<string, Space>();
  readonly #budget: number;
  #cachedBytes = 0;
  readonly #storage: Storage;
  #pending: ChangeStretch[] | undefined = [];
  #loading: Promise<void> | undefined;
  #loaded = false;
  #follower: ChangeConsumer | undefined;
  readonly #onChanges = (info: ChangeStretch): void => {
    if (this.#pending !== undefined) this.#pending.push(info);
    else this.#apply(info);
  };

  /** @param cacheBytes most bytes of vectors kept in memory (0: none). */
  constructor(storage: Storage, cacheBytes = 0) {
    this.#storage = storage;
    this.#budget = cacheBytes;
  }

  /** Starts loading in the background; idempotent. */
  start(signal?: AbortSignal): Promise<void> {
    if (this.#loading === undefined) {
      this.#follower = this.#storage.consume({ handle: this.#onChanges });
      this.#loading = this.#load(signal);
    }
    return this.#loading;
  }

  /** Stops following commits. */
  stop(): void {
    void this.#follower?.stop();
    this.#follower = undefined;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  /** Bytes of vector memory allocated. */
  get cachedBytes(): number {
    return this.#cachedBytes;
  }

  async #load(signal?: AbortSignal): Promise<void> {
    for await (const chunk of this.#storage.scanEmbeddings({ signal, batchSize: 2_000 })) {
      for (const embedding of chunk) this.#add(embedding);
    }
    const pending = this.#pending ?? [];
    this.#pending = undefined;
    for (const info of pending) this.#apply(info);
    this.#loaded = true;
  }

  #space(embedding: Embedding): Space {
    let space = this.#spaces.get(embedding.model);
    if (space === undefined) {
      space = { dims: embedding.dims, byNode: new Map(), matrix: new Float32Array(0), norms: new Float64Array(0), capacity: 0, top: 0, free: [] };
      this.#spaces.set(embedding.model, space);
    }
    return space;
  }

  /** A free row for a vector, growing the matrix within the budget; -1 when full. */
  #allocate(space: Space): number {
    const free = space.free.pop();
    if (free !== undefined) return free;
    if (space.top === space.capacity) {
      const rowBytes = space.dims * 4;
      const room = Math.floor((this.#budget - this.#cachedBytes) / rowBytes);
      const grow = Math.min(Math.max(INITIAL_ROWS, space.capacity), room);
      if (grow <= 0) return -1;
      const matrix = new Float32Array((space.capacity + grow) * space.dims);
      matrix.set(space.matrix);
      const norms = new Float64Array(space.capacity + grow);
      norms.set(space.norms);
      space.matrix = matrix;
      space.norms = norms;
      space.capacity += grow;
      this.#cachedBytes += grow * rowBytes;
    }
    return space.top++;
  }

  #add(embedding: Embedding): void {
    const space = this.#space(embedding);
    if (embedding.dims !== space.dims) return; // another space of the same model name: not scored here
    let slots = space.byNode.get(embedding.nodeId);
    if (slots === undefined) space.byNode.set(embedding.nodeId, (slots = []));
    let slot = slots.find((s) => s.id === embedding.id);
    if (slot === undefined) slots.push((slot = { id: embedding.id, row: this.#allocate(space) }));
    if (slot.row >= 0) {
      space.matrix.set(embedding.vector, slot.row * space.dims);
      space.norms[slot.row] = norm(embedding.vector);
    }
  }

  #remove(embedding: Pick<Embedding, 'id' | 'nodeId' | 'model'>): void {
    const space = this.#spaces.get(embedding.model);
    const slots = space?.byNode.get(embedding.nodeId);
    if (space === undefined || slots === undefined) return;
    const index = slots.findIndex((s) => s.id === embedding.id);
    if (index === -1) return;
    const [slot] = slots.splice(index, 1);
    if (slot!.row >= 0) space.free.push(slot!.row);
    if (slots.length === 0) space.byNode.delete(embedding.nodeId);
  }

  #apply(info: ChangeStretch): void {
    if (info.changes === undefined) {
      // Read back from the log, without records: take the current ones.
      const ids = info.events.filter((e) => e.entity === 'embedding').map((e) => e.id);
      const records = this.#storage.getEmbeddingsSync(ids);
      ids.forEach((id, i) => {
        const record = records[i];
        if (record !== undefined) this.#add(record);
        else this.#removeById(id);
      });
      return;
    }
    for (const change of info.changes) {
      if (change.entity !== 'embedding') continue;
      if (change.before !== undefined) this.#remove(change.before);
      if (change.after !== undefined) this.#add(change.after);
    }
  }

  #removeById(id: string): void {
    for (const [model, space] of this.#spaces) {
      for (const [nodeId, slots] of space.byNode) {
        if (slots.some((s) => s.id === id)) return this.#remove({ id, nodeId, model });
      }
    }
  }

  /** A space's matrix and norms (undefined for unknown spaces). */
  view(model: string): SpaceView | undefined {
    return this.#spaces.get(model);
  }

  /** A node's embeddings in a space (undefined when it has none there). */
  slots(model: string, nodeId: string): readonly Slot[] | undefined {
    return this.#spaces.get(model)?.byNode.get(nodeId);
  }

  /** Every (node id, slots) of a space. */
  entries(model: string): IterableIterator<[string, Slot[]]> | undefined {
    return this.#spaces.get(model)?.byNode.entries();
  }

  dims(model: string): number | undefined {
    return this.#spaces.get(model)?.dims;
  }

  models(): string[] {
    return [...this.#spaces.keys()].filter((model) => (this.#spaces.get(model)?.byNode.size ?? 0) > 0);
  }

  /** Nodes with at least one embedding in the space. */
  size(model: string): number {
    return this.#spaces.get(model)?.byNode.size ?? 0;
  }
}
