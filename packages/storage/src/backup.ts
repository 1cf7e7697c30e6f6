import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { DbError, throwIfAborted } from '@tabagent/common';
import { ensureDirectory, RESTORING_FILE, writeMarker } from './database-directory.js';
import { engineOf, type Storage } from './storage.js';

/** Written next to the copied database; its presence marks a complete backup. */
export const BACKUP_MANIFEST = 'tabagent-backup.json';
const DATA_DIR = 'data';

export interface BackupManifest {
  format: 'tabagent-backup';
  version: 1;
  createdAt: number;
  /** Change-log sequence the backup is consistent at. */
  lastSeq: number;
  /** Number of LevelDB entries copied. */
  entries: number;
}

export interface BackupOptions {
  signal?: AbortSignal;
  /** Called after each copied chunk with the entries copied so far. */
  onProgress?: (entries: number) => void;
}

const CHUNK = 1_000;

async function requireEmptyDir(dir: string, field: string): Promise<void> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw new DbError('UNAVAILABLE', `cannot read ${dir}: ${err.message}`, { cause: err });
  });
  if (entries.length > 0) {
    throw new DbError('CONFLICT', `${dir} is not empty`, { details: { field } });
  }
  // Bounded: a path the file system will not hold (`/proc/1/x`) fails instead of spinning.
  await ensureDirectory(dir);
}

async function copyEntries(
  source: AsyncIterable<[string, Uint8Array]> & { nextv(n: number): Promise<[string, Uint8Array][]>; close(): Promise<void> },
  target: ClassicLevel<string, Uint8Array>,
  options: BackupOptions,
): Promise<number> {
  let copied = 0;
  try {
    for (;;) {
      throwIfAborted(options.signal, 'backup aborted');
      const entries = await source.nextv(CHUNK);
      if (entries.length === 0) break;
      await target.batch(entries.map(([key, value]) => ({ type: 'put' as const, key, value })));
      copied += entries.length;
      options.onProgress?.(copied);
    }
  } finally {
    await source.close();
  }
  return copied;
}

/**
 * Writes a consistent copy of the database into `dir` (which must be empty or absent)
 * while the database stays usable: it copies from a LevelDB snapshot taken between
 * two commits.
 */
export async function backupStorage(storage: Storage, dir: string, options: BackupOptions = {}): Promise<BackupManifest> {
  await requireEmptyDir(dir, 'dir');
  const { snapshot, lastSeq } = await storage.exclusive(() => ({
    snapshot: engineOf(storage).db.snapshot(),
    lastSeq: storage.lastSeq,
  }));
  const target = new ClassicLevel<string, Uint8Array>(join(dir, DATA_DIR), { keyEncoding: 'utf8', valueEncoding: 'view' });
  try {
    await target.open();
    const source = engineOf(storage).db.iterator({ snapshot });
    const entries = await copyEntries(source, target, options);
    const manifest: BackupManifest = { format: 'tabagent-backup', version: 1, createdAt: Date.now(), lastSeq, entries };
    await target.close();
    await writeFile(join(dir, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  } finally {
    await snapshot.close();
    await target.close();
  }
}

/** Reads and checks a backup's manifest. */
export async function readBackupManifest(dir: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, BACKUP_MANIFEST), 'utf8')) as BackupManifest;
  } catch (cause) {
    throw new DbError('NOT_FOUND', `${dir} holds no complete TabAgent backup`, { cause, details: { field: 'dir' } });
  }
  if (manifest.format !== 'tabagent-backup' || manifest.version !== 1) {
    throw new DbError('UNSUPPORTED', `${dir}: unsupported backup format`, { details: { field: 'dir' } });
  }
  return manifest;
}

/**
 * Restores a backup into `targetDir` (empty or absent), which then opens as a normal
 * database. Fails with `CORRUPTED` when the copy does not match the manifest.
 */
export async function restoreStorage(backupDir: string, targetDir: string, options: BackupOptions = {}): Promise<BackupManifest> {
  const manifest = await readBackupManifest(backupDir);
  await requireEmptyDir(targetDir, 'targetDir');
  const source = new ClassicLevel<string, Uint8Array>(join(backupDir, DATA_DIR), {
    keyEncoding: 'utf8',
    valueEncoding: 'view',
    createIfMissing: false,
  });
  const target = new ClassicLevel<string, Uint8Array>(targetDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  // Until the copy is complete the target is marked: a restore killed midway never opens as a database.
  await writeFile(join(targetDir, RESTORING_FILE), `${backupDir}\n`, { flush: true });
  try {
    await source.open().catch((cause: unknown) => {
      throw new DbError('CORRUPTED', `backup data in ${backupDir} cannot be opened`, { cause });
    });
    await target.open();
    const copied = await copyEntries(source.iterator(), target, options);
    if (copied !== manifest.entries) {
      throw new DbError('CORRUPTED', `backup in ${backupDir} has ${copied} entries, its manifest says ${manifest.entries}`);
    }
    await target.close();
    await writeMarker(targetDir, Date.now());
    await rm(join(targetDir, RESTORING_FILE));
    return manifest;
  } finally {
    await source.close();
    await target.close();
  }
}
