/**
 * Bounds that keep one bad query from taking the process down. Exceeding a request
 * bound (`limit`, `offset`, `depth`) is `INVALID_ARGUMENT`; a query whose candidate
 * set or traversal grows past a work bound is `TOO_LARGE` (narrow it with filters).
 */
export interface QueryLimits {
  /** Largest `limit` (default 1,000). */
  maxLimit?: number;
  /** Largest `offset` (default 10,000). */
  maxOffset?: number;
  /** Largest graph depth in filters, traversals and paths (default 6). */
  maxDepth?: number;
  /** Most candidate ids a query stage may materialise or scan (default 250,000). */
  maxCandidates?: number;
  /** Most nodes a traversal, neighbourhood or path search may visit (default 200,000). */
  maxVisited?: number;
  /** Longest `in` list of a filter (default 10,000). */
  maxInValues?: number;
}

/** How the planner chooses strategies; the defaults suit 2-core laptops. */
export interface PlannerOptions {
  /**
   * Largest candidate set ranked by exact cosine; larger ones go through the vector
   * index (HNSW) with oversampling and a filter. Default 2,000.
   */
  exactMaxCandidates?: number;
  /**
   * Extra results asked of a filtered vector search, as a factor of those needed
   * (default 1: `VectorIndex` already oversamples filtered searches itself). When too
   * few pass, the search is widened ×4 until enough do, then falls back to exact.
   */
  oversample?: number;
  /**
   * A second index constraint is intersected by lookup when its estimated count is at
   * most this many times the current candidate count; otherwise it is checked on the
   * candidates' records. Default 8.
   */
  intersectFactor?: number;
  /**
   * Once one constraint can drive, other index constraints are counted up to at most
   * this many matches (more are checked per candidate instead). Default 2,000.
   */
  estimateCap?: number;
}

export type ResolvedLimits = Required<QueryLimits>;
export type ResolvedPlannerOptions = Required<PlannerOptions>;

export const DEFAULT_LIMITS: ResolvedLimits = {
  maxLimit: 1_000,
  maxOffset: 10_000,
  maxDepth: 6,
  maxCandidates: 250_000,
  maxVisited: 200_000,
  maxInValues: 10_000,
};

export const DEFAULT_PLANNER: ResolvedPlannerOptions = {
  exactMaxCandidates: 2_000,
  oversample: 1,
  intersectFactor: 8,
  estimateCap: 2_000,
};

export function resolveLimits(limits: QueryLimits = {}): ResolvedLimits {
  return { ...DEFAULT_LIMITS, ...Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined)) };
}

export function resolvePlanner(options: PlannerOptions = {}): ResolvedPlannerOptions {
  return { ...DEFAULT_PLANNER, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
}
