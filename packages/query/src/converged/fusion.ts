import { compareIds } from '../util/compare.js';

/** One fused result: its RRF score and its (1-based) rank in each input ranking. */
export interface FusedRank {
  id: string;
  score: number;
  ranks: (number | undefined)[];
}

/**
 * Weighted reciprocal rank fusion: each ranking contributes weight / (k + rank) for the
 * items it holds (weight 1 unless given); items are ordered by the sum, best first; ties
 * by the best rank in any list that holds them (so a list of weight 0 still orders what
 * the others leave tied, and fills in after them), then by id.
 *
 * @example reciprocalRankFusion([['a', 'b'], ['b', 'c']], 60) // b first: 1/62 + 1/61
 */
export function reciprocalRankFusion(rankings: readonly (readonly string[])[], k: number, weights: readonly number[] = []): FusedRank[] {
  const fused = new Map<string, FusedRank>();
  rankings.forEach((ranking, list) => {
    ranking.forEach((id, index) => {
      let entry = fused.get(id);
      if (entry === undefined) fused.set(id, (entry = { id, score: 0, ranks: rankings.map(() => undefined) }));
      if (entry.ranks[list] !== undefined) return; // a ranking lists an id once
      entry.ranks[list] = index + 1;
      entry.score += (weights[list] ?? 1) / (k + index + 1);
    });
  });
  const bestRank = (entry: FusedRank): number => Math.min(...entry.ranks.map((r) => r ?? Number.POSITIVE_INFINITY));
  return [...fused.values()].sort((a, b) => b.score - a.score || bestRank(a) - bestRank(b) || compareIds(a.id, b.id));
}
