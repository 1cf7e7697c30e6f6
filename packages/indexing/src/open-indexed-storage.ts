import { DbError } from '@tabagent/common';
import { Storage, type Extension, type StorageOptions } from '@tabagent/storage';
import { Indexing, type IndexingOptions } from './indexing.js';
import { VectorIndex } from './vector/vector-index.js';
import type { VectorIndexOptions } from './vector/vector-options.js';

export interface IndexedStorageOptions {
  /** Storage options (durability, sizes, clock). */
  storage?: Omit<StorageOptions, 'extensions'>;
  /** Options of the structural, graph and keyword indexes. */
  indexing?: IndexingOptions;
  /** Options of the vector index; `false` opens none. */
  vectors?: VectorIndexOptions | false;
  /** Further extensions, opened after the indexes in this order (the weaver's state, say). */
  extensions?: Extension[];
}

/** A storage with its indexes open on it. Closing the storage closes them all. */
export interface IndexedStorage {
  storage: Storage;
  indexing: Indexing;
  /** Undefined when opened with `vectors: false`. */
  vectors: VectorIndex | undefined;
}

/**
 * The one place that opens a database directory with its extensions, in order:
 * structural, graph and keyword indexes (in every commit's batch), the vector index,
 * then the given extensions. The facade's composition root and the packages' test
 * stacks all open storage through it.
 *
 * @example
 * const { storage, indexing, vectors } = await openIndexedStorage(dir);
 * await storage.close();   // closes the extensions in reverse order, then itself
 */
export async function openIndexedStorage(location: string, options: IndexedStorageOptions = {}): Promise<IndexedStorage> {
  const indexing = new Indexing(options.indexing);
  const storage = await Storage.open(location, { ...options.storage, extensions: indexing.extensions });
  try {
    const vectors = options.vectors === false ? undefined : await VectorIndex.open(storage, options.vectors);
    for (const extension of options.extensions ?? []) await storage.addExtension(extension);
    return { storage, indexing, vectors };
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw DbError.from(err);
  }
}
