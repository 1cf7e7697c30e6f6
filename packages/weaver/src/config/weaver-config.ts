import type { NodeType } from '@tabagent/common';

/** The built-in modules, in the order a change is routed to them. */
export const MODULE_NAMES = ['semantic-indexer', 'entity-linker', 'associative-linker', 'summarizer', 'topic-modeler'] as const;

/** Name of a built-in module. */
export type BuiltinModuleName = (typeof MODULE_NAMES)[number];

/** Scheduler priorities the weaver uses: it never submits `urgent` work. */
export type WeaverPriority = 'normal' | 'low';

/** How a module's work is batched and run; every module has these. */
export interface ModuleRunSettings {
  /** Whether the module runs at all. */
  enabled: boolean;
  /** Scheduler priority of its tasks outside import mode (`normal` steps aside when the user is chatting; `low` waits for idle). */
  priority: WeaverPriority;
  /** Items per task: one ML call and one write batch serve all of them. */
  batchSize: number;
  /** Longest an item waits for its batch to fill before the batch runs anyway, in ms. */
  flushMs: number;
  /** Tasks of this module running at once. */
  concurrency: number;
  /** Retries of a failed task (with the scheduler's backoff) before its items are tried one by one and then dead-lettered. */
  retries: number;
  /** Time limit of one run of a task, in ms; a run over it fails with `TIMEOUT` and is retried. */
  timeoutMs: number;
}

/** `semantic-indexer`: text → embedding record (the vector index follows the store by itself). */
export interface SemanticIndexerConfig extends ModuleRunSettings {
  /** Node kinds whose text is embedded. */
  types: NodeType[];
}

/** `entity-linker`: NER → Entity nodes (deterministic ids) → `MENTIONS` edges. */
export interface EntityLinkerConfig extends ModuleRunSettings {
  /** Node kinds whose text is searched for entities (not Summary: its text repeats its messages'). */
  types: NodeType[];
  /** Entity labels kept (see `ENTITY_LABELS` of `@tabagent/ml-bridge`); values such as dates and amounts are left out by default. */
  entityTypes: string[];
  /** Entities the model is less sure of than this (0–1) are ignored. */
  minConfidence: number;
  /** Delete Entity nodes the weaver created once nothing mentions them or links to them (pinned entities are kept). */
  removeOrphans: boolean;
}

/** `associative-linker`: embedding → nearest nodes of other chats → `IS_SEMANTICALLY_SIMILAR_TO` edges. */
export interface AssociativeLinkerConfig extends ModuleRunSettings {
  /** Node kinds linked, as sources and as targets. */
  types: NodeType[];
  /** Most similar nodes linked per node. */
  k: number;
  /** Minimum cosine similarity of a link. */
  threshold: number;
  /** Only nodes whose time (timestamp, else creation) is within this many days of the source node's. */
  windowDays: number;
  /** Texts with fewer words are not linked ("thanks" ↔ "Thank you." says nothing about two chats). */
  minWords: number;
}

/** `summarizer`: every `everyMessages` new messages of a chat → one Summary node covering them. */
export interface SummarizerConfig extends ModuleRunSettings {
  /** New messages since the chat's last summary that trigger the next one. */
  everyMessages: number;
  /** Longest summary, in UTF-16 code units. */
  maxLength: number;
}

/** `topic-modeler`: keeps `Chat.topic` current from the chat's most salient entities and keywords. */
export interface TopicModelerConfig extends ModuleRunSettings {
  /** Recompute a chat's topic once it gained this many messages since the last computation (a chat without a topic gets one at once). */
  everyMessages: number;
  /** The most recent messages of a chat the topic is computed from. */
  window: number;
  /** Entity labels in the topic, at most. */
  maxEntities: number;
  /** Keywords in the topic, at most. */
  maxKeywords: number;
  /** Leave a topic alone that someone other than the weaver wrote. */
  respectUserTopic: boolean;
}

/** Settings of every built-in module. */
export interface WeaverModulesConfig {
  'semantic-indexer': SemanticIndexerConfig;
  'entity-linker': EntityLinkerConfig;
  'associative-linker': AssociativeLinkerConfig;
  summarizer: SummarizerConfig;
  'topic-modeler': TopicModelerConfig;
}

/** Partial settings per module, merged over the defaults. */
export type WeaverModulesOverrides = { [K in BuiltinModuleName]?: Partial<WeaverModulesConfig[K]> };

/** How bulk-import mode changes every module's batching. */
export interface ImportModeConfig {
  /** Priority of every module's tasks during an import. */
  priority: WeaverPriority;
  /** Each module's batch size is multiplied by this. */
  batchFactor: number;
  /** Longest an item waits for its batch to fill, in ms. */
  flushMs: number;
}

/** Everything configurable about a weaver, with its defaults in {@link DEFAULT_WEAVER_CONFIG}. */
export interface WeaverConfig {
  modules: WeaverModulesConfig;
  /** Change-log entries read per step. */
  readBatchSize: number;
  /** Changes read but not yet finished above which reading pauses (backpressure). */
  maxPendingChanges: number;
  /** Time limit of one ML call, in ms; a call over it fails with `TIMEOUT`. */
  mlTimeoutMs: number;
  /** Text longer than this (UTF-16 code units) is cut before it is embedded or searched for entities; the cut is logged and counted. */
  maxTextLength: number;
  /** How often the cursor is saved while work finishes, in ms (it is also saved when idle and on close). */
  cursorFlushMs: number;
  /** Least time between two `progress` events, in ms. */
  progressIntervalMs: number;
  /** Bulk-import mode. */
  import: ImportModeConfig;
}

const TEXT_TYPES: NodeType[] = ['Message', 'Summary', 'Attachment', 'ScrapedPage', 'Bookmark', 'WebSearch', 'AudioTranscript', 'ImageMetadata'];

/** Run settings of a module that does not say otherwise (custom modules too). */
export const DEFAULT_RUN_SETTINGS: Readonly<ModuleRunSettings> = Object.freeze({
  enabled: true,
  priority: 'normal',
  batchSize: 64,
  flushMs: 20,
  concurrency: 1,
  retries: 3,
  timeoutMs: 120_000,
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The defaults of every setting, in one place. The numbers: similarity k 5,
 * cosine ≥ 0.85 within 30 days; a summary every 20 messages.
 */
export const DEFAULT_WEAVER_CONFIG: Readonly<WeaverConfig> = deepFreeze<WeaverConfig>({
  modules: {
    'semantic-indexer': { ...DEFAULT_RUN_SETTINGS, types: [...TEXT_TYPES] },
    'entity-linker': {
      ...DEFAULT_RUN_SETTINGS,
      batchSize: 32,
      // NER is the slowest call: while one batch writes its entities, the next one is in the model.
      concurrency: 2,
      types: TEXT_TYPES.filter((t) => t !== 'Summary'),
      entityTypes: ['PERSON', 'ORG', 'LOCATION', 'PRODUCT', 'EVENT', 'WORK_OF_ART', 'LANGUAGE', 'MISC'],
      minConfidence: 0.5,
      removeOrphans: true,
    },
    'associative-linker': { ...DEFAULT_RUN_SETTINGS, batchSize: 32, types: [...TEXT_TYPES], k: 5, threshold: 0.85, windowDays: 30, minWords: 3 },
    summarizer: { ...DEFAULT_RUN_SETTINGS, batchSize: 64, everyMessages: 20, maxLength: 500 },
    'topic-modeler': {
      ...DEFAULT_RUN_SETTINGS,
      batchSize: 32,
      flushMs: 100,
      everyMessages: 5,
      window: 100,
      maxEntities: 2,
      maxKeywords: 3,
      respectUserTopic: true,
    },
  },
  readBatchSize: 512,
  maxPendingChanges: 4_096,
  mlTimeoutMs: 60_000,
  maxTextLength: 16_384,
  cursorFlushMs: 250,
  progressIntervalMs: 500,
  import: { priority: 'low', batchFactor: 4, flushMs: 250 },
});
