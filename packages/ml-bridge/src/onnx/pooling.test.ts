import { describe, expect, it } from 'vitest';
import { clsPool, meanPool } from './pooling.js';

describe('pooling', () => {
  // batch 2, seq 3, dims 2
  const hidden = Float32Array.from([1, 2, 3, 4, 100, 100, /* second */ 5, 6, 7, 8, 9, 10]);

  it('averages only the tokens the mask keeps', () => {
    const [a, b] = meanPool(hidden, 2, 3, 2, [1, 1, 0, 1, 1, 1]);
    expect(Array.from(a ?? [])).toEqual([2, 3]);
    expect(Array.from(b ?? [])).toEqual([7, 8]);
  });

  it('returns zeros for a fully masked row and the first token for cls', () => {
    const [a] = meanPool(hidden, 2, 3, 2, [0, 0, 0, 1, 1, 1]);
    expect(Array.from(a ?? [])).toEqual([0, 0]);
    expect(clsPool(hidden, 2, 3, 2).map((v) => Array.from(v))).toEqual([
      [1, 2],
      [5, 6],
    ]);
  });
});
