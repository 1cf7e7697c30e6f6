import { Metadata, status, type ServerErrorResponse } from '@grpc/grpc-js';
import { DbError, ErrorCodes, type ErrorCode } from '@tabagent/common';

/** Trailing metadata key carrying the exact DbError code of a failed call. */
export const ERROR_CODE_KEY = 'tabagent-error-code';
/** Trailing metadata key carrying the offending input field, when there is one. */
export const ERROR_FIELD_KEY = 'tabagent-error-field';

const TO_GRPC: Record<ErrorCode, status> = {
  NOT_FOUND: status.NOT_FOUND,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  CONFLICT: status.ALREADY_EXISTS,
  TOO_LARGE: status.RESOURCE_EXHAUSTED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  TIMEOUT: status.DEADLINE_EXCEEDED,
  ABORTED: status.CANCELLED,
  NOT_OPEN: status.UNAVAILABLE,
  UNAVAILABLE: status.UNAVAILABLE,
  CORRUPTED: status.INTERNAL,
  DISK_FULL: status.RESOURCE_EXHAUSTED,
  UNSUPPORTED: status.INTERNAL,
  INTERNAL: status.INTERNAL,
};

const FROM_GRPC: Partial<Record<status, ErrorCode>> = {
  [status.NOT_FOUND]: 'NOT_FOUND',
  [status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [status.OUT_OF_RANGE]: 'INVALID_ARGUMENT',
  [status.ALREADY_EXISTS]: 'CONFLICT',
  [status.RESOURCE_EXHAUSTED]: 'TOO_LARGE',
  [status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [status.PERMISSION_DENIED]: 'UNAUTHENTICATED',
  [status.DEADLINE_EXCEEDED]: 'TIMEOUT',
  [status.CANCELLED]: 'ABORTED',
  [status.UNAVAILABLE]: 'UNAVAILABLE',
  [status.UNIMPLEMENTED]: 'UNSUPPORTED',
  [status.DATA_LOSS]: 'CORRUPTED',
};

/** The gRPC status for a DbError code. */
export function grpcStatusOf(code: ErrorCode): status {
  return TO_GRPC[code] ?? status.INTERNAL;
}

/**
 * What a server handler passes to its callback (or `emit('error')`) for any thrown
 * value: the mapped status, the message, and the exact code (and field) in trailers.
 */
export function toGrpcError(err: unknown): ServerErrorResponse {
  const dbError = DbError.from(err);
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_KEY, dbError.code);
  if (typeof dbError.details.field === 'string') metadata.set(ERROR_FIELD_KEY, dbError.details.field);
  return Object.assign(new Error(dbError.message), { code: grpcStatusOf(dbError.code), details: dbError.message, metadata });
}

/** A DbError for a failed client call: the exact code from the trailers when the server sent one, else mapped from the status. */
export function fromGrpcError(err: unknown): DbError {
  if (DbError.is(err)) return err;
  const e = err as { code?: number; details?: string; metadata?: Metadata; message?: string } | null;
  if (e === null || typeof e !== 'object' || typeof e.code !== 'number') return DbError.from(err);
  const sent = e.metadata?.get(ERROR_CODE_KEY)[0];
  const code: ErrorCode =
    typeof sent === 'string' && Object.hasOwn(ErrorCodes, sent) ? (sent as ErrorCode) : (FROM_GRPC[e.code as status] ?? 'INTERNAL');
  const field = e.metadata?.get(ERROR_FIELD_KEY)[0];
  return new DbError(code, e.details || e.message || `gRPC status ${e.code}`, {
    cause: err,
    details: { grpcStatus: e.code, ...(typeof field === 'string' ? { field } : {}) },
  });
}
