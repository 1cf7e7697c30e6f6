import type { VectorHit } from './vector-math.js';

/** How a search was answered. */
export type VectorSearchMode = 'hnsw' | 'exact';

export interface VectorSearchOptions {
  /** Embedding model id; with the query's length (or `dims`) it names the space searched. */
  model: string;
  /** Expected dimensions; the query must have exactly this many components. */
  dims?: number;
  /** Nodes to return (default 10, at most 10,000). */
  k?: number;
  /** Keeps only nodes it returns true for (the graph is searched with oversampling). */
  filter?: (nodeId: string) => boolean;
  /** Restricts results to these node ids; small sets are scored exactly. */
  candidates?: Iterable<string>;
  /** How long to wait for a graph index to be ready before scanning exactly (default: the index's `waitMs`; exact searches ignore it). */
  waitMs?: number;
  /** Compare every vector exactly instead of searching the graph. */
  exact?: boolean;
  signal?: AbortSignal;
}

export interface VectorSearchResult {
  /** Best first, one per node (its best-matching embedding). */
  results: VectorHit[];
  /** `hnsw`: the graph index answered; `exact`: every vector was compared. */
  mode: VectorSearchMode;
  /** Time spent waiting for the index to become ready. */
  waitedMs: number;
  /** Change-log sequence the results reflect. */
  seq: number;
}

export interface ScoreNodesOptions {
  model: string;
  dims?: number;
  signal?: AbortSignal;
}


/**
 * What the query engine asks of vectors: nearest-neighbour search with a filter, and
 * exact scores of a candidate set. Indexing owns both implementations — `VectorIndex`
 * (usearch HNSW, with its exact tier) and `ExactVectorSearch` (exact only, when no
 * graph index is open) — and the choice between them.
 */
export interface VectorSearch {
  /** The `k` nearest nodes to `vector` that pass `filter`; a space with no vectors gives no results. */
  search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorSearchResult>;
  /** Exact cosine scores of the given nodes (nodes without an embedding in the space are left out). */
  scoreNodes(vector: Float32Array, nodeIds: readonly string[], options: ScoreNodesOptions): Promise<VectorHit[]>;
  /** Dimensions of an embedding space, when known (used to validate query vectors). */
  dims(model: string): number | undefined;
  /** Known embedding spaces (model ids). */
  models(): string[];
  /** Vectors stored in a space (for oversampling estimates). */
  size(model: string): number;
  /** True when `search` may be approximate (a graph index): the planner then prefers exact scoring of candidate sets it can afford. */
  readonly approximate: boolean;
  /** Resolves once `dims`, `models` and `size` describe every stored embedding. */
  ready(): Promise<void>;
  /** Largest `k` one search accepts. */
  readonly maxK: number;
}
