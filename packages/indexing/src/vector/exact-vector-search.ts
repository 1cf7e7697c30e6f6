import { abortChecker, DbError, throwIfAborted, TopK, type Embedding } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';
import { cosineWithNorm, dotAt, norm } from './cosine.js';
import { EmbeddingDirectory, type Slot } from './embedding-directory.js';
import { compareHits, type VectorHit } from './vector-math.js';
import type { ScoreNodesOptions, VectorSearch, VectorSearchOptions, VectorSearchResult } from './vector-search.js';

export type ExactVectorSearchStatus = 'opening' | 'open' | 'closing' | 'closed';

export interface ExactVectorSearchOptions {
  /**
   * Most bytes of vectors kept in memory (default 256 MiB: ~170,000 vectors of 384
   * dimensions). Cached vectors are scored with one dot product; the rest are read from
   * the store (a point read each). 0 keeps none.
   */
  cacheBytes?: number;
}


/**
 * Exact cosine search over the stored embeddings: every vector of a space is compared
 * (`search`), or just those of a candidate set (`scoreNodes`, what the planner uses for
 * small candidate sets). Correct by construction; an HNSW index is the fast path for
 * large unconstrained searches.
 *
 * @example
 * const vectors = await ExactVectorSearch.open(storage);
 * const { results } = await vectors.search(queryVector, { k: 10, model: 'all-MiniLM-L6-v2' });
 */
export class ExactVectorSearch implements VectorSearch {
  readonly approximate = false;
  readonly maxK = Number.MAX_SAFE_INTEGER;
  readonly #storage: Storage;
  readonly #directory: EmbeddingDirectory;
  #status: ExactVectorSearchStatus = 'closed';
  #loading: Promise<void> | undefined;

  constructor(storage: Storage, options: ExactVectorSearchOptions = {}) {
    this.#storage = storage;
    this.#directory = new EmbeddingDirectory(storage, options.cacheBytes ?? 256 * 1024 * 1024);
  }

  /** Creates one and starts loading its node → embedding directory in the background. */
  static async open(storage: Storage, options: ExactVectorSearchOptions = {}): Promise<ExactVectorSearch> {
    const search = new ExactVectorSearch(storage, options);
    await search.open();
    return search;
  }

  get status(): ExactVectorSearchStatus {
    return this.#status;
  }

  /** Bytes of vectors held in memory. */
  get cachedBytes(): number {
    return this.#directory.cachedBytes;
  }

  /** Starts the background load; idempotent. Queries work at once (slower until loaded). */
  async open(): Promise<void> {
    if (this.#status === 'open' || this.#status === 'opening') return;
    if (this.#status === 'closing') throw new DbError('NOT_OPEN', 'exact vector search is closing');
    this.#status = 'open';
    this.#loading = this.#directory.start().catch((err: unknown) => {
      this.#loading = undefined;
      throw DbError.from(err, 'UNAVAILABLE', 'cannot load the embedding directory');
    });
    // A failed load surfaces on the next query that needs it, not as an unhandled rejection.
    this.#loading.catch(() => {});
  }

  /** Resolves when the directory is loaded. */
  async ready(): Promise<void> {
    await this.#loading;
  }

  async close(): Promise<void> {
    if (this.#status === 'closed') return;
    this.#status = 'closing';
    this.#directory.stop();
    await this.#loading?.catch(() => {});
    this.#status = 'closed';
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #require(): void {
    if (this.#status !== 'open') throw new DbError('NOT_OPEN', 'exact vector search is not open');
  }

  dims(model: string): number | undefined {
    return this.#directory.dims(model);
  }

  models(): string[] {
    return this.#directory.models();
  }

  size(model: string): number {
    return this.#directory.size(model);
  }

  /**
   * Scores nodes (with their slots): cached rows at once, the rest read from the store
   * in chunks. Calls `visit` once per node with its best hit.
   */
  #score(vector: Float32Array, model: string, nodes: Iterable<[string, readonly Slot[]]>, visit: (hit: VectorHit) => void, signal: AbortSignal | undefined): void {
    const view = this.#directory.view(model);
    if (view === undefined || view.dims !== vector.length) return;
    const { matrix, norms, dims } = view;
    const queryNorm = norm(vector);
    const missing: [nodeId: string, embeddingId: string][] = [];
    // Nodes with a vector beyond the memory budget wait for their point reads.
    const partial = new Map<string, VectorHit | undefined>();
    const check = abortChecker(signal, 1_024);
    for (const [nodeId, slots] of nodes) {
      check();
      let best: VectorHit | undefined;
      let complete = true;
      for (const slot of slots) {
        if (slot.row < 0) {
          missing.push([nodeId, slot.id]);
          complete = false;
          continue;
        }
        const denominator = queryNorm * norms[slot.row]!;
        const score = denominator === 0 ? 0 : dotAt(vector, matrix, slot.row * dims) / denominator;
        if (best === undefined || score > best.score) best = { nodeId, embeddingId: slot.id, score };
      }
      if (!complete) partial.set(nodeId, best);
      else if (best !== undefined) visit(best);
    }
    for (let start = 0; start < missing.length; start += 256) {
      throwIfAborted(signal);
      const chunk = missing.slice(start, start + 256);
      const embeddings: (Embedding | undefined)[] = this.#storage.getEmbeddingsSync(chunk.map((p) => p[1]));
      embeddings.forEach((embedding, i) => {
        if (embedding === undefined || embedding.nodeId !== chunk[i]![0] || embedding.model !== model || embedding.vector.length !== dims) return;
        const score = cosineWithNorm(vector, queryNorm, embedding.vector);
        const previous = partial.get(embedding.nodeId);
        if (previous === undefined || score > previous.score) partial.set(embedding.nodeId, { nodeId: embedding.nodeId, embeddingId: embedding.id, score });
      });
    }
    for (const hit of partial.values()) if (hit !== undefined) visit(hit);
  }


  /** Compares every vector of the space; `filter` runs before a vector is read. */
  async search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorSearchResult> {
    this.#require();
    const started = performance.now();
    await this.ready();
    const waitedMs = performance.now() - started;
    const { model, signal } = options;
    const k = options.k ?? 10;
    throwIfAborted(signal);
    const seq = this.#storage.lastSeq;
    if (options.dims !== undefined && options.dims !== vector.length) {
      throw new DbError('INVALID_ARGUMENT', `vector: has ${vector.length} components, expected dims = ${options.dims}`, { details: { field: 'vector' } });
    }
    const entries = this.#directory.entries(model);
    if (entries === undefined || k <= 0) return { results: [], mode: 'exact', waitedMs, seq };
    const top = new TopK<VectorHit>(k, compareHits);
    const allowed = options.candidates === undefined ? undefined : new Set(options.candidates);
    const filter = allowed === undefined ? options.filter : (id: string) => allowed.has(id) && (options.filter?.(id) ?? true);
    const nodes = filter === undefined ? entries : filtered(entries, filter);
    this.#score(vector, model, nodes, (hit) => top.offer(hit), signal);
    return { results: top.sorted(), mode: 'exact', waitedMs, seq };
  }

  /** Exact cosine of each given node's best embedding in the space, in input order. */
  async scoreNodes(vector: Float32Array, nodeIds: readonly string[], options: ScoreNodesOptions): Promise<VectorHit[]> {
    this.#require();
    const { model, signal } = options;
    const nodes: [string, readonly Slot[]][] = [];
    const seen = new Set<string>();
    if (this.#directory.loaded) {
      for (const nodeId of nodeIds) {
        const slots = this.#directory.slots(model, nodeId);
        if (slots !== undefined && !seen.has(nodeId)) {
          seen.add(nodeId);
          nodes.push([nodeId, slots]);
        }
      }
    } else {
      // Not loaded yet: ask storage for each node's embeddings (slower, same answers).
      for (const nodeId of nodeIds) {
        throwIfAborted(signal);
        if (seen.has(nodeId)) continue;
        seen.add(nodeId);
        const slots = (await this.#storage.embeddingsOf(nodeId)).filter((e) => e.model === model).map((e) => ({ id: e.id, row: -1 }));
        if (slots.length > 0) nodes.push([nodeId, slots]);
      }
    }
    const result: VectorHit[] = [];
    this.#score(vector, model, nodes, (hit) => result.push(hit), signal);
    return result;
  }
}

function* filtered(entries: Iterable<[string, Slot[]]>, filter: (nodeId: string) => boolean): Iterable<[string, Slot[]]> {
  for (const entry of entries) if (filter(entry[0])) yield entry;
}
