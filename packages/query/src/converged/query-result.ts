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

/** Why a hit matched (with `explain`). */
export interface HitExplanation {
  /** Query index terms the node contains (keyword ranking). */
  terms?: string[];
  /** 1-based rank in each ranking that held it. */
  ranks?: { keyword?: number; semantic?: number };
  /** The search's participant condition it met (sender named in the query). */
  participant?: string;
  /** The query's time window it falls in (ISO dates, end exclusive). */
  dates?: { from: string; to: string };
  /** Entities named in the query that it mentions (ids). */
  entities?: string[];
  /** Found through a neighbouring turn's words (ids of the neighbours that matched). */
  neighbours?: string[];
}

/** One result. */
export interface QueryHit {
  node: Node;
  scores: QueryScores;
  /** Why it matched (with `explain`). */
  why?: HitExplanation;
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
