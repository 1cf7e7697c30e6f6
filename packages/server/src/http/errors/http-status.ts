import type { ErrorCode } from '@tabagent/common';

/**
 * The HTTP status of each error code. `ABORTED` is 499 (the nginx convention for a
 * request the client gave up on); `DISK_FULL` is 507 (Insufficient Storage); everything
 * unexpected is 500.
 */
export const HTTP_STATUS_OF_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  UNAUTHENTICATED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  TOO_LARGE: 413,
  ABORTED: 499,
  INTERNAL: 500,
  CORRUPTED: 500,
  DISK_FULL: 507,
  UNSUPPORTED: 501,
  NOT_OPEN: 503,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
};

/** The error code a bare HTTP status stands for (errors raised by Fastify itself). */
export function codeOfHttpStatus(status: number): ErrorCode {
  switch (status) {
    case 401:
    case 403:
      return 'UNAUTHENTICATED';
    case 404:
    case 405:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'TOO_LARGE';
    case 408:
    case 504:
      return 'TIMEOUT';
    case 415:
    case 501:
      return 'UNSUPPORTED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return status >= 400 && status < 500 ? 'INVALID_ARGUMENT' : 'INTERNAL';
  }
}
