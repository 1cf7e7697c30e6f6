import type { ErrorCode } from '@tabagent/common';
import type { WeaverPriority } from './config/weaver-config.js';

/** The last failure a module saw. */
export interface ModuleError {
  code: ErrorCode;
  message: string;
  /** When it happened (the weaver's clock). */
  at: number;
}

/** How one module is doing. */
export interface ModuleStats {
  enabled: boolean;
  /** Items done that produced or checked data. */
  processed: number;
  /** Items that needed no work (no text, unchanged text, node gone, …). */
  skipped: number;
  /** Items that ended in the dead-letter store. */
  failed: number;
  /** Items waiting, deferred or running. */
  pending: number;
  /** Tasks of the module running or queued in the scheduler. */
  running: number;
  /** Failed runs that were retried. */
  retried: number;
  /** `open` after too many items failed in a row: new items go straight to the dead letters until `reopensAt`. */
  breaker: 'closed' | 'open';
  /** Counted events such as `truncated` (texts cut to `maxTextLength`). */
  notes: Record<string, number>;
  /** Priority its tasks get now (import mode changes it). */
  priority: WeaverPriority;
  batchSize: number;
  lastError: ModuleError | undefined;
}

/** What `weaver.stats()` returns. */
export interface WeaverStats {
  status: 'opening' | 'open' | 'closing' | 'closed';
  importMode: boolean;
  /** Every change up to this sequence number is finished (saved as the cursor). */
  cursor: number;
  /** Sequence number of the last committed change. */
  headSeq: number;
  /** Changes committed but not finished: `headSeq - cursor`. */
  lag: number;
  /** Changes read and not finished yet. */
  inFlightChanges: number;
  /** Items waiting or running, over all modules. */
  queueDepth: number;
  /** Dead letters in the store. */
  deadLetters: number;
  /** Commit time of the last change read from the log (ms since epoch), if any. */
  lastEventAt: number | undefined;
  /** When a module last finished an item (the weaver's clock), if any. */
  lastEnrichedAt: number | undefined;
  /** True while the weaver re-reads the whole store because the log was compacted past its cursor. */
  backfilling: boolean;
  modules: Record<string, ModuleStats>;
  /** The last background failure (reading the log, saving state), if any. */
  lastError: ModuleError | undefined;
}

/** A `progress` event. */
export interface WeaverProgress {
  cursor: number;
  headSeq: number;
  lag: number;
  queueDepth: number;
  /** Items finished since the weaver opened, over all modules. */
  processed: number;
  deadLetters: number;
  importMode: boolean;
  /** Changes finished per second since the previous progress event. */
  changesPerSecond: number;
}
