export { Storage } from './storage.js';
export type {
  StorageStatus,
  StorageEvents,
  ScanOptions,
  ReadChangesOptions,
  FollowChangesOptions,
  StorageStats,
  StorageIncident,
} from './storage.js';
export { repairStorage } from './repair.js';
export type { RepairReport, RepairOptions } from './repair.js';
export { ensureDirectory, MARKER_FILE } from './database-directory.js';
export { storageError, isDiskFull } from './storage-errors.js';
export type { StorageOptions, Durability } from './options.js';
export { WriteBatch } from './write-batch.js';
export type { BatchOp, CommitResult, CommitOptions, InsertOptions, IfExists, OpResult } from './write-batch.js';
export type {
  Extension,
  ExtensionKind,
  ExtensionBatch,
  ExtensionContext,
  StorageSnapshot,
  RecordChange,
} from './extension.js';
export type { ChangeConsumer, ChangeStretch, ConsumeOptions } from './change-consumer.js';
export type { CommitInfo } from './writer.js';
export type { Sublevel } from './engine.js';
export { STORE_NAMES, STORE_OF_TYPE } from './layout.js';
export type { StoreName } from './layout.js';
export { backupStorage, restoreStorage, readBackupManifest, BACKUP_MANIFEST } from './backup.js';
export type { BackupManifest, BackupOptions } from './backup.js';
export { exportJsonl, importJsonl } from './jsonl.js';
export type { ExportOptions, ImportOptions, ImportResult, JsonlLine, JsonlHeader } from './jsonl.js';
export { encodeRecord, decodeRecord, vectorToBytes, bytesToVector } from './codec.js';
