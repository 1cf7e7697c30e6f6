import { DbError } from '@tabagent/common';

const NO_SPACE = /no space left|ENOSPC|disk quota exceeded|EDQUOT|file too large|EFBIG/iu;

function chain(err: unknown): unknown[] {
  const all: unknown[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 6; e = (e as { cause?: unknown }).cause, depth++) all.push(e);
  return all;
}

/** True when an error (or one of its causes) says the disk is full. */
export function isDiskFull(err: unknown): boolean {
  return chain(err).some((e) => {
    const code = (e as { code?: unknown }).code;
    return code === 'ENOSPC' || code === 'EDQUOT' || code === 'DISK_FULL' || (e instanceof Error && NO_SPACE.test(e.message));
  });
}

/** True when LevelDB (or a cause) reported corruption. */
export function isCorruption(err: unknown): boolean {
  return chain(err).some((e) => {
    const code = (e as { code?: unknown }).code;
    return code === 'LEVEL_CORRUPTION' || code === 'CORRUPTED' || (e instanceof Error && /\bCorruption:/u.test(e.message));
  });
}

/**
 * Turns what LevelDB or the file system threw into a coded `DbError`: a full disk is
 * `DISK_FULL`, damaged files are `CORRUPTED` (with LevelDB's reason), DbErrors stay as
 * they are, anything else is `INTERNAL`.
 *
 * @example
 * try { await db.batch(ops) } catch (err) { throw storageError(err, 'commit failed') }
 */
export function storageError(err: unknown, context?: string): DbError {
  if (DbError.is(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  const prefix = context === undefined ? '' : `${context}: `;
  if (isDiskFull(err)) {
    const message = context === undefined ? 'no space left on the device holding the database (free some space: writes resume by themselves)' : `${context}: no space left on the device`;
    return new DbError('DISK_FULL', message, { cause: err });
  }
  if (isCorruption(err)) {
    const reason = chain(err)
      .map((e) => (e instanceof Error ? e.message : ''))
      .find((m) => /Corruption/u.test(m));
    return new DbError('CORRUPTED', `${prefix}damaged database files (${reason ?? message}); run \`tabagent repair\``, { cause: err });
  }
  return new DbError('INTERNAL', `${prefix}${message}`, { cause: err });
}
