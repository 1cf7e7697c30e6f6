import { DbError } from '@tabagent/common';
import type { BuiltinMlBridgeOptions } from '../builtin/builtin-options.js';
import { BuiltinMlBridge } from '../builtin/builtin-provider.js';
import { consoleLogger, type MlLogger } from '../logger.js';
import type { MlBridge, MlBridgeInfo } from '../ml-bridge.js';
import type { ModelLocator } from '../model-locator.js';
import { DEFAULT_EMBEDDING_MODEL, type OnnxMlBridgeOptions } from '../onnx/onnx-options.js';
import { OnnxMlBridge } from '../onnx/onnx-provider.js';

/** The default NER model of `auto` (the model-cache catalogue's default). */
export const DEFAULT_NER_MODEL = 'Xenova/bert-base-NER';

/** Options of the `auto` provider; every field optional. */
export interface AutoMlBridgeOptions {
  /** Where installed models are (a `ModelCache`). Without one, `auto` is `builtin`. */
  locator?: ModelLocator;
  /** Embedding model repo id. Default `sentence-transformers/all-MiniLM-L6-v2`. */
  embeddingModel?: string;
  /** NER model repo id, or `null` for builtin rules. Default `Xenova/bert-base-NER` (used only when installed). */
  nerModel?: string | null;
  /** Revision passed to the locator. Default: the locator's default. */
  revision?: string;
  /** Settings for the onnx provider when chosen (threads, execution providers, batching). */
  onnx?: Omit<OnnxMlBridgeOptions, 'modelDir' | 'nerModelDir'>;
  /** Settings for the builtin provider when chosen. */
  builtin?: BuiltinMlBridgeOptions;
  /** Receives the one line saying which provider was chosen and why. Default: console. */
  logger?: MlLogger;
}

/** What `auto` decided, before anything is loaded. */
export type AutoSelection =
  | { provider: 'onnx'; options: OnnxMlBridgeOptions; reason: string }
  | { provider: 'builtin'; options: BuiltinMlBridgeOptions; reason: string };

/**
 * Decides between onnx and builtin by asking the locator whether the configured
 * models are installed. Never downloads, never throws for a missing model (that is
 * the builtin case); a failing locator counts as "not installed".
 */
export async function selectAutoProvider(options: AutoMlBridgeOptions = {}): Promise<AutoSelection> {
  const builtin = options.builtin ?? {};
  const embeddingModel = options.embeddingModel ?? DEFAULT_EMBEDDING_MODEL;
  if (!options.locator) {
    return { provider: 'builtin', options: builtin, reason: 'no model locator configured' };
  }
  const lookup = options.revision === undefined ? {} : { revision: options.revision };
  const find = async (repoId: string): Promise<string | undefined> => {
    try {
      return await options.locator?.resolve(repoId, lookup);
    } catch {
      return undefined;
    }
  };
  const modelDir = await find(embeddingModel);
  if (modelDir === undefined) {
    return { provider: 'builtin', options: builtin, reason: `embedding model ${embeddingModel} is not in the model cache` };
  }
  const nerModel = options.nerModel === undefined ? DEFAULT_NER_MODEL : options.nerModel;
  const nerModelDir = nerModel === null ? undefined : await find(nerModel);
  const nerNote =
    nerModel === null
      ? 'entities from builtin rules'
      : nerModelDir === undefined
        ? `NER model ${nerModel} is not in the cache, entities from builtin rules`
        : `NER model ${nerModel} found`;
  return {
    provider: 'onnx',
    options: {
      ...options.onnx,
      modelDir,
      modelId: options.onnx?.modelId ?? embeddingModel,
      ...(nerModelDir === undefined ? {} : { nerModelDir, nerModelId: options.onnx?.nerModelId ?? (nerModel as string) }),
    },
    reason: `embedding model ${embeddingModel} found in the model cache; ${nerNote}`,
  };
}

/**
 * The default provider: `onnx` when the configured models are installed, else
 * `builtin`. Logs its choice once, and reports it in `info().reason`. When the onnx
 * models are installed but fail to load (a corrupted file), it falls back to builtin
 * and says so, rather than leaving the weaver without ML.
 *
 * @example
 * const ml = await createAutoMlBridge({ locator: modelCache });
 * ml.info().provider // 'onnx' or 'builtin'
 */
export async function createAutoMlBridge(options: AutoMlBridgeOptions = {}): Promise<MlBridge> {
  const logger = options.logger ?? consoleLogger;
  const selection = await selectAutoProvider(options);
  if (selection.provider === 'onnx') {
    try {
      const bridge = await OnnxMlBridge.create(selection.options);
      logger.info(`using onnx: ${selection.reason}`, { provider: 'onnx' });
      return withReason(bridge, selection.reason);
    } catch (err) {
      const reason = `onnx models are installed but failed to load (${DbError.from(err).code}: ${err instanceof Error ? err.message : String(err)})`;
      logger.warn(`using builtin: ${reason}`, { provider: 'builtin' });
      return withReason(new BuiltinMlBridge(options.builtin), reason);
    }
  }
  logger.info(`using builtin (lexical embeddings): ${selection.reason}`, { provider: 'builtin' });
  return withReason(new BuiltinMlBridge(selection.options), selection.reason);
}

/** Adds `reason` to a bridge's `info()` without wrapping its other methods. */
export function withReason<T extends MlBridge>(bridge: T, reason: string): T {
  const original = bridge.info.bind(bridge);
  Object.defineProperty(bridge, 'info', { value: (): MlBridgeInfo => ({ ...original(), reason }), configurable: true });
  return bridge;
}
