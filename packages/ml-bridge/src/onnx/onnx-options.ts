/** Options of the `onnx` provider; defaults in {@link ONNX_DEFAULTS}. */
export interface OnnxMlBridgeOptions {
  /**
   * Directory of a sentence-transformers ONNX export: `model.onnx` or
   * `onnx/model.onnx`, plus `tokenizer.json` and `config.json` (the layout of a
   * Hugging Face repo snapshot, e.g. sentence-transformers/all-MiniLM-L6-v2).
   */
  modelDir: string;
  /** Model id reported by `info()`. Default: config.json `_name_or_path`, else the directory name. */
  modelId?: string;
  /**
   * Directory of a token-classification (NER) ONNX export with `id2label` in its
   * config.json. Without it, entities come from the builtin rule extractor.
   */
  nerModelDir?: string;
  /** NER model id reported by `info()`. Default as for `modelId`. */
  nerModelId?: string;
  /**
   * ONNX Runtime execution providers in order of preference, e.g. `['cuda', 'cpu']`
   * (wired from `@tabagent/hardware`'s recommendation). `cpu` is always appended as
   * the last resort. Default `['cpu']`.
   */
  executionProviders?: string[];
  /** Threads used inside one operator. Default: ONNX Runtime's choice (one per core). */
  intraOpThreads?: number;
  /** Texts per inference call at most. Default 32. */
  maxBatchSize?: number;
  /** Padded tokens per inference call at most (texts × longest text), bounding memory. Default 8192. */
  maxBatchTokens?: number;
  /**
   * Truncation length in tokens (special tokens included). Default: the smallest of
   * tokenizer.json's truncation, config.json's `max_position_embeddings` and 512.
   */
  maxLength?: number;
  /** `mean` over the attention mask (sentence-transformers) or `cls`. Default: `1_Pooling/config.json`, else `mean`. */
  pooling?: 'mean' | 'cls';
  /** L2-normalise embeddings so cosine = dot product. Default true. */
  normalize?: boolean;
}

export const ONNX_DEFAULTS = {
  executionProviders: ['cpu'] as string[],
  maxBatchSize: 32,
  maxBatchTokens: 8192,
  maxLengthCap: 512,
  normalize: true,
} as const;

/** The default embedding model of the `onnx` and `auto` providers. */
export const DEFAULT_EMBEDDING_MODEL = 'sentence-transformers/all-MiniLM-L6-v2';
