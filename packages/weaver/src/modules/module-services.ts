import type { VectorIndex } from '@tabagent/indexing';
import type { Storage } from '@tabagent/storage';
import type { WeaverLogger } from '../logger.js';
import type { WeaverMl } from '../ml/guarded-ml.js';
import type { ChatLedger } from '../state/chat-ledger.js';
import type { PreparedText } from '../text/prepared-text.js';

/** What the built-in modules share: the weaver's handles on the database and the models. */
export interface ModuleServices {
  storage: Storage;
  vectors: VectorIndex;
  ml: WeaverMl;
  ledger: ChatLedger;
  logger: WeaverLogger;
  now: () => number;
  /** A node's text cut to `maxTextLength` (the cut is logged once per node and text). */
  prepare(nodeId: string, text: string, module: string): PreparedText;
}

/** Marks what the weaver derived, in the `metadata` of the records it writes. */
export const DERIVED_BY = 'weaver';
