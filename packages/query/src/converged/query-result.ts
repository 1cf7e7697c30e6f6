import type { Node } from '@tabagent/common';
import type { QueryExplain } from './explain.js';

/** The scores behind a result's rank (each present when that ranking applied). */
export interface QueryScores {
  /** Cosine similarity to the query vector. */
  semantic?: number;
  /** BM25 score of the keyword query. */
  keyword?: number;
  /** Reciprocal rank fusion of the two (hybrid queries). */
  fused?: number;
}

/** One result. */
export interface QueryHit {
  node: Node;
  scores: QueryScores;
  /** Hops from the graph filter's start, when the query has one. */
  graphDepth?: number;
}

export interface QueryResult {
  hits: QueryHit[];
  /**
   * Matches before paging, when known exactly (not for ANN plans, nor when a keyword
   * walk stopped early).
   */
  total?: number;
  /** Present when the query asked for `explain`. */
  explain?: QueryExplain;
}
