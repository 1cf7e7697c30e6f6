/** The median and 99th percentile of a set of durations, in ms. */
export interface Percentiles {
  /** Median; 0 when there are no samples yet. */
  readonly p50: number;
  /** 99th percentile; 0 when there are no samples yet. */
  readonly p99: number;
}

/**
 * Keeps the most recent `size` samples in a typed array and computes percentiles on
 * demand. Recording is a single store, so it can sit on the per-task hot path; the sort
 * only happens when someone asks for statistics.
 *
 * @example
 * const w = new LatencyWindow(1024);
 * w.record(3); w.record(5);
 * w.percentiles().p50; // 3
 */
export class LatencyWindow {
  readonly #samples: Float64Array;
  #next = 0;
  #count = 0;

  constructor(size = 1024) {
    this.#samples = new Float64Array(Math.max(1, size));
  }

  /** Number of samples currently held (at most `size`). */
  get count(): number {
    return this.#count;
  }

  record(ms: number): void {
    this.#samples[this.#next] = ms;
    this.#next = this.#next + 1 === this.#samples.length ? 0 : this.#next + 1;
    if (this.#count < this.#samples.length) this.#count++;
  }

  percentiles(): Percentiles {
    if (this.#count === 0) return { p50: 0, p99: 0 };
    const sorted = this.#samples.slice(0, this.#count).sort();
    return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
  }
}

/** Nearest-rank quantile of sorted values: the smallest sample ≥ a `q` share of them. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}
