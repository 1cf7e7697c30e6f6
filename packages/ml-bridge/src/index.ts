export type {
  MlBridge,
  MlBridgeInfo,
  MlBridgeStatus,
  MlCallOptions,
  MlEntity,
  MlHealth,
  MlQuality,
  SummarizeOptions,
} from './ml-bridge.js';
export { ENTITY_LABELS, normalizeEntityLabel, isEntityLabel } from './entity-labels.js';
export type { EntityLabel } from './entity-labels.js';
export type { ModelLocator } from './model-locator.js';
export { consoleLogger, silentLogger } from './logger.js';
export type { MlLogger } from './logger.js';
export { createMlBridge, ML_PROVIDERS } from './create-ml-bridge.js';
export type { MlBridgeConfig } from './create-ml-bridge.js';
export { BuiltinMlBridge, BUILTIN_NER_MODEL } from './builtin/builtin-provider.js';
export type { BuiltinMlBridgeOptions } from './builtin/builtin-options.js';
export { OnnxMlBridge } from './onnx/onnx-provider.js';
export { DEFAULT_EMBEDDING_MODEL } from './onnx/onnx-options.js';
export type { OnnxMlBridgeOptions } from './onnx/onnx-options.js';
export { OpenAiMlBridge } from './openai/openai-provider.js';
export type { OpenAiMlBridgeOptions } from './openai/openai-options.js';
export type { GrpcMlBridgeOptions } from './grpc/grpc-options.js';
export { createAutoMlBridge, selectAutoProvider, DEFAULT_NER_MODEL } from './auto/auto-provider.js';
export type { AutoMlBridgeOptions, AutoSelection } from './auto/auto-provider.js';
export { createWorkerMlBridge } from './worker/worker-ml-bridge.js';
export type { WorkerMlBridgeOptions } from './worker/worker-ml-bridge.js';
export { extractiveSummary } from './text/extractive-summary.js';
export { splitSentences } from './text/sentences.js';
export type { Sentence } from './text/sentences.js';
