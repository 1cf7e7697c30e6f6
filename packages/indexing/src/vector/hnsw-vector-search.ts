import type { ExactVectorSearch } from './exact-vector-search.js';
import type { VectorHit } from './vector-math.js';
import type { ScoreNodesOptions, VectorSearch, VectorSearchOptions, VectorSearchResult } from './vector-search.js';

/**
 * What the adapter uses of an HNSW vector index: `VectorIndex` has this shape (a test may
 * put an exact search behind it to drive the planner's graph path deterministically).
 */
export interface HnswIndex {
  search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorSearchResult>;
  spaces(): readonly { model: string; dims: number; count: number }[];
  /** The index's exact tier: scores candidate sets and answers spaces the graph does not hold (yet). */
  readonly exact: ExactVectorSearch;
}

export interface HnswVectorSearchOptions {
  /** Largest `k` the index accepts per search (default 10,000, `VectorIndex`'s limit). */
  maxK?: number;
  /** How long a search waits for a loading index before it scans exactly (default: the index's own). */
  waitMs?: number;
}

/**
 * The query engine's view of a `VectorIndex`: nearest-neighbour searches go to the graph,
 * candidate sets and spaces the graph does not hold go to the index's exact tier — so the
 * vectors are held, and the exact-vs-graph choice made, in one place.
 *
 * @example
 * const engine = await QueryEngine.open({ storage, indexing, vectorIndex }); // wraps it in this
 */
export class HnswVectorSearch implements VectorSearch {
  readonly #index: HnswIndex;
  readonly #waitMs: number | undefined;
  readonly maxK: number;
  readonly approximate = true;

  constructor(index: HnswIndex, options: HnswVectorSearchOptions = {}) {
    this.#index = index;
    this.#waitMs = options.waitMs;
    this.maxK = options.maxK ?? 10_000;
  }

  #indexed(model: string): boolean {
    return this.#index.spaces().some((s) => s.model === model && s.count > 0);
  }

  async search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorSearchResult> {
    if (!this.#indexed(options.model)) return this.#index.exact.search(vector, options);
    const request: VectorSearchOptions = { ...options, k: Math.min(options.k ?? 10, this.maxK) };
    if (this.#waitMs !== undefined) request.waitMs = this.#waitMs;
    return this.#index.search(vector, request);
  }

  scoreNodes(vector: Float32Array, nodeIds: readonly string[], options: ScoreNodesOptions): Promise<VectorHit[]> {
    return this.#index.exact.scoreNodes(vector, nodeIds, options);
  }

  async ready(): Promise<void> {
    await this.#index.exact.ready();
  }

  dims(model: string): number | undefined {
    return this.#index.spaces().find((s) => s.model === model)?.dims ?? this.#index.exact.dims(model);
  }

  models(): string[] {
    return [...new Set([...this.#index.spaces().filter((s) => s.count > 0).map((s) => s.model), ...this.#index.exact.models()])];
  }

  size(model: string): number {
    const indexed = this.#index.spaces().filter((s) => s.model === model).reduce((sum, s) => sum + s.count, 0);
    return Math.max(indexed, this.#index.exact.size(model));
  }
}
