import type { Indexing } from '@tabagent/indexing';
import type { Storage } from '@tabagent/storage';
import type { GraphAccess } from './graph/graph-access.js';
import type { ResolvedLimits, ResolvedPlannerOptions } from './options.js';
import type { VectorSearch } from '@tabagent/indexing';

/**
 * Turns text into a query vector (the caller's embedder: an ML bridge, a remote API).
 * Query depends on no ML package; it only calls this.
 *
 * @example const embed: EmbedFunction = async (text) => (await ml.embed([text]))[0]!;
 */
export type EmbedFunction = (
  text: string,
  options: { model: string | undefined; signal?: AbortSignal },
) => Promise<Float32Array | readonly number[]> | Float32Array | readonly number[];

/** What every query part reads: the open storage, its indexes and the engine's settings. */
export interface QueryContext {
  storage: Storage;
  indexing: Indexing;
  graph: GraphAccess;
  vectors: VectorSearch;
  limits: ResolvedLimits;
  planner: ResolvedPlannerOptions;
  defaultModel: string | undefined;
  embed: EmbedFunction | undefined;
}
