import type { NodeType } from '@tabagent/common';
import type { FieldFilters } from './field-condition.js';

/** Which way edges are followed from the start node. */
export type GraphDirection = 'out' | 'in' | 'both';

/**
 * Restricts results to nodes reachable from `start` within `depth` hops (the start
 * nodes themselves excluded), following edges of `edgeTypes` in `direction`.
 *
 * @example { start: parisId, direction: 'in', edgeTypes: ['MENTIONS'] } // nodes that mention Paris
 */
export interface GraphFilter {
  /** One start node, or several (their reachable sets are united). */
  start: string | readonly string[];
  /** `out` (default): along edges; `in`: against them; `both`. */
  direction?: GraphDirection;
  /** Only edges of these types (default: every type). */
  edgeTypes?: readonly string[];
  /** Hops from the start, 1 (default) to the engine's `limits.maxDepth`. */
  depth?: number;
}

/**
 * Meaning-based ranking: a query vector, or a text the caller's `embed` function turns
 * into one (query does not depend on any ML package).
 *
 * @example { text: 'Paris conversations', threshold: 0.3 }
 */
export interface SemanticQuery {
  /** The query vector; its length must match the embedding space's dimensions. */
  vector?: readonly number[] | Float32Array;
  /** Text to embed with the `embed` function given to the engine or the call. */
  text?: string;
  /** Embedding space (model id); default: the engine's `defaultModel`, or the only space stored. */
  model?: string;
  /**
   * Minimum cosine similarity. Results below it are dropped from the semantic ranking
   * (in hybrid queries, keyword matches below it stay). No threshold by default.
   */
  threshold?: number;
}

/** Order results by a node field; ties by id. Nodes without the field come last. */
export interface FieldOrder {
  field: string;
  /** `asc` (default) or `desc`. */
  direction?: 'asc' | 'desc';
}

/** Reciprocal rank fusion of the keyword and semantic rankings (hybrid queries). */
export interface FusionOptions {
  /** RRF constant: a result ranked r contributes 1 / (k + r). Default 60. */
  k?: number;
  /** How many of each ranking's top results are fused (default 50, at least offset + limit). */
  window?: number;
  /**
   * Weight of each ranking's contribution (default 1 each; the search facade derives them
   * from the embedder's reported quality).
   */
  weights?: { keyword?: number; semantic?: number };
}

/**
 * One query over structure, graph and meaning. Every part is optional; those given
 * must all hold. Results are ranked by score when `keyword` or `semantic` is given
 * (fused by reciprocal rank fusion when both are), else by id (creation order) or by
 * `orderBy`.
 *
 * @example
 * await engine.query({
 *   types: ['Message'],
 *   graph: { start: entityId('LOCATION', 'Paris'), direction: 'in', edgeTypes: ['MENTIONS'] },
 *   semantic: { text: 'Paris conversations' },
 *   limit: 10,
 *   explain: true,
 * });
 */
export interface ConvergedQuery {
  /** Node kinds to return. */
  types?: readonly NodeType[];
  /** Field conditions (indexed fields use the structural index; the rest filter candidates). */
  filters?: FieldFilters;
  /** Reachability from a start node. */
  graph?: GraphFilter;
  /** Free-text keyword query (BM25): a node must match at least one term (or, with `neighbours`, a turn next to it must). */
  keyword?: string;
  /**
   * Neighbour context for `keyword`: a message also scores this fraction (0–1) of the
   * best score of the turns next to it in its chat. Default 0 (plain BM25).
   */
  neighbours?: number;
  /** Semantic ranking. */
  semantic?: SemanticQuery;
  /** Page size (default 10, at most `limits.maxLimit`). */
  limit?: number;
  /** Results to skip (default 0, at most `limits.maxOffset`). */
  offset?: number;
  /**
   * `score` (default when ranking) or a field. When ordering by a field, `keyword`
   * keeps nodes matching a term and `semantic` keeps nodes at or above its threshold
   * (required then); with both, either suffices.
   */
  orderBy?: 'score' | FieldOrder;
  /** Hybrid (keyword + semantic) fusion settings. */
  fusion?: FusionOptions;
  /** Return the plan with per-stage candidate counts and timings. */
  explain?: boolean;
}
