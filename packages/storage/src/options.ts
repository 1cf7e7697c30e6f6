import type { DbError } from '@tabagent/common';
import type { Extension } from './extension.js';

/** How hard a commit tries to reach the disk before it resolves. */
export type Durability = 'process' | 'sync';

export interface StorageOptions {
  /**
   * `process` (default): a resolved commit survives a crash of this process (the OS
   * holds it). `sync`: each commit is fsynced, so it survives power loss too;
   * concurrent commits are grouped into one fsync.
   */
  durability?: Durability;
  /** Largest encoded record accepted, in bytes (default 8 MiB). Larger ones are `TOO_LARGE`. */
  maxRecordBytes?: number;
  /** Largest number of operations in one batch (default 100,000). */
  maxBatchOps?: number;
  /** Check that `chatId`/`messageId` fields and edge endpoints point at existing records (default true). */
  checkReferences?: boolean;
  /** Extensions opened with the storage, in order (indexes, state, …; see `Extension`). */
  extensions?: Extension[];
  /**
   * Compact the change log once the lowest durable consumer cursor has advanced this many
   * entries past the last compaction (default 10,000), at most once a second: each
   * compaction is one LevelDB range delete that shares the write path with commits, so
   * fewer, larger ones keep write latency flat. Without any durable cursor the log is kept.
   */
  compactEvery?: number;
  /**
   * Create a new database when the directory is absent or empty (default true). A
   * directory holding anything else is never turned into a new database: one without
   * LevelDB's `CURRENT` is `CORRUPTED` (see `repairStorage`), one with unrelated files
   * `INVALID_ARGUMENT`. `false`: an absent or empty directory is `NOT_FOUND`.
   */
  createIfMissing?: boolean;
  /**
   * Hears what the storage found and repaired by itself while opening or running (data
   * lost to a damaged log file, an interrupted rebuild finished, a write failing for a
   * full disk). Each is a `DbError` (`CORRUPTED`, `DISK_FULL`…); they are also kept in
   * `storage.warnings`, and data loss is recorded in `storage.incidents()`.
   */
  onWarning?: (warning: DbError) => void;
  /** Clock for `createdAt`/`updatedAt` and change-log times (default `Date.now`). */
  now?: () => number;
  /** LevelDB in-memory write buffer in bytes (default 16 MiB); larger favours write throughput. */
  writeBufferSize?: number;
  /** LevelDB block cache in bytes (default 32 MiB). */
  cacheSize?: number;
}

export type ResolvedStorageOptions = Required<Omit<StorageOptions, 'extensions' | 'onWarning'>> & {
  extensions: Extension[];
  onWarning: ((warning: DbError) => void) | undefined;
};

export function resolveStorageOptions(options: StorageOptions = {}): ResolvedStorageOptions {
  return {
    durability: options.durability ?? 'process',
    maxRecordBytes: options.maxRecordBytes ?? 8 * 1024 * 1024,
    maxBatchOps: options.maxBatchOps ?? 100_000,
    checkReferences: options.checkReferences ?? true,
    extensions: [...(options.extensions ?? [])],
    compactEvery: options.compactEvery ?? 10_000,
    createIfMissing: options.createIfMissing ?? true,
    onWarning: options.onWarning,
    now: options.now ?? Date.now,
    writeBufferSize: options.writeBufferSize ?? 16 * 1024 * 1024,
    cacheSize: options.cacheSize ?? 32 * 1024 * 1024,
  };
}
