export { Weaver } from './weaver.js';
export type { WeaverStatus, WeaverEvents, WhenIdleOptions, DeadLetters } from './weaver.js';
export type { WeaverOptions } from './weaver-options.js';
export type { WeaverStats, ModuleStats, ModuleError, WeaverProgress } from './weaver-stats.js';
export { DEFAULT_WEAVER_CONFIG, DEFAULT_RUN_SETTINGS, MODULE_NAMES } from './config/weaver-config.js';
export type {
  WeaverConfig,
  WeaverModulesConfig,
  WeaverModulesOverrides,
  ModuleRunSettings,
  ImportModeConfig,
  WeaverPriority,
  BuiltinModuleName,
  SemanticIndexerConfig,
  EntityLinkerConfig,
  AssociativeLinkerConfig,
  SummarizerConfig,
  TopicModelerConfig,
} from './config/weaver-config.js';
export { resolveWeaverConfig } from './config/resolve-config.js';
export type { WeaverSettingsOverrides } from './config/resolve-config.js';
export type { WeaverModule, WorkItem, WorkTarget, ModuleRunContext, EnrichedDetail } from './modules/weaver-module.js';
export type { EnrichedEvent } from './work/batch-run.js';
export type { DeadLetter } from './state/dead-letter-store.js';
export type { MentionMetadata, MentionSpan } from './modules/entity-linker.js';
export { embeddingIdFor } from './modules/semantic-indexer.js';
export { similarityEdgeEnds } from './modules/associative-linker.js';
export { summaryIdFor } from './modules/summarizer.js';
export { consoleWeaverLogger, silentWeaverLogger } from './logger.js';
export type { WeaverLogger } from './logger.js';
