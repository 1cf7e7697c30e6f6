import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { DbError } from '@tabagent/common';
import { throwIfAborted } from '@tabagent/common';
import type { MlBridgeInfo, MlEntity } from '../ml-bridge.js';
import { ProviderBase } from '../provider-base.js';
import { extractiveSummary } from '../text/extractive-summary.js';
import { BUILTIN_DEFAULTS, type BuiltinMlBridgeOptions } from './builtin-options.js';
import { HashedEmbedder } from './hashed-embedder.js';
import { RuleEntityExtractor } from './rule-ner.js';
import { loadWordPrior } from './word-prior.js';

/** Id of the builtin rule-based entity extractor, as reported by `info()`. */
export const BUILTIN_NER_MODEL = 'builtin/compromise-rules-v1';

/**
 * The provider that works with no model files: hashed word + character n-gram
 * embeddings (lexical, and honest about it in `info()`), rule/lexicon NER and
 * extractive summaries. Deterministic: the same text always gives the same vector.
 *
 * @example
 * await using ml = new BuiltinMlBridge({ dimensions: 384 });
 * const [v] = await ml.embed(['hello world']);   // Float32Array(384), unit length
 */
export class BuiltinMlBridge extends ProviderBase {
  readonly #options: Required<BuiltinMlBridgeOptions>;
  readonly #embedder: HashedEmbedder;
  readonly #ner: RuleEntityExtractor;
  readonly #info: MlBridgeInfo;

  constructor(options: BuiltinMlBridgeOptions = {}) {
    super();
    this.#options = { ...BUILTIN_DEFAULTS, ...stripUndefined(options) };
    const o = this.#options;
    if (!Number.isInteger(o.dimensions) || o.dimensions < 8 || o.dimensions > 65_536) {
      throw new DbError('INVALID_ARGUMENT', 'dimensions must be an integer in [8, 65536]', { details: { field: 'dimensions' } });
    }
    if (!(o.charNgramMin >= 1 && o.charNgramMax >= o.charNgramMin)) {
      throw new DbError('INVALID_ARGUMENT', 'charNgramMin must be ≥ 1 and ≤ charNgramMax', { details: { field: 'charNgramMin' } });
    }
    const prior = loadWordPrior();
    this.#embedder = new HashedEmbedder(prior, o);
    this.#ner = new RuleEntityExtractor(prior);
    // The id encodes every knob that changes the vectors: a different setting is a
    // different vector space and must not be mixed with this one in an index.
    const variant = `d${o.dimensions}-a${o.sifA}-c${o.charNgramMin}${o.charNgramMax}-w${o.charNgramWeight}`;
    this.#info = {
      provider: 'builtin',
      quality: 'lexical',
      embedding: { model: `builtin/hashed-ngram-v1-${variant}`, dimensions: o.dimensions, normalized: true },
      entities: { model: BUILTIN_NER_MODEL },
      summarizer: { model: 'builtin/extractive-centrality-mmr', kind: 'extractive' },
    };
  }

  info(): MlBridgeInfo {
    return structuredClone(this.#info);
  }

  protected async doEmbed(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    return this.#chunked(texts, signal, (t) => this.#embedder.embed(t));
  }

  protected async doExtractEntities(texts: readonly string[], signal: AbortSignal | undefined): Promise<MlEntity[][]> {
    // NER is ~100× slower per text than embedding, so yield more often.
    return this.#chunked(texts, signal, (t) => this.#ner.extract(t), Math.max(1, Math.floor(this.#options.chunkSize / 16)));
  }

  protected doSummarize(texts: readonly string[], maxLength: number, signal: AbortSignal | undefined): Promise<string> {
    return extractiveSummary(texts, maxLength, (sentences, s) => this.doEmbed(sentences, s), signal);
  }

  protected async doClose(): Promise<void> {
    // Nothing to release: the word prior is shared and immutable.
  }

  async #chunked<T>(
    texts: readonly string[],
    signal: AbortSignal | undefined,
    fn: (text: string) => T,
    chunkSize = this.#options.chunkSize,
  ): Promise<T[]> {
    const out: T[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (i > 0 && i % chunkSize === 0) {
        await yieldToEventLoop();
        throwIfAborted(signal);
      }
      out.push(fn(texts[i] as string));
    }
    return out;
  }
}

/** Drops `undefined` fields so they don't override defaults in a spread. */
export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
