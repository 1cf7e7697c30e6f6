import type { VectorIndex } from '@tabagent/indexing';
import type { MlBridge } from '@tabagent/ml-bridge';
import type { Storage } from '@tabagent/storage';
import type { TaskScheduler } from '@tabagent/task-scheduler';
import type { WeaverSettingsOverrides } from './config/resolve-config.js';
import type { WeaverLogger } from './logger.js';
import type { WeaverModule } from './modules/weaver-module.js';

/**
 * What `Weaver.open` takes: the handles it works with (owned by the caller — the weaver
 * never closes them) and any settings that differ from `DEFAULT_WEAVER_CONFIG`.
 */
export interface WeaverOptions extends WeaverSettingsOverrides {
  /** The database, already open. The weaver keeps its cursor and state in a key space of its own there. */
  storage: Storage;
  /** The vector index of that storage, already open; it follows the change log by itself. */
  vectors: VectorIndex;
  /** The application's scheduler: the weaver submits `normal`/`low` tasks, so they step aside when the user is active. */
  scheduler: TaskScheduler;
  /** Any ML provider. Pass a worker-thread bridge (`createWorkerMlBridge`) to keep inference off the main thread. */
  ml: MlBridge;
  /** Modules of the application's own, run like the built-in ones (after them, in this order). */
  customModules?: readonly WeaverModule[];
  /** Where warnings and errors go (default: the console, warnings and errors only). */
  logger?: WeaverLogger;
  /** Clock for dead-letter times and stats (default `Date.now`). */
  now?: () => number;
}
