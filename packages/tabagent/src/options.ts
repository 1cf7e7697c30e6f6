import type { MlBridge, MlBridgeConfig, MlLogger } from '@tabagent/ml-bridge';
import type { PlannerOptions, QueryLimits } from '@tabagent/query';
import type { StorageOptions } from '@tabagent/storage';
import type { TaskSchedulerOptions } from '@tabagent/task-scheduler';
import type { VectorIndexOptions } from '@tabagent/indexing';
import type { WeaverOptions } from '@tabagent/weaver';

/** Weaver settings the facade passes through (storage, vectors, scheduler and ML are its own). */
export type TabAgentWeaverOptions = Omit<WeaverOptions, 'storage' | 'vectors' | 'scheduler' | 'ml'>;

/** Options of {@link TabAgent.open}. Every field is optional; defaults are in {@link resolveTabAgentOptions}. */
export interface TabAgentOptions {
  /**
   * The ML provider: a config for `createMlBridge` (default `{ provider: 'auto' }`: onnx
   * when the default models are installed in `modelDir`, else builtin), or an open
   * bridge the caller owns (it is not closed by the facade).
   */
  ml?: MlBridgeConfig | MlBridge;
  /** Run the ML provider in a worker thread so inference never blocks the event loop (default true). */
  mlInWorker?: boolean;
  /** Where downloaded models are (a `ModelCache` directory). Default: the platform's models directory. */
  modelDir?: string;
  /** Storage settings (durability, limits). Index hooks are the facade's own. */
  storage?: Omit<StorageOptions, 'extensions'>;
  /** Vector index settings (HNSW parameters, snapshots, wait time). */
  vector?: VectorIndexOptions;
  /** Scheduler settings (policy, decay times, retries). */
  scheduler?: TaskSchedulerOptions;
  /** Weaver settings, or `false` to run without background enrichment. */
  weaver?: TabAgentWeaverOptions | false;
  /** Bounds and planner thresholds of the query engine. */
  query?: { limits?: QueryLimits; planner?: PlannerOptions };
  /** Where the facade and ML say what they chose (default: console). */
  logger?: MlLogger;
}

export interface ResolvedTabAgentOptions {
  ml: MlBridgeConfig | MlBridge;
  mlInWorker: boolean;
  modelDir: string | undefined;
  storage: Omit<StorageOptions, 'extensions'>;
  vector: VectorIndexOptions;
  scheduler: TaskSchedulerOptions;
  weaver: TabAgentWeaverOptions | false;
  query: { limits?: QueryLimits; planner?: PlannerOptions };
  logger: MlLogger | undefined;
}

/** The defaults, in one place. */
export function resolveTabAgentOptions(options: TabAgentOptions = {}): ResolvedTabAgentOptions {
  return {
    ml: options.ml ?? { provider: 'auto' },
    mlInWorker: options.mlInWorker ?? true,
    modelDir: options.modelDir,
    storage: options.storage ?? {},
    vector: options.vector ?? {},
    scheduler: options.scheduler ?? {},
    weaver: options.weaver ?? {},
    query: options.query ?? {},
    logger: options.logger,
  };
}

export function isMlBridge(value: MlBridgeConfig | MlBridge): value is MlBridge {
  return typeof (value as MlBridge).embed === 'function';
}
