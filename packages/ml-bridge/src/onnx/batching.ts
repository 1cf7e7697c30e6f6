/**
 * Groups texts into inference batches by length ("length bucketing"): texts are
 * sorted by token count so each batch pads to a similar length, and a batch closes
 * when it reaches `maxBatchSize` texts or `maxBatchTokens` padded tokens. Returns
 * indices into `lengths`; every index appears exactly once.
 *
 * @example
 * planBatches([5, 100, 6, 98], 2, 1000) // [[1, 3], [2, 0]]
 */
export function planBatches(lengths: readonly number[], maxBatchSize: number, maxBatchTokens: number): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => (lengths[b] as number) - (lengths[a] as number) || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let longest = 0;
  for (const i of order) {
    const len = lengths[i] as number;
    const nextLongest = Math.max(longest, len);
    if (current.length > 0 && (current.length >= maxBatchSize || nextLongest * (current.length + 1) > maxBatchTokens)) {
      batches.push(current);
      current = [];
      longest = 0;
    }
    current.push(i);
    longest = Math.max(longest, len);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
