/**
 * Dot product accumulated in double precision, four lanes at a time (about twice as
 * fast as one accumulator in V8). Every scoring path uses it, so equal vectors always
 * get bit-identical scores.
 */
export function dot(a: Float32Array, b: Float32Array): number {
  return dotAt(a, b, 0);
}

/** Euclidean norm. */
export function norm(vector: Float32Array): number {
  return Math.sqrt(dot(vector, vector));
}

/** Cosine similarity of `a` and `b`, given `a`'s norm (computed once per query). */
export function cosineWithNorm(a: Float32Array, aNorm: number, b: Float32Array): number {
  const denominator = aNorm * norm(b);
  return denominator === 0 ? 0 : dot(a, b) / denominator;
}

/** Cosine similarity of two vectors of equal length. */
export function cosine(a: Float32Array, b: Float32Array): number {
  return cosineWithNorm(a, norm(a), b);
}

/** `dot(query, matrix.subarray(offset, offset + query.length))` without the subarray. */
export function dotAt(query: Float32Array, matrix: Float32Array, offset: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = query.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += query[i]! * matrix[offset + i]!;
    s1 += query[i + 1]! * matrix[offset + i + 1]!;
    s2 += query[i + 2]! * matrix[offset + i + 2]!;
    s3 += query[i + 3]! * matrix[offset + i + 3]!;
  }
  for (; i < n; i++) s0 += query[i]! * matrix[offset + i]!;
  return s0 + s1 + (s2 + s3);
}
