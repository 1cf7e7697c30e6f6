import { throwIfAborted } from '@tabagent/common';
import type { KeywordHit } from '@tabagent/indexing';
import type { QueryContext } from '../query-context.js';
import type { Candidates } from './candidates.js';
import type { ExplainRecorder } from './explain.js';
import type { NodeReader } from './node-reader.js';

export interface KeywordRanking {
  /** Accepted matches, best first (ties by id), at most `need`. */
  hits: KeywordHit[];
  /** BM25 score of every match the index returned (accepted or not). */
  scores: Map<string, number>;
  /** How many candidates match in all, when known. */
  total: number | undefined;
}

/**
 * BM25 over the candidates (restricted inside the index when they are materialised),
 * then the remaining checks in rank order until `need` matches pass.
 */
export async function rankKeyword(
  ctx: QueryContext,
  text: string,
  candidates: Candidates,
  reader: NodeReader,
  need: number,
  recorder: ExplainRecorder,
  signal: AbortSignal | undefined,
  neighbours = 0,
): Promise<KeywordRanking> {
  const { ids, verifier } = candidates;
  const max = ctx.limits.maxCandidates;
  const found = await ctx.indexing.keyword.search(text, {
    limit: max,
    withTerms: recorder.perHit,
    context: neighbours,
    candidates: ids === undefined ? undefined : new Set(ids),
    signal,
  });
  const truncated = found.length >= max;
  const scores = new Map(found.map((hit) => [hit.nodeId, hit.score]));
  const hits: KeywordHit[] = [];
  let checked = 0;
  if (!verifier.needsRecords) {
    for (const hit of found) if (verifier.acceptsId(hit.nodeId)) hits.push(hit);
    checked = found.length;
  } else {
    for (let start = 0; start < found.length && hits.length < need; start += 256) {
      throwIfAborted(signal);
      const chunk = found.slice(start, start + 256);
      reader.prefetch(chunk.filter((hit) => verifier.acceptsId(hit.nodeId)).map((hit) => hit.nodeId));
      for (const hit of chunk) {
        checked++;
        if (verifier.accepts(hit.nodeId)) hits.push(hit);
        if (hits.length >= need) break;
      }
    }
  }
  const total = !truncated && checked === found.length ? hits.length : undefined;
  recorder.plan.push(`keyword: BM25 ${ids === undefined ? 'over the whole index' : `restricted to ${ids.length} candidates`}`);
  recorder.stage('keyword', `BM25 "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"${neighbours > 0 ? ` + ${neighbours} × neighbouring turns` : ''}`, { input: ids?.length, output: found.length });
  if (checked > 0 && verifier.restricts) recorder.stage('filter', verifier.describe().join('; ') || 'kinds', { input: checked, output: hits.length });
  return { hits: Number.isFinite(need) ? hits.slice(0, need) : hits, scores, total };
}
