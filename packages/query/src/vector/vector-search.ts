/** One nearest node: the best of its embeddings in the queried space. */
export interface VectorHit {
  nodeId: string;
  embeddingId: string;
  /** Cosine similarity to the query vector (1 = same direction). */
  score: number;
}

export interface VectorSearchOptions {
  /** How many nearest nodes to return. */
  k: number;
  /** Embedding space (model id). */
  model: string;
  /** Only nodes for which this returns true (called synchronously, possibly many times). */
  filter?: (nodeId: string) => boolean;
  signal?: AbortSignal;
  /** Compare every vector instead of searching a graph index. */
  exact?: boolean;
}

export interface VectorSearchResult {
  /** Best first; ties by node id. */
  results: VectorHit[];
  /** `hnsw`: approximate graph search; `exact`: every vector compared. */
  mode: 'hnsw' | 'exact';
  /** Time spent waiting for an index to load. */
  waitedMs: number;
}

export interface ScoreNodesOptions {
  model: string;
  signal?: AbortSignal;
}

/**
 * What the query engine needs from a vector index: nearest-neighbour search with a
 * filter, and exact scores for a given candidate set. `ExactVectorSearch` implements
 * it over the stored embeddings; an HNSW index (usearch) plugs in the same way.
 */
export interface VectorSearch {
  /** The `k` nearest nodes to `vector` that pass `filter`. */
  search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorSearchResult>;
  /** Exact cosine scores of the given nodes (nodes without an embedding in the space are left out). */
  scoreNodes(vector: Float32Array, nodeIds: readonly string[], options: ScoreNodesOptions): Promise<VectorHit[]>;
  /** Dimensions of an embedding space, when known (used to validate query vectors). */
  dims?(model: string): number | undefined;
  /** Known embedding spaces (model ids). */
  models?(): string[];
  /** Vectors stored in a space (for oversampling estimates). */
  size?(model: string): number;
  /** True when `search` may be approximate (a graph index): the planner then prefers exact scoring of known candidate sets it can afford. */
  readonly approximate?: boolean;
  /**
   * Resolves once `dims`, `models` and `size` describe every stored embedding (a search
   * loading in the background answers them partially before that).
   */
  ready?(): Promise<void>;
  /** Largest `k` one search accepts (default: unbounded). */
  readonly maxK?: number;
}
