/**
 * The `p`th percentile (0–100) by nearest rank: the smallest value with at least `p`%
 * of the values at or below it. Sorts a copy; `NaN` when there are no values.
 *
 * @example
 * percentile([5, 1, 3, 2, 4], 50) // 3
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  return percentileOfSorted(Float64Array.from(values).sort(), p);
}

/** {@link percentile} for values already sorted ascending (no copy, no sort). */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * The middle value; with an even count, the mean of the two middle values.
 * `NaN` when there are no values.
 *
 * @example
 * median([3, 1, 2]) // 2
 */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The arithmetic mean; `NaN` when there are no values. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Latency summary: nearest-rank p50 and p99, and the maximum (`NaN`s when empty). */
export function summarise(values: ArrayLike<number>): { p50: number; p99: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  return {
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  };
}

/**
 * Operations per second: `count` operations in `elapsedMs` milliseconds.
 *
 * @example
 * perSecond(5_000, performance.now() - start)
 */
export function perSecond(count: number, elapsedMs: number): number {
  return count / (elapsedMs / 1000);
}
