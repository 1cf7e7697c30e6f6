/**
 * Mean of the token vectors whose attention mask is 1, per sequence — the pooling of
 * sentence-transformers models. `hidden` is a row-major [batch, seq, dims] tensor.
 */
export function meanPool(hidden: Float32Array, batch: number, seq: number, dims: number, mask: ArrayLike<number>): Float32Array[] {
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) {
    const v = new Float32Array(dims);
    let count = 0;
    for (let t = 0; t < seq; t++) {
      if (mask[b * seq + t] !== 1) continue;
      count++;
      const base = (b * seq + t) * dims;
      for (let d = 0; d < dims; d++) v[d] = (v[d] as number) + (hidden[base + d] as number);
    }
    if (count > 0) for (let d = 0; d < dims; d++) v[d] = (v[d] as number) / count;
    out.push(v);
  }
  return out;
}

/** The first token's vector ([CLS]) per sequence. */
export function clsPool(hidden: Float32Array, batch: number, seq: number, dims: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let b = 0; b < batch; b++) out.push(hidden.slice(b * seq * dims, b * seq * dims + dims));
  return out;
}
