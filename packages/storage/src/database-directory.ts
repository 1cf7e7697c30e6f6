import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { DbError } from '@tabagent/common';
import { storageError } from './storage-errors.js';

/**
 * The marker file a TabAgent database directory holds beside LevelDB's files. It is
 * checked before LevelDB may create anything, so a directory that lost LevelDB's
 * `CURRENT` file is refused (`CORRUPTED`) instead of being silently replaced by a new,
 * empty database (which deletes the old table files).
 */
export const MARKER_FILE = 'TABAGENT';
export const MARKER_FORMAT = 'tabagent-db';
export const MARKER_VERSION = 1;
/** Present while a restore writes into a directory: a directory holding it is an interrupted restore. */
export const RESTORING_FILE = 'RESTORING';

export interface DatabaseMarker {
  format: typeof MARKER_FORMAT;
  version: number;
  createdAt: number;
}

/** What a directory holds, as far as opening a database is concerned. */
export type DirectoryState =
  /** Absent or empty: a new database may be created. */
  | { kind: 'new' }
  /** A TabAgent database (marker present), or one created before the marker existed (LevelDB files only). */
  | { kind: 'database'; marker: DatabaseMarker | undefined; hasCurrent: boolean; files: string[] }
  /** Files, but neither a marker nor LevelDB's: not ours to touch. */
  | { kind: 'foreign'; files: string[] };

/** Files LevelDB keeps in a database directory. */
const LEVELDB_FILE = /^(CURRENT|LOCK|LOG|LOG\.old|MANIFEST-\d+|\d+\.(log|ldb|sst))$/u;

/** How many times a path component is retried when mkdir and the file system disagree. */
const MKDIR_ATTEMPTS = 5;

function dirError(code: string | undefined, path: string, err: unknown): DbError {
  if (code === 'ENOSPC' || code === 'EDQUOT') return storageError(err);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new DbError('UNAVAILABLE', `cannot create ${path}: permission denied (${code})`, { cause: err, details: { field: 'location' } });
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new DbError('INVALID_ARGUMENT', `cannot create ${path}: a path component is not a directory`, { cause: err, details: { field: 'location' } });
  }
  if (code === 'ENAMETOOLONG' || code === 'EINVAL' || code === 'ERR_INVALID_ARG_VALUE') {
    return new DbError('INVALID_ARGUMENT', `cannot create ${path}: invalid path`, { cause: err, details: { field: 'location' } });
  }
  return new DbError('UNAVAILABLE', `cannot create ${path}: ${(err as Error).message}`, { cause: err, details: { field: 'location' } });
}

/**
 * Creates a directory and its missing parents, one component at a time, with a bounded
 * number of attempts. Node's `mkdir({ recursive: true })` loops forever on file systems
 * that answer `ENOENT` for a child of an existing directory (`/proc/1/x`: the parent
 * "exists", the child "has no parent"), burning a core and ignoring SIGTERM; this fails
 * with a coded error instead.
 *
 * @example
 * await ensureDirectory('/data/tabagent/db');   // INVALID_ARGUMENT / UNAVAILABLE / DISK_FULL when it cannot
 */
export async function ensureDirectory(path: string): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  // Walk up to the nearest existing ancestor.
  for (let current = target; ; current = dirname(current)) {
    const info = await stat(current).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw dirError(err.code, path, err);
    });
    if (info !== undefined) {
      if (!info.isDirectory()) throw dirError('ENOTDIR', path, new Error(`${current} is not a directory`));
      break;
    }
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const dir of missing.reverse()) {
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dir);
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' && (await stat(dir).then((s) => s.isDirectory(), () => false))) break;
        // ENOENT although the parent exists (or an EEXIST that is not a directory): the file
        // system will not hold a directory here. Retry a few times for a concurrent rmdir.
        if (attempt >= MKDIR_ATTEMPTS || (code !== 'ENOENT' && code !== 'EEXIST')) {
          throw code === 'ENOENT'
            ? new DbError('INVALID_ARGUMENT', `cannot create ${path}: the file system does not allow a directory at ${dir}`, {
                cause: err,
                details: { field: 'location' },
              })
            : dirError(code, path, err);
        }
      }
    }
  }
}

/** Reads what a directory holds (see {@link DirectoryState}). */
export async function inspectDirectory(location: string): Promise<DirectoryState> {
  let files: string[];
  try {
    files = await readdir(location);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'new' };
    if (code === 'ENOTDIR') throw new DbError('INVALID_ARGUMENT', `${location} is not a directory`, { cause: err, details: { field: 'location' } });
    throw new DbError('UNAVAILABLE', `cannot read ${location}: ${(err as Error).message}`, { cause: err, details: { field: 'location' } });
  }
  if (files.length === 0) return { kind: 'new' };
  if (files.includes(RESTORING_FILE)) {
    throw new DbError('CORRUPTED', `${location} holds an interrupted restore; restore the backup again (with --force)`, { details: { field: 'location' } });
  }
  const marker = files.includes(MARKER_FILE) ? await readMarker(location) : undefined;
  const leveldb = files.filter((f) => LEVELDB_FILE.test(f));
  if (marker === undefined && leveldb.length === 0) return { kind: 'foreign', files };
  return { kind: 'database', marker, hasCurrent: files.includes('CURRENT'), files };
}

async function readMarker(location: string): Promise<DatabaseMarker> {
  const path = join(location, MARKER_FILE);
  let marker: DatabaseMarker;
  try {
    marker = JSON.parse(await readFile(path, 'utf8')) as DatabaseMarker;
  } catch (cause) {
    throw new DbError('CORRUPTED', `${path} is unreadable (${(cause as Error).message}); run \`tabagent repair\``, { cause, details: { field: 'location' } });
  }
  if (marker === null || typeof marker !== 'object' || marker.format !== MARKER_FORMAT || typeof marker.version !== 'number') {
    throw new DbError('CORRUPTED', `${path} is not a TabAgent database marker; run \`tabagent repair\``, { details: { field: 'location' } });
  }
  if (marker.version > MARKER_VERSION) {
    throw new DbError('UNSUPPORTED', `database format ${marker.version} is newer than this build supports (${MARKER_VERSION})`, { details: { field: 'location' } });
  }
  return marker;
}

/** Writes the marker atomically (temp file, fsync, rename, fsync the directory). */
export async function writeMarker(location: string, createdAt: number): Promise<void> {
  const marker: DatabaseMarker = { format: MARKER_FORMAT, version: MARKER_VERSION, createdAt };
  const temp = join(location, `${MARKER_FILE}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(marker)}\n`, { flush: true });
    await rename(temp, join(location, MARKER_FILE));
    fsyncDirectory(location);
  } catch (err) {
    throw storageError(err, `cannot write ${join(location, MARKER_FILE)}`);
  }
}

function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
