/**
 * The catalogue of error codes. Every failure the database reports carries one of
 * these; callers (and tests) branch on `code`, never on the message.
 */
export const ErrorCodes = {
  /** Input failed validation: wrong type, missing field, unknown kind, bad value. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A record (or a record an input refers to) does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** The write conflicts with existing data (for example an id that already exists). */
  CONFLICT: 'CONFLICT',
  /** A value or request exceeds a configured size limit. */
  TOO_LARGE: 'TOO_LARGE',
  /** The resource is not open (never opened, closing or closed). */
  NOT_OPEN: 'NOT_OPEN',
  /** Stored data could not be decoded or failed an integrity check. */
  CORRUPTED: 'CORRUPTED',
  /** The operation was cancelled through its AbortSignal. */
  ABORTED: 'ABORTED',
  /** The operation did not finish within its deadline. */
  TIMEOUT: 'TIMEOUT',
  /** The disk holding the database is full: writes fail until space is freed (then they work again). */
  DISK_FULL: 'DISK_FULL',
  /** A dependency (disk, model, remote service) is unavailable right now. */
  UNAVAILABLE: 'UNAVAILABLE',
  /** The request is valid but not supported by this build or configuration. */
  UNSUPPORTED: 'UNSUPPORTED',
  /** Authentication or authorisation failed. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** A bug or an unexpected failure of an underlying library. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** Structured context attached to an error, e.g. the offending field. */
export interface DbErrorDetails {
  /** Dotted path of the offending input field, e.g. `nodes.3.content`. */
  field?: string;
  /** Id of the record concerned. */
  id?: string;
  [key: string]: unknown;
}

export interface DbErrorOptions {
  cause?: unknown;
  details?: DbErrorDetails;
}

/**
 * The one error class of TabAgent DB.
 *
 * @example
 * try { await storage.getNode('msg_x') }
 * catch (err) { if (DbError.is(err, 'NOT_FOUND')) … }
 */
export class DbError extends Error {
  override readonly name = 'DbError';
  readonly code: ErrorCode;
  readonly details: DbErrorDetails;

  constructor(code: ErrorCode, message: string, options: DbErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  /** True when `err` is a DbError, optionally with the given code. */
  static is(err: unknown, code?: ErrorCode): err is DbError {
    return err instanceof DbError && (code === undefined || err.code === code);
  }

  /** Wraps any thrown value as a DbError, keeping DbErrors as they are. */
  static from(err: unknown, code: ErrorCode = 'INTERNAL', message?: string): DbError {
    if (err instanceof DbError) return err;
    const text = message ?? (err instanceof Error ? err.message : String(err));
    return new DbError(code === 'INTERNAL' ? (knownCode(err) ?? code) : code, text, { cause: err });
  }

  toJSON(): { code: ErrorCode; message: string; details: DbErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * The code of a well-known low-level failure: LevelDB's corruption (abstract-level's
 * `LEVEL_CORRUPTION`, or a `Corruption:` status) and a full disk (`ENOSPC`, `EDQUOT`).
 */
function knownCode(err: unknown): ErrorCode | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const { code, message } = err as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (code === 'ENOSPC' || code === 'EDQUOT' || /no space left on device/iu.test(text)) return 'DISK_FULL';
  if (code === 'LEVEL_CORRUPTION' || /^Corruption:/u.test(text)) return 'CORRUPTED';
  return undefined;
}
