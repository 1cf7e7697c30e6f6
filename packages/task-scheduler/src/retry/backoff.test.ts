import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const options = { baseMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

describe('backoffDelay', () => {
  it('grows exponentially and is capped', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, options, () => 0.5));
    expect(delays).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('jitter shortens the delay by up to its share', () => {
    const jittered = { ...options, jitter: 0.5 };
    expect(backoffDelay(3, jittered, () => 0)).toBe(400);
    expect(backoffDelay(3, jittered, () => 0.999_999)).toBeCloseTo(200, 3);
    expect(backoffDelay(3, jittered, () => 0.5)).toBe(300);
  });
});
