import { DbError, throwIfAborted, TopK } from '@tabagent/common';
import type { EmbedFunction, QueryContext } from '../query-context.js';
import { compareHits, type VectorHit } from '@tabagent/indexing';
import type { Candidates } from './candidates.js';
import type { ExplainRecorder } from './explain.js';
import type { NodeReader } from './node-reader.js';
import type { ParsedQuery } from './query-schema.js';

/** The semantic part of a query, ready to run. */
export interface ResolvedSemantic {
  vector: Float32Array;
  /** Undefined when no embedding space exists yet (nothing can match). */
  model: string | undefined;
  threshold: number | undefined;
}

function invalid(field: string, message: string): DbError {
  return new DbError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
}

/** Picks the embedding space, embeds text when needed and checks the vector's dimensions. */
export async function resolveSemantic(
  ctx: QueryContext,
  semantic: NonNullable<ParsedQuery['semantic']>,
  embed: EmbedFunction | undefined,
  recorder: ExplainRecorder,
  signal: AbortSignal | undefined,
): Promise<ResolvedSemantic> {
  let model = semantic.model ?? ctx.defaultModel;
  if (model === undefined) {
    if ((ctx.vectors.models?.() ?? []).length === 0) await ctx.vectors.ready?.();
    const models = ctx.vectors.models?.() ?? [];
    if (models.length > 1) throw invalid('semantic.model', `several embedding spaces exist (${models.join(', ')}); name one`);
    model = models[0];
  }
  let vector = semantic.vector;
  let field = 'semantic.vector';
  if (vector === undefined) {
    field = 'semantic.text';
    if (embed === undefined) throw invalid('semantic.text', 'no embed function was given to the engine or the call; pass a vector instead');
    const output = await embed(semantic.text!, { model, signal });
    throwIfAborted(signal);
    vector = output instanceof Float32Array ? output : Float32Array.from(output);
    if (vector.length === 0 || !vector.every(Number.isFinite)) throw invalid('semantic.text', 'the embed function returned an empty or non-finite vector');
    recorder.stage('embed', `text → ${vector.length}-dim vector`);
  }
  // Just after open, the spaces may still be loading: wait for them rather than
  // answer "no embeddings" for a space that exists.
  if (model !== undefined && ctx.vectors.dims?.(model) === undefined) await ctx.vectors.ready?.();
  const dims = model === undefined ? undefined : ctx.vectors.dims?.(model);
  if (dims !== undefined && vector.length !== dims) {
    throw invalid(field, `has ${vector.length} dimensions, but embedding space ${model} has ${dims}`);
  }
  return { vector, model, threshold: semantic.threshold };
}

export interface SemanticRanking {
  /** Best first, ties by id; all at or above the threshold. */
  hits: VectorHit[];
  mode: 'exact' | 'hnsw';
  /** How many candidates qualify in all, when known (exact plans). */
  total: number | undefined;
}

/**
 * The `need` best nodes by cosine among the candidates (all of them above the threshold
 * when `need` is Infinity). Exact cosine over small candidate sets; otherwise a vector
 * search with a filter, oversampled and widened until `need` nodes pass (or none are left).
 */
export async function rankSemantic(
  ctx: QueryContext,
  semantic: ResolvedSemantic,
  candidates: Candidates,
  reader: NodeReader,
  need: number,
  recorder: ExplainRecorder,
  signal: AbortSignal | undefined,
): Promise<SemanticRanking> {
  const { vector, model, threshold } = semantic;
  const above = (hit: VectorHit): boolean => threshold === undefined || hit.score >= threshold;
  if (model === undefined || (ctx.vectors.dims !== undefined && ctx.vectors.dims(model) === undefined)) {
    recorder.plan.push(`semantic: no embeddings ${model === undefined ? 'exist yet' : `of ${model} exist`}, nothing to rank`);
    return { hits: [], mode: 'exact', total: 0 };
  }
  const { ids, verifier } = candidates;
  // Exact scoring of a known candidate set: when it is small, and always when the vector
  // search is exact anyway (scoring the candidates beats scanning the whole space).
  if (ids !== undefined && (ids.length <= ctx.planner.exactMaxCandidates || ctx.vectors.approximate !== true)) {
    return exactOverCandidates(ctx, semantic, ids, candidates, reader, need, recorder, signal);
  }

  const inSet = ids === undefined ? undefined : new Set(ids);
  const filter = inSet !== undefined || verifier.restricts ? (id: string): boolean => (inSet === undefined || inSet.has(id)) && verifier.accepts(id) : undefined;
  const space = ctx.vectors.size?.(model) ?? Number.POSITIVE_INFINITY;
  const cap = Math.min(space, ctx.limits.maxCandidates, ctx.vectors.maxK ?? Number.POSITIVE_INFINITY);
  // `search` returns the k best that pass the filter; asking for more than needed
  // (oversampling) buys recall at the tail of an approximate search.
  const want = Number.isFinite(need) ? need : Math.min(cap, 100);
  let k = Math.min(cap, Math.max(want * ctx.planner.oversample, 16));
  let rounds = 0;
  for (;;) {
    rounds++;
    throwIfAborted(signal);
    const result = await ctx.vectors.search(vector, { k, model, filter, signal });
    let hits = result.results;
    if (result.mode === 'hnsw' && hits.length > 0) {
      // Re-score exactly so scores and ties are the same as on the exact path.
      hits = (await ctx.vectors.scoreNodes(vector, hits.map((h) => h.nodeId), { model, signal })).sort(compareHits);
    }
    // An exact search returning fewer than k has seen everything; an approximate one
    // may have missed filtered nodes, so it only counts as exhausted at full width.
    const exhausted = k >= cap || (result.mode === 'exact' && result.results.length < k);
    const passing = hits.filter(above);
    const belowSeen = passing.length < hits.length;
    const enough = Number.isFinite(need) ? passing.length >= need : belowSeen;
    if (enough || exhausted) {
      if (!enough && result.mode === 'hnsw' && ids === undefined) {
        // Never silently short: compare every vector of the space.
        const scan = await ctx.vectors.search(vector, { k: Number.isFinite(need) ? need : ctx.limits.maxCandidates, model, filter, signal, exact: true });
        const all = scan.results.filter(above);
        recorder.plan.push(`semantic: HNSW found too few after ${rounds} rounds; exact scan of ${model}`);
        recorder.stage('semantic', `hnsw k=${k} then exact scan`, { output: all.length });
        return { hits: Number.isFinite(need) ? all.slice(0, need) : all, mode: 'exact', total: undefined };
      }
      if (!enough && result.mode === 'hnsw' && ids !== undefined) {
        recorder.plan.push(`semantic: HNSW found too few after ${rounds} rounds`);
        return exactOverCandidates(ctx, semantic, ids, candidates, reader, need, recorder, signal);
      }
      recorder.plan.push(
        `semantic: ${result.mode === 'hnsw' ? 'HNSW' : 'exact scan'} of ${model}${filter === undefined ? '' : ' with a filter'}, k = ${k}${rounds > 1 ? ` after ${rounds} rounds` : ''}`,
      );
      recorder.stage('semantic', `${result.mode} search k=${k} (${rounds} round${rounds > 1 ? 's' : ''})`, { output: passing.length });
      const total = result.mode === 'exact' && (result.results.length < k || belowSeen) ? passing.length : undefined;
      return { hits: Number.isFinite(need) ? passing.slice(0, need) : passing, mode: result.mode, total };
    }
    k = Math.min(cap, k * 4);
  }
}

/**
 * Exact cosine over a candidate set. Kinds and set memberships are checked first (free);
 * checks that need records run afterwards in score order, only until `need` pass.
 */
async function exactOverCandidates(
  ctx: QueryContext,
  semantic: ResolvedSemantic,
  ids: readonly string[],
  candidates: Candidates,
  reader: NodeReader,
  need: number,
  recorder: ExplainRecorder,
  signal: AbortSignal | undefined,
): Promise<SemanticRanking> {
  const { vector, model, threshold } = semantic;
  const { verifier } = candidates;
  const cheap = ids.filter((id) => verifier.acceptsId(id));
  const scored = await ctx.vectors.scoreNodes(vector, cheap, { model: model!, signal });
  const qualifying = threshold === undefined ? scored : scored.filter((hit) => hit.score >= threshold);
  recorder.plan.push(`semantic: exact cosine over ${cheap.length} candidates`);
  recorder.stage('semantic', `exact cosine (${model})`, { input: cheap.length, output: qualifying.length });
  if (!verifier.needsRecords) {
    return { hits: bestFirst(qualifying, need), mode: 'exact', total: qualifying.length };
  }
  // Record checks in score order, only until `need` pass: first over the best few,
  // then (rarely) over everything.
  let ordered = bestFirst(qualifying, Math.max(need * 4, 64));
  const hits: VectorHit[] = [];
  let checked = 0;
  while (checked < ordered.length && hits.length < need) {
    throwIfAborted(signal);
    const chunk = ordered.slice(checked, checked + 64);
    reader.prefetch(chunk.map((hit) => hit.nodeId));
    for (const hit of chunk) {
      checked++;
      if (verifier.accepts(hit.nodeId)) hits.push(hit);
      if (hits.length >= need) break;
    }
    if (checked === ordered.length && ordered.length < qualifying.length && hits.length < need) ordered = bestFirst(qualifying, Number.POSITIVE_INFINITY);
  }
  recorder.stage('filter', verifier.describe().join('; '), { input: checked, output: hits.length });
  return { hits, mode: 'exact', total: checked === qualifying.length ? hits.length : undefined };
}

/** The `n` best hits in order (all of them, sorted, when n covers them). */
function bestFirst(hits: readonly VectorHit[], n: number): VectorHit[] {
  if (n >= hits.length) return [...hits].sort(compareHits);
  const top = new TopK<VectorHit>(n, compareHits);
  for (const hit of hits) top.offer(hit);
  return top.sorted();
}
