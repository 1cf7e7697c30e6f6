import { CommanderError } from 'commander';
import { DbError, type ErrorCode } from '@tabagent/common';

/**
 * Exit code per error code, so scripts can branch without parsing messages. Anything
 * not listed exits with 1.
 */
export const EXIT_CODES: Readonly<Partial<Record<ErrorCode, number>>> = {
  INVALID_ARGUMENT: 2,
  NOT_FOUND: 3,
  CONFLICT: 4,
  UNAVAILABLE: 5,
  UNSUPPORTED: 6,
  UNAUTHENTICATED: 7,
  TIMEOUT: 8,
  CORRUPTED: 9,
  DISK_FULL: 10,
  ABORTED: 130,
};

/** The process exit code for a failure. */
export function exitCodeFor(error: DbError): number {
  return EXIT_CODES[error.code] ?? 1;
}

/** Turns what a command threw (including commander's usage errors) into a DbError. */
export function toDbError(err: unknown): DbError {
  if (err instanceof CommanderError) {
    // commander prefixes its messages with "error: ".
    return new DbError('INVALID_ARGUMENT', err.message.replace(/^error:\s*/, ''), { cause: err });
  }
  if (err instanceof SyntaxError) return new DbError('INVALID_ARGUMENT', err.message, { cause: err });
  const sysCode = (err as NodeJS.ErrnoException | undefined)?.code;
  if (sysCode === 'EADDRINUSE') return new DbError('UNAVAILABLE', `${(err as Error).message} (another server has this port: choose one with --port)`, { cause: err });
  if (sysCode === 'EADDRNOTAVAIL' || sysCode === 'EACCES') return new DbError('UNAVAILABLE', (err as Error).message, { cause: err });
  const error = DbError.from(err);
  // A LevelDB lock held by another process: say what usually holds it.
  if (error.code === 'UNAVAILABLE' && /\block\b|is in use/i.test(`${error.message} ${causeMessages(error)}`)) {
    return new DbError('UNAVAILABLE', `${error.message} (is another tabagent process, e.g. \`tabagent serve\`, using this data directory?)`, {
      cause: error,
      details: error.details,
    });
  }
  return error;
}

function causeMessages(err: unknown, depth = 0): string {
  if (depth > 5 || !(err instanceof Error) || err.cause === undefined) return '';
  const cause = err.cause;
  return `${cause instanceof Error ? cause.message : String(cause)} ${causeMessages(cause, depth + 1)}`;
}

/** The one line printed for a failure: `tabagent: CODE: message`. */
export function formatError(error: DbError): string {
  const field = typeof error.details.field === 'string' && !error.message.includes(error.details.field) ? ` (field ${error.details.field})` : '';
  return `tabagent: ${error.code}: ${error.message.replace(/\s*\n\s*/g, ' ')}${field}`;
}
