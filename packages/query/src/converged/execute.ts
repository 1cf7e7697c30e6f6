import { abortChecker, DbError, type Node, throwIfAborted } from '@tabagent/common';
import type { EmbedFunction, QueryContext } from '../query-context.js';
import { deadlineSignal } from '../util/abort.js';
import { compareIds } from '../util/compare.js';
import { findCandidates, type Candidates } from './candidates.js';
import type { ConvergedQuery } from './converged-query.js';
import { ExplainRecorder, type QueryExplain } from './explain.js';
import { reciprocalRankFusion } from './fusion.js';
import { rankKeyword } from './keyword-stage.js';
import { NodeReader } from './node-reader.js';
import { sortByField } from './ordering.js';
import { parseQuery, type ParsedQuery } from './query-schema.js';
import type { HitExplanation, QueryHit, QueryResult, QueryScores } from './query-result.js';
import { rankSemantic, resolveSemantic, type ResolvedSemantic } from './semantic-stage.js';

/** Per-call options of `QueryEngine.query`. */
export interface QueryOptions {
  /** Cancels the query (`ABORTED`). */
  signal?: AbortSignal;
  /** Fails the query with `TIMEOUT` after this many milliseconds. */
  timeoutMs?: number;
  /** Embedder for `semantic.text` (overrides the engine's). */
  embed?: EmbedFunction;
}

interface Ordered {
  ids: string[];
  scores: Map<string, QueryScores>;
  total: number | undefined;
  /** Per-hit explanations (with `explain`). */
  why?: Map<string, HitExplanation>;
}

/** Runs a converged query: validate → candidates → rank → page → fetch. */
export async function executeQuery(ctx: QueryContext, input: ConvergedQuery, options: QueryOptions = {}): Promise<QueryResult> {
  const signal = deadlineSignal(options.signal, options.timeoutMs);
  const q = parseQuery(input, ctx.limits);
  const recorder = new ExplainRecorder(q.explain);
  throwIfAborted(signal);
  recorder.stage('parse', 'validated');
  const reader = new NodeReader(ctx.storage);
  const semantic = q.semantic === undefined ? undefined : await resolveSemantic(ctx, q.semantic, options.embed ?? ctx.embed, recorder, signal);
  const candidates = await findCandidates(ctx, q, reader, recorder, signal);

  let ranking: QueryExplain['ranking'] = 'none';
  let vectorMode: QueryExplain['vectorMode'];
  let ordered: Ordered;
  const need = q.offset + q.limit;

  if (q.order.kind === 'score' && q.keyword !== undefined && semantic !== undefined) {
    ranking = 'hybrid';
    const window = q.fusion.window;
    const keyword = await rankKeyword(ctx, q.keyword, candidates, reader, window, recorder, signal, q.neighbours);
    const vector = await rankSemantic(ctx, semantic, candidates, reader, window, recorder, signal);
    vectorMode = vector.mode;
    const { weights } = q.fusion;
    const fused = reciprocalRankFusion([keyword.hits.map((h) => h.nodeId), vector.hits.map((h) => h.nodeId)], q.fusion.k, [weights.keyword, weights.semantic]);
    const semanticScores = new Map(vector.hits.map((h) => [h.nodeId, h.score]));
    const scores = new Map<string, QueryScores>();
    for (const entry of fused) {
      const s: QueryScores = { fused: entry.score };
      const k = keyword.scores.get(entry.id);
      if (k !== undefined) s.keyword = k;
      const v = semanticScores.get(entry.id);
      if (v !== undefined) s.semantic = v;
      scores.set(entry.id, s);
    }
    recorder.plan.push(`fuse the top ${window} of each ranking by reciprocal rank (k = ${q.fusion.k}, weights keyword ${weights.keyword}, semantic ${weights.semantic})`);
    recorder.stage('fuse', `RRF k=${q.fusion.k} window=${window}`, { input: keyword.hits.length + vector.hits.length, output: fused.length });
    ordered = { ids: fused.map((f) => f.id), scores, total: fused.length };
    if (recorder.perHit) {
      const terms = new Map(keyword.hits.map((h) => [h.nodeId, h]));
      ordered.why = new Map(
        fused.map((f) => {
          const why: HitExplanation = { ranks: {} };
          if (f.ranks[0] !== undefined) why.ranks!.keyword = f.ranks[0];
          if (f.ranks[1] !== undefined) why.ranks!.semantic = f.ranks[1];
          const k = terms.get(f.id);
          if (k?.terms !== undefined) why.terms = k.terms;
          if (k?.neighbour !== undefined) why.neighbours = [k.neighbour];
          return [f.id, why];
        }),
      );
    }
    await fillMissingSemantic(ctx, semantic, ordered, q, signal);
  } else if (q.order.kind === 'score' && q.keyword !== undefined) {
    ranking = 'keyword';
    const keyword = await rankKeyword(ctx, q.keyword, candidates, reader, need, recorder, signal, q.neighbours);
    ordered = {
      ids: keyword.hits.map((h) => h.nodeId),
      scores: new Map(keyword.hits.map((h) => [h.nodeId, { keyword: h.score }])),
      total: keyword.total,
    };
    if (recorder.perHit) {
      ordered.why = new Map(
        keyword.hits.map((h, i) => [h.nodeId, { ranks: { keyword: i + 1 }, ...(h.terms === undefined ? {} : { terms: h.terms }), ...(h.neighbour === undefined ? {} : { neighbours: [h.neighbour] }) }]),
      );
    }
  } else if (q.order.kind === 'score' && semantic !== undefined) {
    const vector = await rankSemantic(ctx, semantic, candidates, reader, need, recorder, signal);
    ranking = vector.mode;
    vectorMode = vector.mode;
    ordered = {
      ids: vector.hits.map((h) => h.nodeId),
      scores: new Map(vector.hits.map((h) => [h.nodeId, { semantic: h.score }])),
      total: vector.total,
    };
    if (recorder.perHit) ordered.why = new Map(vector.hits.map((h, i) => [h.nodeId, { ranks: { semantic: i + 1 } }]));
  } else {
    ordered = await orderByField(ctx, q, semantic, candidates, reader, recorder, signal);
    if (semantic !== undefined) vectorMode = 'exact';
  }

  const page = ordered.ids.slice(q.offset, q.offset + q.limit);
  reader.prefetch(page);
  const hits: QueryHit[] = [];
  for (const id of page) {
    const node = reader.get(id);
    // The record is the last word on kinds and conditions (and a node may have just been deleted).
    if (node === undefined || !candidates.verifier.acceptsNode(node)) continue;
    const hit: QueryHit = { node, scores: ordered.scores.get(id) ?? {} };
    const why = ordered.why?.get(id);
    if (why !== undefined) hit.why = why;
    const depth = candidates.graphDepth?.get(id);
    if (depth !== undefined) hit.graphDepth = depth;
    hits.push(hit);
  }
  recorder.stage('fetch', `page ${q.offset}..${q.offset + q.limit}`, { output: hits.length });
  const result: QueryResult = { hits };
  if (ordered.total !== undefined) result.total = ordered.total;
  if (q.explain) result.explain = recorder.finish(candidates.driver, ranking, vectorMode);
  return result;
}

/** Hybrid hits found only by keyword still report their semantic score. */
async function fillMissingSemantic(ctx: QueryContext, semantic: ResolvedSemantic, ordered: Ordered, q: ParsedQuery, signal: AbortSignal | undefined): Promise<void> {
  if (semantic.model === undefined) return;
  const page = ordered.ids.slice(q.offset, q.offset + q.limit).filter((id) => ordered.scores.get(id)?.semantic === undefined);
  if (page.length === 0) return;
  for (const hit of await ctx.vectors.scoreNodes(semantic.vector, page, { model: semantic.model, signal })) {
    const scores = ordered.scores.get(hit.nodeId);
    if (scores !== undefined) scores.semantic = hit.score;
  }
}

/**
 * Orders by id or a field. With keyword and/or semantic parts, those select nodes (a
 * keyword match, or similarity at or above the threshold; either when both are given).
 */
async function orderByField(
  ctx: QueryContext,
  q: ParsedQuery,
  semantic: ResolvedSemantic | undefined,
  candidates: Candidates,
  reader: NodeReader,
  recorder: ExplainRecorder,
  signal: AbortSignal | undefined,
): Promise<Ordered> {
  const scores = new Map<string, QueryScores>();
  let selected: string[];
  if (q.keyword !== undefined || semantic !== undefined) {
    const set = new Set<string>();
    if (q.keyword !== undefined) {
      const keyword = await rankKeyword(ctx, q.keyword, candidates, reader, Number.POSITIVE_INFINITY, recorder, signal, q.neighbours);
      for (const hit of keyword.hits) {
        set.add(hit.nodeId);
        scores.set(hit.nodeId, { keyword: hit.score });
      }
    }
    if (semantic !== undefined) {
      const vector = await rankSemantic(ctx, semantic, candidates, reader, Number.POSITIVE_INFINITY, recorder, signal);
      for (const hit of vector.hits) {
        set.add(hit.nodeId);
        const known = scores.get(hit.nodeId);
        if (known === undefined) scores.set(hit.nodeId, { semantic: hit.score });
        else known.semantic = hit.score;
      }
    }
    selected = [...set];
  } else if (candidates.ids !== undefined) {
    const { ids, verifier } = candidates;
    if (verifier.needsRecords) reader.prefetch(ids);
    selected = ids.filter((id) => verifier.accepts(id));
    if (verifier.restricts) recorder.stage('filter', verifier.describe().join('; ') || 'kinds', { input: ids.length, output: selected.length });
  } else {
    selected = await scanAll(ctx, q, candidates, reader, recorder, signal);
  }

  const order = q.order;
  let ids: string[];
  if (order.kind === 'field') {
    reader.prefetch(selected);
    const nodes = selected.map((id) => reader.get(id)).filter((n): n is Node => n !== undefined);
    ids = sortByField(nodes, order.field, order.direction).map((n) => n.id);
    recorder.stage('order', `by ${order.field} ${order.direction}`, { input: selected.length });
  } else {
    ids = [...selected].sort(compareIds);
    recorder.stage('order', 'by id', { input: selected.length });
  }
  return { ids, scores, total: ids.length };
}

/** No constraint could be materialised and nothing ranks: read every node (of the kinds asked). */
async function scanAll(
  ctx: QueryContext,
  q: ParsedQuery,
  candidates: Candidates,
  reader: NodeReader,
  recorder: ExplainRecorder,
  signal: AbortSignal | undefined,
): Promise<string[]> {
  const { verifier } = candidates;
  const max = ctx.limits.maxCandidates;
  const selected: string[] = [];
  let scanned = 0;
  const check = abortChecker(signal, 1);
  for await (const chunk of ctx.storage.scanNodes({ types: q.types, signal })) {
    check();
    scanned += chunk.length;
    if (scanned > max) {
      throw new DbError('TOO_LARGE', `the query would scan more than ${max} nodes; add a filter on an indexed field, a graph filter or a keyword (limits.maxCandidates)`, {
        details: { field: 'limits.maxCandidates' },
      });
    }
    for (const node of chunk) if (verifier.acceptsId(node.id) && verifier.acceptsNode(node)) selected.push(node.id);
  }
  recorder.plan.push(`scan ${q.types === undefined ? 'every node' : q.types.join(', ')} and check each`);
  recorder.stage('scan', q.types === undefined ? 'all nodes' : q.types.join(', '), { input: scanned, output: selected.length });
  return selected;
}
