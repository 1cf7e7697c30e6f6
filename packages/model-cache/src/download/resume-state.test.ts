import { describe, expect, it } from 'vitest';
import { planChunks } from './resume-state.js';

describe('planChunks', () => {
  it('splits into contiguous inclusive ranges covering every byte', () => {
    const chunks = planChunks(1001, 4, 100);
    expect(chunks).toEqual([
      { start: 0, end: 249, done: 0 },
      { start: 250, end: 499, done: 0 },
      { start: 500, end: 749, done: 0 },
      { start: 750, end: 1000, done: 0 },
    ]);
  });

  it('uses fewer chunks when they would be smaller than the minimum, and one for small files', () => {
    expect(planChunks(250, 4, 100)).toHaveLength(2);
    expect(planChunks(50, 4, 100)).toEqual([{ start: 0, end: 49, done: 0 }]);
  });
});
