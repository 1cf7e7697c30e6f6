import { describe, expect, it } from 'vitest';
import { mean, median, perSecond, percentile, percentileOfSorted, summarise } from './stats.js';

describe('bench statistics', () => {
  it('takes percentiles by nearest rank', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile(values, 100)).toBe(10);
    expect(percentileOfSorted([1, 2, 3, 4], 75)).toBe(3);
    expect(percentile([], 50)).toBeNaN();
    expect(values[0]).toBe(10); // the input is left unsorted
  });

  it('takes medians, means, summaries and rates', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(summarise([3, 1, 2])).toEqual({ p50: 2, p99: 3, max: 3 });
    expect(perSecond(500, 250)).toBe(2000);
  });
});
