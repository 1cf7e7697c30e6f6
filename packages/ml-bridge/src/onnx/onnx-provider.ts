import { DbError } from '@tabagent/common';
import { stripUndefined } from '../builtin/builtin-provider.js';
import { BUILTIN_NER_MODEL } from '../builtin/builtin-provider.js';
import { RuleEntityExtractor } from '../builtin/rule-ner.js';
import { loadWordPrior } from '../builtin/word-prior.js';
import type { MlBridgeInfo, MlEntity } from '../ml-bridge.js';
import { ProviderBase } from '../provider-base.js';
import { extractiveSummary } from '../text/extractive-summary.js';
import { HfTokenizer } from './hf-tokenizer.js';
import { resolveModelFiles, type ModelFiles } from './model-files.js';
import { ONNX_DEFAULTS, type OnnxMlBridgeOptions } from './onnx-options.js';
import { OnnxSession, type SessionSettings } from './onnx-session.js';
import { SentenceEncoder } from './sentence-encoder.js';
import { labelsFromConfig, TokenClassifier } from './token-classifier.js';

/**
 * Neural embeddings and NER with onnxruntime-node and Hugging Face tokenizers, from
 * model directories on disk (it never downloads: `@tabagent/model-cache` does).
 * Summaries are extractive over the model's sentence embeddings.
 *
 * @example
 * await using ml = await OnnxMlBridge.create({ modelDir: '/models/all-MiniLM-L6-v2', intraOpThreads: 2 });
 * const vectors = await ml.embed(['first text', 'second text']); // 384 floats each, unit length
 */
export class OnnxMlBridge extends ProviderBase {
  readonly #encoder: SentenceEncoder;
  readonly #ner: TokenClassifier | RuleEntityExtractor;
  readonly #sessions: OnnxSession[];
  readonly #info: MlBridgeInfo;

  private constructor(encoder: SentenceEncoder, ner: TokenClassifier | RuleEntityExtractor, sessions: OnnxSession[], info: MlBridgeInfo) {
    super();
    this.#encoder = encoder;
    this.#ner = ner;
    this.#sessions = sessions;
    this.#info = info;
  }

  /**
   * Loads the models and runs one warm-up inference (which also reveals the
   * embedding size). Missing files → `NOT_FOUND`; unreadable ones → `CORRUPTED`.
   */
  static async create(options: OnnxMlBridgeOptions): Promise<OnnxMlBridge> {
    const o = { ...ONNX_DEFAULTS, ...stripUndefined(options) } as OnnxMlBridgeOptions & typeof ONNX_DEFAULTS;
    if (typeof o.modelDir !== 'string' || o.modelDir === '') {
      throw new DbError('INVALID_ARGUMENT', 'modelDir is required', { details: { field: 'modelDir' } });
    }
    for (const field of ['maxBatchSize', 'maxBatchTokens', 'intraOpThreads', 'maxLength'] as const) {
      const value = o[field];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        throw new DbError('INVALID_ARGUMENT', `${field} must be a positive integer`, { details: { field } });
      }
    }
    const settings: SessionSettings = { executionProviders: o.executionProviders, intraOpThreads: o.intraOpThreads };
    const sessions: OnnxSession[] = [];
    try {
      const files = await resolveModelFiles(o.modelDir);
      const tokenizer = await HfTokenizer.fromFile(files.tokenizerPath, maxLengthFor(files, o.maxLength));
      const session = await OnnxSession.create(files.onnxPath, settings);
      sessions.push(session);
      const encoder = new SentenceEncoder(session, tokenizer, {
        pooling: o.pooling ?? files.pooling ?? 'mean',
        normalize: o.normalize,
        maxBatchSize: o.maxBatchSize,
        maxBatchTokens: o.maxBatchTokens,
      });
      const [probe] = await encoder.embed(['warm-up'], undefined);

      let ner: TokenClassifier | RuleEntityExtractor;
      let nerModel: string;
      if (o.nerModelDir !== undefined) {
        const nerFiles = await resolveModelFiles(o.nerModelDir);
        const nerTokenizer = await HfTokenizer.fromFile(nerFiles.tokenizerPath, maxLengthFor(nerFiles, o.maxLength));
        const nerSession = await OnnxSession.create(nerFiles.onnxPath, settings);
        sessions.push(nerSession);
        ner = new TokenClassifier(nerSession, nerTokenizer, labelsFromConfig(nerFiles.config), o.maxBatchSize, o.maxBatchTokens);
        await ner.extract(['warm-up'], undefined);
        nerModel = o.nerModelId ?? nerFiles.defaultId;
      } else {
        ner = new RuleEntityExtractor(loadWordPrior());
        nerModel = BUILTIN_NER_MODEL;
      }
      const modelId = o.modelId ?? files.defaultId;
      const info: MlBridgeInfo = {
        provider: 'onnx',
        quality: 'semantic',
        embedding: { model: modelId, dimensions: probe?.length, normalized: o.normalize },
        entities: { model: nerModel },
        summarizer: { model: `extractive-centrality-mmr/${modelId}`, kind: 'extractive' },
      };
      return new OnnxMlBridge(encoder, ner, sessions, info);
    } catch (err) {
      await Promise.allSettled(sessions.map((s) => s.release()));
      throw DbError.from(err);
    }
  }

  info(): MlBridgeInfo {
    return structuredClone(this.#info);
  }

  protected doEmbed(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    return this.#encoder.embed(texts, signal);
  }

  protected async doExtractEntities(texts: readonly string[], signal: AbortSignal | undefined): Promise<MlEntity[][]> {
    if (this.#ner instanceof TokenClassifier) return this.#ner.extract(texts, signal);
    const rules = this.#ner;
    return texts.map((t) => rules.extract(t));
  }

  protected doSummarize(texts: readonly string[], maxLength: number, signal: AbortSignal | undefined): Promise<string> {
    return extractiveSummary(texts, maxLength, (sentences, s) => this.#encoder.embed(sentences, s), signal);
  }

  protected async doClose(): Promise<void> {
    const results = await Promise.allSettled(this.#sessions.map((s) => s.release()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw new DbError('INTERNAL', 'Releasing an ONNX session failed', { cause: failed.reason });
  }
}

/**
 * The truncation length: the explicit option, else the tightest of
 * sentence_bert_config.json (or tokenizer.json), config.json's positions and 512.
 */
function maxLengthFor(files: ModelFiles, explicit: number | undefined): number {
  if (explicit !== undefined) return explicit;
  const limits: number[] = [ONNX_DEFAULTS.maxLengthCap];
  // sentence-transformers' own setting beats the tokenizer export's default.
  if (files.maxSeqLength !== undefined) limits.push(files.maxSeqLength);
  else {
    const truncation = files.tokenizerJson.truncation as { max_length?: unknown } | null | undefined;
    if (truncation && typeof truncation.max_length === 'number') limits.push(truncation.max_length);
  }
  const positions = files.config.max_position_embeddings;
  // RoBERTa-style models reserve two positions for padding offsets.
  if (typeof positions === 'number') limits.push(files.config.model_type === 'roberta' ? positions - 2 : positions);
  return Math.min(...limits);
}
