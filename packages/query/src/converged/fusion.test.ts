import { describe, expect, it } from 'vitest';
import { reciprocalRankFusion } from './fusion.js';

describe('reciprocalRankFusion', () => {
  it('sums 1 / (k + rank) over the rankings, best first, ties by id', () => {
    const fused = reciprocalRankFusion([['a', 'b', 'c'], ['c', 'b', 'd']], 60);
    // c = 1/63 + 1/61 = 0.032266 beats b = 2/62 = 0.032258.
    expect(fused.map((f) => f.id)).toEqual(['c', 'b', 'a', 'd']);
    expect(fused[1]).toEqual({ id: 'b', score: 1 / 62 + 1 / 62, ranks: [2, 2] });
    expect(fused.find((f) => f.id === 'd')).toEqual({ id: 'd', score: 1 / 63, ranks: [undefined, 3] });
    // Equal scores fall back to id order.
    expect(reciprocalRankFusion([['y'], ['x']], 60).map((f) => f.id)).toEqual(['x', 'y']);
  });

  it('weighs each ranking; a ranking of weight 0 only breaks ties and fills in after the others', () => {
    const weighted = reciprocalRankFusion([['a', 'b'], ['b', 'c']], 60, [1, 0.5]);
    expect(weighted[0]).toEqual({ id: 'b', score: 1 / 62 + 0.5 / 61, ranks: [2, 1] });
    // Weight 0: the first ranking's order stands; the second orders the rest after it.
    const fallback = reciprocalRankFusion([['a', 'b'], ['d', 'c', 'b']], 60, [1, 0]);
    expect(fallback.map((f) => f.id)).toEqual(['a', 'b', 'd', 'c']);
  });

  it('counts an id once per ranking and handles empty rankings', () => {
    expect(reciprocalRankFusion([['a', 'a'], []], 1)).toEqual([{ id: 'a', score: 0.5, ranks: [1, undefined] }]);
    expect(reciprocalRankFusion([], 60)).toEqual([]);
  });
});
