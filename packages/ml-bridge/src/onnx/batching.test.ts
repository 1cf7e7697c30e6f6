import { describe, expect, it } from 'vitest';
import { planBatches } from './batching.js';

describe('planBatches', () => {
  it('groups similar lengths and keeps every index exactly once', () => {
    const lengths = [5, 100, 6, 98, 7, 50];
    const batches = planBatches(lengths, 2, 10_000);
    expect(batches).toEqual([
      [1, 3],
      [5, 4],
      [2, 0],
    ]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('closes a batch at the padded-token budget', () => {
    // 100+100 fill 200 of 250 padded tokens; a third 100 would need 300.
    const batches = planBatches([100, 100, 100, 10, 10], 32, 250);
    expect(batches).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('gives an over-long text a batch of its own instead of failing', () => {
    expect(planBatches([1000, 3], 8, 100)).toEqual([[0], [1]]);
    expect(planBatches([], 8, 100)).toEqual([]);
  });
});
