import { constants } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { DbError } from '@tabagent/common';
import type { BackupManifest, ImportOptions, ImportResult } from '@tabagent/storage';
import type { TabAgent } from 'tabagent';

/**
 * The name of a file or directory inside the exports directory: letters, digits, `.`,
 * `_` and `-`, not starting with a dot — never a path, so a client cannot name any
 * other file on the server.
 */
export const exportNameSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/u, 'must be a plain name (letters, digits, ".", "_", "-"; not a path, not starting with ".")');

/** Largest import the server reads, by default (1 GiB). */
export const DEFAULT_MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

/** A file system error on a file the client named (by name) as a 4xx that does not echo paths or contents. */
function fileError(err: unknown, name: string, field: string): DbError {
  if (err instanceof DbError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const what = `${field}: ${JSON.stringify(name)}`;
  switch (code) {
    case 'ENOENT':
      return new DbError('NOT_FOUND', `${what} is not in the exports directory`, { cause: err, details: { field } });
    case 'EEXIST':
    case 'ENOTEMPTY':
      return new DbError('CONFLICT', `${what} exists already`, { cause: err, details: { field } });
    case 'ELOOP':
    case 'EISDIR':
    case 'ENOTDIR':
    case 'ENXIO':
      return new DbError('INVALID_ARGUMENT', `${what} is not a regular file`, { cause: err, details: { field } });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new DbError('UNAVAILABLE', `${what}: the exports directory is not writable (${code})`, { cause: err, details: { field } });
    case 'ENOSPC':
    case 'EDQUOT':
      return new DbError('UNAVAILABLE', `${what}: no space left in the exports directory (${code})`, { cause: err, details: { field } });
    default:
      return new DbError('UNAVAILABLE', `${what}: ${code ?? 'the file could not be used'}`, { cause: err, details: { field } });
  }
}

/** Counts bytes through and fails with `TOO_LARGE` past `limit`. */
export function byteLimit(limit: number, field: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(new DbError('TOO_LARGE', `${field}: larger than ${limit} bytes`, { details: { field, limit } }));
      else done(null, chunk);
    },
  });
}

/** Rejects with the first error of any stream, so work that would wait forever on a broken stream ends. */
function failureOf(streams: readonly NodeJS.EventEmitter[], name: string, field: string): Promise<never> {
  const failed = new Promise<never>((_, reject) => {
    for (const stream of streams) stream.once('error', (err) => reject(fileError(err, name, field)));
  });
  failed.catch(() => {});
  return failed;
}

/**
 * The one directory where the server writes exports and backups, and reads imports,
 * that clients name — by name, never by path. Clients cannot touch any other file.
 */
export class ExportsDirectory {
  /**
   * @param dir absolute path of the directory (created on first use).
   * @param maxImportBytes largest file or upload an import reads.
   */
  constructor(
    readonly dir: string,
    readonly maxImportBytes: number = DEFAULT_MAX_IMPORT_BYTES,
  ) {}

  /** The path of `name` inside the directory (the name is checked again: it is never a path). */
  #path(name: string, field: string): string {
    if (!exportNameSchema.safeParse(name).success) throw new DbError('INVALID_ARGUMENT', `${field}: must be a plain name`, { details: { field } });
    return join(this.dir, name);
  }

  async #ensureDir(field: string): Promise<void> {
    await mkdir(this.dir, { recursive: true }).catch((err: unknown) => {
      throw fileError(err, this.dir, field);
    });
  }

  /**
   * Exports the database as JSON Lines into `name`, atomically: written to a temporary
   * file beside it and renamed over it once complete, so a failed export leaves no
   * half file and an older export of that name stays until the new one is whole.
   */
  async exportTo(db: TabAgent, name: string, options: { signal?: AbortSignal } = {}): Promise<{ records: number; bytes: number }> {
    const target = this.#path(name, 'name');
    await this.#ensureDir('name');
    const temporary = join(this.dir, `.${name}.${process.pid}.${Date.now()}.partial`);
    // O_EXCL | O_NOFOLLOW: never through a link planted in the directory.
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600).catch((err: unknown) => {
      throw fileError(err, name, 'name');
    });
    const out = handle.createWriteStream();
    const failed = failureOf([out], name, 'name');
    let done = false;
    try {
      const records = await Promise.race([db.export(out, options), failed]);
      out.end();
      await Promise.race([finished(out), failed]);
      await rename(temporary, target).catch((err: unknown) => {
        throw fileError(err, name, 'name');
      });
      done = true;
      return { records, bytes: out.bytesWritten };
    } finally {
      if (!out.closed) out.destroy();
      if (!done) await rm(temporary, { force: true });
    }
  }

  /**
   * Opens `name` for an import: a regular file (not a link, device or FIFO — opened
   * without following links and without blocking, then checked), no larger than the limit.
   */
  async #openImport(name: string): Promise<FileHandle> {
    const path = this.#path(name, 'name');
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: unknown) => {
      throw fileError(err, name, 'name');
    });
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new DbError('INVALID_ARGUMENT', `name: ${JSON.stringify(name)} is not a regular file`, { details: { field: 'name' } });
      if (info.size > this.maxImportBytes) {
        throw new DbError('TOO_LARGE', `name: ${JSON.stringify(name)} is larger than ${this.maxImportBytes} bytes`, { details: { field: 'name', limit: this.maxImportBytes } });
      }
      return handle;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Imports the JSON Lines export called `name` from the directory. */
  async importFrom(db: TabAgent, name: string, options: ImportOptions = {}): Promise<ImportResult> {
    const handle = await this.#openImport(name);
    return importStream(db, handle.createReadStream(), { ...options, maxBytes: this.maxImportBytes, field: 'name', name, release: 'destroy' });
  }

  /** A consistent copy of the database into the new directory `name` (which must not exist). */
  async backupTo(db: TabAgent, name: string, options: { signal?: AbortSignal } = {}): Promise<BackupManifest> {
    const target = this.#path(name, 'name');
    await this.#ensureDir('name');
    // Made here, exclusively: an existing name (or a link planted under it) is a CONFLICT, never written through.
    await mkdir(target).catch((err: unknown) => {
      throw fileError(err, name, 'name');
    });
    try {
      return await db.backup(target, options);
    } catch (err) {
      await rm(target, { recursive: true, force: true });
      throw fileError(err, name, 'name');
    }
  }
}

/**
 * Imports a JSON Lines stream (a file of the exports directory or an upload), reading at
 * most `maxBytes`. When the import ends early, a file is closed; an upload (`drain`) is
 * read to its end and discarded, so the client, still sending, gets the answer rather
 * than a reset connection.
 */
export async function importStream(
  db: TabAgent,
  input: Readable,
  options: ImportOptions & { maxBytes: number; field: string; name: string; release: 'destroy' | 'drain' },
): Promise<ImportResult> {
  const { maxBytes, field, name, release, ...importOptions } = options;
  const limited = byteLimit(maxBytes, field);
  const failed = failureOf([input, limited], name, field);
  input.pipe(limited);
  try {
    return await Promise.race([db.import(limited, importOptions), failed]);
  } finally {
    input.unpipe(limited);
    limited.destroy();
    if (release === 'destroy') input.destroy();
    else input.resume();
  }
}
