import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DbError } from '@tabagent/common';

/** Options of a `VectorIndex`; every field has a default. */
export interface VectorIndexOptions {
  /** Directory of the snapshot files (default `<storage.location>/vector`). One index per directory. */
  dir?: string;
  /**
   * HNSW connectivity (edges per node, usearch `connectivity`; default 16). Higher gives
   * better recall and more memory. Changing it makes the next open rebuild the index.
   */
  connectivity?: number;
  /** Candidate list size while inserting (usearch `expansion_add`; default 128). Higher builds a better graph, slower. */
  expansionAdd?: number;
  /**
   * Candidate list size while searching (usearch `expansion_search`). Higher raises recall
   * and latency. Default `auto`: 64 up to 250k vectors in a space, 128 up to 2.5M, 256 beyond
   * (see `expansionSearchFor`), re-chosen whenever a snapshot is mapped or loaded.
   */
  expansionSearch?: number | 'auto';
  /**
   * Save a snapshot after this many applied embedding changes (default 2,048; 0 turns it
   * off), and no sooner than 2% of the index has changed, so large indexes are not
   * rewritten for every few thousand changes. Each snapshot also becomes the base the
   * main thread searches, so this bounds the exact delta scanned per search.
   */
  snapshotEvery?: number;
  /** Save a snapshot on `close()` when changes were applied since the last one (default true). */
  snapshotOnClose?: boolean;
  /**
   * How long a search waits for the index to be loaded and caught up before it answers
   * with an exact scan of the embeddings store (default 1,000 ms). Per-search `waitMs` overrides it.
   */
  waitMs?: number;
  /** Threads usearch uses for bulk adds (builds, catch-up); default: available cores. */
  threads?: number;
  /** Embeddings per message to the worker during builds and catch-up (default 1,000). */
  batchSize?: number;
  /**
   * A search restricted to at most this many candidate nodes scores them exactly from the
   * store instead of searching the graph (default 2,000).
   */
  exactCandidates?: number;
  /**
   * Embedding changes in flight to the worker above which live updates switch to paced
   * catch-up from the change log (default 50,000); bounds memory during bulk ingest.
   */
  maxInFlight?: number;
  /**
   * Changes per space kept on the main thread since the last snapshot and scanned exactly
   * with each search (default 4,096). Beyond it, that space is searched in the worker until
   * the next snapshot.
   */
  deltaLimit?: number;
  /**
   * Most bytes of vectors the exact tier (candidate scoring, exact scans) keeps in memory
   * (default 256 MiB: ~170,000 vectors of 384 dimensions); the rest are read from the store.
   */
  exactCacheBytes?: number;
}

export type ResolvedVectorIndexOptions = Required<VectorIndexOptions>;

function positiveInteger(value: number | undefined, field: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new DbError('INVALID_ARGUMENT', `${field}: expected an integer ≥ ${min}`, { details: { field } });
  }
  return value;
}

export function resolveVectorIndexOptions(location: string, options: VectorIndexOptions = {}): ResolvedVectorIndexOptions {
  if (options.dir !== undefined && (typeof options.dir !== 'string' || options.dir.length === 0)) {
    throw new DbError('INVALID_ARGUMENT', 'dir: expected a directory path', { details: { field: 'dir' } });
  }
  return {
    dir: options.dir ?? join(location, 'vector'),
    connectivity: positiveInteger(options.connectivity, 'connectivity', 16, 2),
    expansionAdd: positiveInteger(options.expansionAdd, 'expansionAdd', 128),
    expansionSearch:
      options.expansionSearch === undefined || options.expansionSearch === 'auto'
        ? 'auto'
        : positiveInteger(options.expansionSearch, 'expansionSearch', 64),
    snapshotEvery: positiveInteger(options.snapshotEvery, 'snapshotEvery', 2_048, 0),
    snapshotOnClose: options.snapshotOnClose ?? true,
    waitMs: positiveInteger(options.waitMs, 'waitMs', 1_000, 0),
    threads: positiveInteger(options.threads, 'threads', availableParallelism()),
    batchSize: positiveInteger(options.batchSize, 'batchSize', 1_000),
    exactCandidates: positiveInteger(options.exactCandidates, 'exactCandidates', 2_000, 0),
    maxInFlight: positiveInteger(options.maxInFlight, 'maxInFlight', 50_000),
    deltaLimit: positiveInteger(options.deltaLimit, 'deltaLimit', 4_096, 0),
    exactCacheBytes: positiveInteger(options.exactCacheBytes, 'exactCacheBytes', 256 * 1024 * 1024, 0),
  };
}
