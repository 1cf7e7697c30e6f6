import type { ScoreNodesOptions, VectorHit, VectorSearch, VectorSearchOptions, VectorSearchResult } from './vector-search.js';

/**
 * What the engine uses of an HNSW vector index — `VectorIndex` from
 * `@tabagent/indexing` (usearch) has this shape.
 */
export interface HnswIndex {
  search(
    vector: Float32Array,
    options: { model: string; k?: number; filter?: (nodeId: string) => boolean; exact?: boolean; waitMs?: number; signal?: AbortSignal },
  ): Promise<{ results: VectorHit[]; mode: 'hnsw' | 'exact'; waitedMs: number }>;
  scoreNodes(vector: Float32Array, nodeIds: Iterable<string>, options: { model: string; signal?: AbortSignal }): Promise<VectorHit[]>;
  spaces(): readonly { model: string; dims: number; count: number }[];
}

export interface HnswVectorSearchOptions {
  /**
   * Scores candidate sets (`scoreNodes`) instead of the index, and answers for spaces
   * the index does not hold (yet); the engine passes its `ExactVectorSearch`, whose
   * in-memory vectors make each score one dot product.
   */
  exact?: VectorSearch;
  /** Largest `k` the index accepts per search (default 10,000, `VectorIndex`'s limit). */
  maxK?: number;
  /** How long a search waits for a loading index before it scans exactly (default: the index's own). */
  waitMs?: number;
}

/**
 * Adapts an HNSW index to `VectorSearch`: nearest-neighbour searches go to the graph,
 * candidate sets are scored by `exact` when given (else by the index).
 *
 * @example
 * const vectors = new HnswVectorSearch(vectorIndex, { exact: await ExactVectorSearch.open(storage) });
 */
export class HnswVectorSearch implements VectorSearch {
  readonly #index: HnswIndex;
  readonly #exact: VectorSearch | undefined;
  readonly #waitMs: number | undefined;
  readonly maxK: number;
  readonly approximate = true;

  constructor(index: HnswIndex, options: HnswVectorSearchOptions = {}) {
    this.#index = index;
    this.#exact = options.exact;
    this.#waitMs = options.waitMs;
    this.maxK = options.maxK ?? 10_000;
  }

  #indexed(model: string): boolean {
    return this.#index.spaces().some((s) => s.model === model && s.count > 0);
  }

  async search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorSearchResult> {
    const { model, filter, signal, exact } = options;
    if (this.#exact !== undefined && !this.#indexed(model)) return this.#exact.search(vector, options);
    const k = Math.min(options.k, this.maxK);
    const request: Parameters<HnswIndex['search']>[1] = { model, k };
    if (filter !== undefined) request.filter = filter;
    if (signal !== undefined) request.signal = signal;
    if (exact === true) request.exact = true;
    if (this.#waitMs !== undefined) request.waitMs = this.#waitMs;
    const { results, mode, waitedMs } = await this.#index.search(vector, request);
    return { results, mode, waitedMs };
  }

  async scoreNodes(vector: Float32Array, nodeIds: readonly string[], options: ScoreNodesOptions): Promise<VectorHit[]> {
    if (this.#exact !== undefined) return this.#exact.scoreNodes(vector, nodeIds, options);
    return this.#index.scoreNodes(vector, nodeIds, options);
  }

  async ready(): Promise<void> {
    await this.#exact?.ready?.();
  }

  dims(model: string): number | undefined {
    return this.#index.spaces().find((s) => s.model === model)?.dims ?? this.#exact?.dims?.(model);
  }

  models(): string[] {
    return [...new Set([...this.#index.spaces().filter((s) => s.count > 0).map((s) => s.model), ...(this.#exact?.models?.() ?? [])])];
  }

  size(model: string): number {
    const indexed = this.#index.spaces().filter((s) => s.model === model).reduce((sum, s) => sum + s.count, 0);
    return Math.max(indexed, this.#exact?.size?.(model) ?? 0);
  }
}
