import { DbError } from '@tabagent/common';
import { throwIfAborted } from '@tabagent/common';
import type { MlEntity } from '../ml-bridge.js';
import { planBatches } from './batching.js';
import { aggregateBio, type TokenPrediction } from './bio-aggregation.js';
import type { HfTokenizer } from './hf-tokenizer.js';
import type { OnnxSession } from './onnx-session.js';

/**
 * Token-classification NER over an ONNX export (BERT/DistilBERT/RoBERTa style, with
 * `id2label` in config.json): per-token softmax, then BIO aggregation into spans
 * with character offsets from the tokenizer.
 */
export class TokenClassifier {
  readonly #session: OnnxSession;
  readonly #tokenizer: HfTokenizer;
  readonly #labels: readonly string[];
  readonly #maxBatchSize: number;
  readonly #maxBatchTokens: number;

  constructor(session: OnnxSession, tokenizer: HfTokenizer, labels: readonly string[], maxBatchSize: number, maxBatchTokens: number) {
    this.#session = session;
    this.#tokenizer = tokenizer;
    this.#labels = labels;
    this.#maxBatchSize = maxBatchSize;
    this.#maxBatchTokens = maxBatchTokens;
  }

  async extract(texts: readonly string[], signal: AbortSignal | undefined): Promise<MlEntity[][]> {
    const encoded = await this.#tokenizer.encodeBatch(texts);
    const out = new Array<MlEntity[]>(texts.length);
    for (const indices of planBatches(
      encoded.map((e) => e.ids.length),
      this.#maxBatchSize,
      this.#maxBatchTokens,
    )) {
      throwIfAborted(signal);
      const batch = indices.map((i) => encoded[i] as (typeof encoded)[number]);
      const { outputs, seq } = await this.#session.runBatch(batch, this.#tokenizer.padId);
      const logits = outputs.logits ?? Object.values(outputs).find((o) => o.dims.length === 3);
      const numLabels = this.#labels.length;
      if (!logits || logits.dims.length !== 3 || logits.dims[1] !== seq || logits.dims[2] !== numLabels) {
        throw new DbError('UNSUPPORTED', `The NER graph has no [batch, sequence, ${numLabels}] logits output`);
      }
      indices.forEach((textIndex, b) => {
        const enc = batch[b] as (typeof batch)[number];
        const predictions: TokenPrediction[] = [];
        for (let t = 0; t < enc.ids.length; t++) {
          if (enc.special[t]) continue;
          const base = (b * seq + t) * numLabels;
          let best = 0;
          let max = -Infinity;
          for (let l = 0; l < numLabels; l++) {
            const v = logits.data[base + l] as number;
            if (v > max) {
              max = v;
              best = l;
            }
          }
          let sum = 0;
          for (let l = 0; l < numLabels; l++) sum += Math.exp((logits.data[base + l] as number) - max);
          const [start, end] = enc.offsets[t] as [number, number];
          predictions.push({ label: this.#labels[best] as string, score: 1 / sum, start, end, wordId: enc.wordIds[t] ?? null });
        }
        out[textIndex] = aggregateBio(predictions, texts[textIndex] as string);
      });
    }
    return out;
  }
}

/** Reads `id2label` from a config.json into an array indexed by class id. */
export function labelsFromConfig(config: Record<string, unknown>): string[] {
  const raw = config.id2label;
  if (!raw || typeof raw !== 'object') {
    throw new DbError('CORRUPTED', 'The NER model config.json has no id2label map');
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  const labels = new Array<string>(entries.length);
  for (const [key, value] of entries) {
    const id = Number(key);
    if (!Number.isInteger(id) || id < 0 || id >= entries.length || typeof value !== 'string') {
      throw new DbError('CORRUPTED', `Invalid id2label entry ${key}: ${String(value)}`);
    }
    labels[id] = value;
  }
  return labels;
}
