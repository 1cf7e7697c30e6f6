export { DbError, ErrorCodes } from './db-error.js';
export type { ErrorCode, DbErrorDetails, DbErrorOptions } from './db-error.js';
export { abortChecker, abortedError, throwIfAborted } from './abort.js';
