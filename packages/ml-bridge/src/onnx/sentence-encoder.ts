import { DbError } from '@tabagent/common';
import { throwIfAborted } from '@tabagent/common';
import { normalizeInPlace } from '../text/vector-math.js';
import { planBatches } from './batching.js';
import type { HfTokenizer } from './hf-tokenizer.js';
import type { OnnxSession } from './onnx-session.js';
import { clsPool, meanPool } from './pooling.js';

/** How the encoder turns token vectors into one sentence vector. */
export interface EncoderSettings {
  pooling: 'mean' | 'cls';
  normalize: boolean;
  maxBatchSize: number;
  maxBatchTokens: number;
}

// Names sentence-transformers and optimum exports give their outputs, best first.
const POOLED_OUTPUTS = ['sentence_embedding', 'sentence_embeddings'];
const TOKEN_OUTPUTS = ['last_hidden_state', 'token_embeddings'];

/**
 * A sentence encoder over an ONNX transformer: tokenise, bucket by length, run,
 * pool (mean over the attention mask, or CLS), normalise, restore input order.
 */
export class SentenceEncoder {
  readonly #session: OnnxSession;
  readonly #tokenizer: HfTokenizer;
  readonly #settings: EncoderSettings;

  constructor(session: OnnxSession, tokenizer: HfTokenizer, settings: EncoderSettings) {
    this.#session = session;
    this.#tokenizer = tokenizer;
    this.#settings = settings;
  }

  async embed(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const encoded = await this.#tokenizer.encodeBatch(texts);
    const out = new Array<Float32Array>(texts.length);
    const { maxBatchSize, maxBatchTokens } = this.#settings;
    for (const indices of planBatches(
      encoded.map((e) => e.ids.length),
      maxBatchSize,
      maxBatchTokens,
    )) {
      throwIfAborted(signal);
      const batch = indices.map((i) => encoded[i] as (typeof encoded)[number]);
      const { outputs, seq, mask } = await this.#session.runBatch(batch, this.#tokenizer.padId);
      const vectors = this.#pool(outputs, batch.length, seq, mask);
      indices.forEach((i, k) => {
        const v = vectors[k] as Float32Array;
        out[i] = this.#settings.normalize ? normalizeInPlace(v) : v;
      });
    }
    return out;
  }

  #pool(outputs: Record<string, { data: Float32Array; dims: readonly number[] }>, batch: number, seq: number, mask: Int8Array): Float32Array[] {
    for (const name of POOLED_OUTPUTS) {
      const o = outputs[name];
      if (o && o.dims.length === 2) {
        const dims = o.dims[1] as number;
        return Array.from({ length: batch }, (_, b) => o.data.slice(b * dims, (b + 1) * dims));
      }
    }
    const hidden =
      TOKEN_OUTPUTS.map((n) => outputs[n]).find((o) => o !== undefined) ??
      Object.values(outputs).find((o) => o.dims.length === 3);
    if (!hidden || hidden.dims.length !== 3 || hidden.dims[0] !== batch || hidden.dims[1] !== seq) {
      throw new DbError('UNSUPPORTED', 'The ONNX graph has no [batch, sequence, hidden] output to pool', {
        details: { outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, [...v.dims]])) },
      });
    }
    const dims = hidden.dims[2] as number;
    return this.#settings.pooling === 'cls'
      ? clsPool(hidden.data, batch, seq, dims)
      : meanPool(hidden.data, batch, seq, dims, mask);
  }
}
