import type { DbErrorDetails, ErrorCode } from '@tabagent/common';
import type { BuiltinMlBridgeOptions } from '../builtin/builtin-options.js';
import type { MlBridgeInfo } from '../ml-bridge.js';
import type { OnnxMlBridgeOptions } from '../onnx/onnx-options.js';
import type { OpenAiMlBridgeOptions } from '../openai/openai-options.js';

/**
 * A provider config that can cross a thread boundary (structured-clone safe: no
 * functions, no locator, no logger). `auto` is resolved on the calling thread first.
 */
export type WorkerProviderConfig =
  | ({ provider: 'builtin' } & BuiltinMlBridgeOptions)
  | ({ provider: 'onnx' } & OnnxMlBridgeOptions)
  | ({ provider: 'openai' } & OpenAiMlBridgeOptions);

export type CallMethod = 'embed' | 'extractEntities' | 'summarize' | 'health';

export type ToWorker =
  | {
      type: 'init';
      config: WorkerProviderConfig;
      /** Builtin options to fall back to if the provider fails to load (the `auto` contract). */
      fallback?: BuiltinMlBridgeOptions;
      reason?: string;
    }
  | { type: 'call'; id: number; method: CallMethod; texts: readonly string[]; maxLength?: number }
  | { type: 'abort'; id: number }
  | { type: 'close' };

export interface SerializedError {
  code: ErrorCode;
  message: string;
  details: DbErrorDetails;
}

export type FromWorker =
  | { type: 'ready'; info: MlBridgeInfo; fellBack?: string }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'closed' };
