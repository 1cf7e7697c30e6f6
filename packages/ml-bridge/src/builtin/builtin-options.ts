import { HASHED_EMBEDDER_DEFAULTS } from './hashed-embedder.js';

/** Options of the `builtin` provider. Every field is optional; defaults in {@link BUILTIN_DEFAULTS}. */
export interface BuiltinMlBridgeOptions {
  /** Embedding length. Default 512. */
  dimensions?: number;
  /** Smooth-inverse-frequency constant (see `HashedEmbedderOptions.sifA`). Default 1e-3. */
  sifA?: number;
  /** Shortest character n-gram. Default 3. */
  charNgramMin?: number;
  /** Longest character n-gram. Default 5. */
  charNgramMax?: number;
  /** Weight of character n-grams relative to the word stem. Default 0.5. */
  charNgramWeight?: number;
  /** Texts processed between yields to the event loop, so big batches don't stall it. Default 256. */
  chunkSize?: number;
}

export const BUILTIN_DEFAULTS: Required<BuiltinMlBridgeOptions> = {
  dimensions: HASHED_EMBEDDER_DEFAULTS.dimensions,
  sifA: HASHED_EMBEDDER_DEFAULTS.sifA,
  charNgramMin: HASHED_EMBEDDER_DEFAULTS.charNgramMin,
  charNgramMax: HASHED_EMBEDDER_DEFAULTS.charNgramMax,
  charNgramWeight: HASHED_EMBEDDER_DEFAULTS.charNgramWeight,
  chunkSize: 256,
};
