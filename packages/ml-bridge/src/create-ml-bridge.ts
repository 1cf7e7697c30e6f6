import { DbError } from '@tabagent/common';
import { createAutoMlBridge, type AutoMlBridgeOptions } from './auto/auto-provider.js';
import type { BuiltinMlBridgeOptions } from './builtin/builtin-options.js';
import type { GrpcMlBridgeOptions } from './grpc/grpc-options.js';
import { BuiltinMlBridge } from './builtin/builtin-provider.js';
import type { MlBridge } from './ml-bridge.js';
import type { OnnxMlBridgeOptions } from './onnx/onnx-options.js';
import { OnnxMlBridge } from './onnx/onnx-provider.js';
import type { OpenAiMlBridgeOptions } from './openai/openai-options.js';
import { OpenAiMlBridge } from './openai/openai-provider.js';

/** Picks a provider by name, with that provider's options beside the name. */
export type MlBridgeConfig =
  | ({ provider: 'builtin' } & BuiltinMlBridgeOptions)
  | ({ provider: 'onnx' } & OnnxMlBridgeOptions)
  | ({ provider: 'openai' } & OpenAiMlBridgeOptions)
  | ({ provider: 'grpc' } & GrpcMlBridgeOptions)
  | ({ provider?: 'auto' } & AutoMlBridgeOptions);

/** Provider names {@link createMlBridge} accepts. */
export const ML_PROVIDERS = ['auto', 'builtin', 'onnx', 'openai', 'grpc'] as const;

/**
 * Creates an open bridge for `config.provider` (default `auto`). Unknown provider →
 * `INVALID_ARGUMENT`; model files missing for `onnx` → `NOT_FOUND`.
 *
 * @example
 * const ml = await createMlBridge();                                    // auto: builtin without a locator
 * const ml2 = await createMlBridge({ provider: 'onnx', modelDir: dir, intraOpThreads: 2 });
 * const ml3 = await createMlBridge({ provider: 'openai', baseUrl: 'http://127.0.0.1:8080/v1' });
 * const ml4 = await createMlBridge({ provider: 'grpc', address: '127.0.0.1:50051' }); // another TabAgent's MlInference
 */
export async function createMlBridge(config: MlBridgeConfig = {}): Promise<MlBridge> {
  const { provider = 'auto', ...options } = config as MlBridgeConfig & { provider?: string };
  switch (provider) {
    case 'builtin':
      return new BuiltinMlBridge(options as BuiltinMlBridgeOptions);
    case 'onnx':
      return OnnxMlBridge.create(options as OnnxMlBridgeOptions);
    case 'openai':
      return new OpenAiMlBridge(options as OpenAiMlBridgeOptions);
    case 'grpc':
      // Loaded on demand: grpc-js stays out of processes that never use it.
      return (await import('./grpc/grpc-provider.js')).GrpcMlBridge.connect(options as GrpcMlBridgeOptions);
    case 'auto':
      return createAutoMlBridge(options as AutoMlBridgeOptions);
    default:
      throw new DbError('INVALID_ARGUMENT', `Unknown ML provider "${provider}"; expected one of ${ML_PROVIDERS.join(', ')}`, {
        details: { field: 'provider' },
      });
  }
}
