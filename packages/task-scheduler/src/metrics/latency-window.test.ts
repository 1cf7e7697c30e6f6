import { describe, expect, it } from 'vitest';
import { LatencyWindow, quantile } from './latency-window.js';

describe('LatencyWindow', () => {
  it('reports zeros before any sample', () => {
    expect(new LatencyWindow(8).percentiles()).toEqual({ p50: 0, p99: 0 });
  });

  it('computes nearest-rank p50 and p99', () => {
    const w = new LatencyWindow(1000);
    for (let i = 1; i <= 100; i++) w.record(i);
    expect(w.percentiles()).toEqual({ p50: 50, p99: 99 });
    expect(w.count).toBe(100);
  });

  it('only keeps the most recent samples', () => {
    const w = new LatencyWindow(4);
    for (const ms of [1000, 1000, 1, 2, 3, 4]) w.record(ms);
    expect(w.count).toBe(4);
    expect(w.percentiles().p99).toBe(4);
  });

  it('quantile picks the smallest sample covering the share', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4], 1)).toBe(4);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBe(0);
  });
});
