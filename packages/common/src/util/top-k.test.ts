import { describe, expect, it } from 'vitest';
import { seededRandom } from '../testing/index.js';
import { TopK } from './top-k.js';

describe('TopK', () => {
  it('keeps the k best of a random stream, in order', () => {
    const random = seededRandom(9);
    for (const k of [0, 1, 3, 10, 100]) {
      const values = Array.from({ length: 500 }, () => Math.floor(random() * 50));
      const top = new TopK<number>(k, (a, b) => b - a);
      for (const v of values) top.offer(v);
      expect(top.sorted()).toEqual([...values].sort((a, b) => b - a).slice(0, k));
      expect(top.size).toBe(Math.min(k, values.length));
    }
  });
});
