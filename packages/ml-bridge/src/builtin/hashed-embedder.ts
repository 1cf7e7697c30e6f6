import { stemmer } from 'stemmer';
import type { WordPrior } from './word-prior.js';

/** Tuning of the {@link HashedEmbedder}; defaults in {@link HASHED_EMBEDDER_DEFAULTS}. */
export interface HashedEmbedderOptions {
  /** Vector length. Collisions fall as it grows; 512 keeps them rare for short texts. */
  dimensions: number;
  /**
   * Smooth inverse frequency constant `a` in `a / (a + p(word))` (Arora et al. 2017,
   * "A simple but tough-to-beat baseline for sentence embeddings", who recommend
   * 1e-3…1e-4): frequent words such as "the" weigh ~0.003, rare words ~1.
   */
  sifA: number;
  /** Shortest character n-gram (over the word wrapped in `<` `>`). */
  charNgramMin: number;
  /** Longest character n-gram. */
  charNgramMax: number;
  /** Weight of a word's character n-grams relative to the word itself. */
  charNgramWeight: number;
  /** Words whose features are cached (the cache is dropped when full). */
  cacheSize: number;
}

export const HASHED_EMBEDDER_DEFAULTS: HashedEmbedderOptions = {
  dimensions: 512,
  sifA: 1e-3,
  charNgramMin: 3,
  charNgramMax: 5,
  charNgramWeight: 0.5,
  cacheSize: 100_000,
};

interface WordFeatures {
  indices: Int32Array;
  values: Float32Array;
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * A lexical sentence embedder that needs no model file: every word contributes its
 * Porter stem and its character n-grams, hashed with a random sign into a fixed
 * number of dimensions (the "hashing trick": signs make collisions cancel on
 * average instead of piling up), weighted by smooth inverse frequency from a
 * general English word-frequency list and by sublinear term frequency (1 + ln tf),
 * then L2-normalised. Stems match inflections ("runs"/"running"); character n-grams
 * match spelling variants, compounds and rare words the frequency list lacks.
 *
 * @example
 * const e = new HashedEmbedder(loadWordPrior());
 * cosine(e.embed('A man is playing a guitar.'), e.embed('A man plays the guitar.')) // high
 */
export class HashedEmbedder {
  readonly options: HashedEmbedderOptions;
  readonly #prior: WordPrior;
  readonly #cache = new Map<string, WordFeatures>();

  constructor(prior: WordPrior, options: Partial<HashedEmbedderOptions> = {}) {
    this.options = { ...HASHED_EMBEDDER_DEFAULTS, ...options };
    this.#prior = prior;
  }

  /** One L2-normalised vector of `options.dimensions` floats (all zeros for text without words). */
  embed(text: string): Float32Array {
    const out = new Float32Array(this.options.dimensions);
    const counts = new Map<string, number>();
    for (const match of text.toLowerCase().matchAll(WORD)) {
      const word = match[0];
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    for (const [word, tf] of counts) {
      const features = this.#features(word);
      const scale = 1 + Math.log(tf);
      const { indices, values } = features;
      for (let i = 0; i < indices.length; i++) {
        const at = indices[i] as number;
        out[at] = (out[at] as number) + (values[i] as number) * scale;
      }
    }
    let sq = 0;
    for (let i = 0; i < out.length; i++) sq += (out[i] as number) * (out[i] as number);
    if (sq > 0) {
      const inv = 1 / Math.sqrt(sq);
      for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * inv;
    }
    return out;
  }

  #features(word: string): WordFeatures {
    const cached = this.#cache.get(word);
    if (cached) return cached;
    const { dimensions, sifA, charNgramMin, charNgramMax, charNgramWeight } = this.options;
    const weight = sifA / (sifA + this.#prior.probability(word));
    const keys: string[] = [`w:${stemmer(word)}`];
    const wrapped = `<${word}>`;
    for (let n = charNgramMin; n <= charNgramMax; n++) {
      for (let i = 0; i + n <= wrapped.length; i++) keys.push(`c:${wrapped.slice(i, i + n)}`);
    }
    const gramCount = keys.length - 1;
    // Dividing by sqrt(#grams) keeps long words from drowning short ones in n-grams.
    const gramWeight = gramCount > 0 ? (charNgramWeight * weight) / Math.sqrt(gramCount) : 0;
    const acc = new Map<number, number>();
    keys.forEach((key, i) => {
      const h = hash32(key);
      const index = h % dimensions;
      const sign = h & 0x80000000 ? -1 : 1;
      acc.set(index, (acc.get(index) ?? 0) + sign * (i === 0 ? weight : gramWeight));
    });
    const features: WordFeatures = { indices: Int32Array.from(acc.keys()), values: Float32Array.from(acc.values()) };
    if (this.#cache.size >= this.options.cacheSize) this.#cache.clear();
    this.#cache.set(word, features);
    return features;
  }
}

/** FNV-1a over UTF-16 code units, finished with MurmurHash3's fmix32 for avalanche. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
