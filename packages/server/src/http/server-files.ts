import type { EventEmitter } from 'node:events';
import { open, type FileHandle } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { DbError } from '@tabagent/common';
import type { BackupManifest, ImportOptions, ImportResult } from '@tabagent/storage';
import type { TabAgent } from 'tabagent';

/** Paths a client names are its input: a file that cannot be used is a 4xx naming the field, never an unhandled stream error. */
function fileError(err: unknown, path: string, field: string): DbError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new DbError('NOT_FOUND', `${field}: ${path} does not exist`, { cause: err, details: { field } });
  if (code !== undefined && ['ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EROFS', 'ENAMETOOLONG', 'ELOOP'].includes(code)) {
    return new DbError('INVALID_ARGUMENT', `${field}: cannot use ${path} (${code})`, { cause: err, details: { field } });
  }
  return new DbError('UNAVAILABLE', `${field}: ${path}: ${(err as Error).message}`, { cause: err, details: { field } });
}

/** Opens a file the client named, failing with {@link fileError}. */
async function openFile(path: string, flags: 'r' | 'w'): Promise<FileHandle> {
  return open(path, flags).catch((err: unknown) => {
    throw fileError(err, path, 'path');
  });
}

/** Rejects when `stream` fails, so a caller can race it against work that would wait forever. */
function failureOf(stream: EventEmitter, path: string): Promise<never> {
  const failed = new Promise<never>((_, reject) => stream.once('error', (err) => reject(fileError(err, path, 'path'))));
  failed.catch(() => {});
  return failed;
}

/** Exports the database as JSON Lines into a file on the server; returns the records written. */
export async function exportToFile(db: TabAgent, path: string, options: { signal?: AbortSignal } = {}): Promise<number> {
  const out = (await openFile(path, 'w')).createWriteStream();
  const failed = failureOf(out, path);
  try {
    const records = await Promise.race([db.export(out, options), failed]);
    out.end();
    await Promise.race([finished(out), failed]);
    return records;
  } finally {
    if (!out.closed) out.destroy();
  }
}

/** Imports a JSON Lines export from a file on the server. */
export async function importFromFile(db: TabAgent, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const input = (await openFile(path, 'r')).createReadStream();
  const failed = failureOf(input, path);
  try {
    return await Promise.race([db.import(input, options), failed]);
  } finally {
    input.destroy();
  }
}

/** A consistent copy of the database into a directory on the server. */
export async function backupToDir(db: TabAgent, dir: string, options: { signal?: AbortSignal } = {}): Promise<BackupManifest> {
  try {
    return await db.backup(dir, options);
  } catch (err) {
    throw err instanceof DbError ? err : fileError(err, dir, 'dir');
  }
}
