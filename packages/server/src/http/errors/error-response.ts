import type { FastifyError } from 'fastify';
import { DbError, ErrorCodes, type ErrorCode } from '@tabagent/common';
import type { ErrorBody } from '../schemas/common-schemas.js';
import { codeOfHttpStatus, HTTP_STATUS_OF_CODE } from './http-status.js';

/** What the error handler sends for one failure. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** True for failures that are our fault (5xx): they are logged, their details are not sent. */
  internal: boolean;
}

interface ValidationIssue {
  instancePath?: string;
  message?: string;
}

/**
 * Turns anything a route or Fastify threw into a status and an error body: DbError
 * codes map to statuses, validation errors name the field, and anything unexpected
 * becomes a 500 that says nothing about the internals.
 */
export function errorResponse(err: unknown, requestId: string): ErrorResponse {
  // A raw failure a library raised that has a code of its own (LevelDB's corruption, a full disk).
  if (!(err instanceof DbError) && DbError.from(err).code !== 'INTERNAL') err = DbError.from(err);
  if (err instanceof DbError) {
    const status = HTTP_STATUS_OF_CODE[err.code] ?? 500;
    if (status >= 500 && err.code !== 'NOT_OPEN' && err.code !== 'UNAVAILABLE' && err.code !== 'TIMEOUT' && err.code !== 'UNSUPPORTED' && err.code !== 'DISK_FULL') {
      return internalError(requestId, err.code);
    }
    const body: ErrorBody = { error: { code: err.code, message: err.message } };
    if (typeof err.details.field === 'string' && err.details.field !== '') body.error.field = err.details.field;
    const issues = issuesOf(err.details['issues']);
    if (issues !== undefined && issues.length > 1) body.error.issues = issues;
    return { status, body, internal: false };
  }
  const fastifyError = err as Partial<FastifyError> & { validationContext?: string };
  if (Array.isArray(fastifyError.validation) && fastifyError.validation.length > 0) {
    return validationError(fastifyError.validation as ValidationIssue[], fastifyError.validationContext);
  }
  const status = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = codeOfHttpStatus(status);
    const body: ErrorBody = { error: { code, message: clientMessage(fastifyError, status) } };
    if (typeof fastifyError.code === 'string' && fastifyError.code.startsWith('FST_ERR_CTP_')) body.error.field = 'body';
    return { status, body, internal: false };
  }
  return internalError(requestId, 'INTERNAL');
}

function internalError(requestId: string, code: ErrorCode): ErrorResponse {
  return {
    status: HTTP_STATUS_OF_CODE[code] ?? 500,
    body: { error: { code, message: `internal error (request ${requestId})`, requestId } },
    internal: true,
  };
}

function validationError(issues: readonly ValidationIssue[], context: string | undefined): ErrorResponse {
  const list = issues.map((issue) => ({ field: fieldOf(issue.instancePath, context), message: issue.message ?? 'invalid' }));
  const first = list[0]!;
  const body: ErrorBody = {
    error: { code: ErrorCodes.INVALID_ARGUMENT, message: `${first.field === '' ? context ?? 'input' : first.field}: ${first.message}`, field: first.field },
  };
  if (list.length > 1) body.error.issues = list;
  return { status: 400, body, internal: false };
}

/** `/filters/timestamp/gt` → `filters.timestamp.gt`; a whole-body problem is the field `body`. */
function fieldOf(instancePath: string | undefined, context: string | undefined): string {
  const path = (instancePath ?? '').split('/').filter((part) => part !== '').join('.');
  if (path !== '') return path;
  return context === 'body' ? 'body' : context ?? '';
}

function issuesOf(value: unknown): { field: string; message: string }[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((i): i is { field: string; message: string } => typeof i?.field === 'string' && typeof i?.message === 'string')
    .map(({ field, message }) => ({ field, message }));
}

function clientMessage(err: Partial<FastifyError>, status: number): string {
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'body: malformed JSON';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body: empty, expected JSON';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body: larger than the server accepts';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'body: unsupported content type (send application/json)';
    default:
      return typeof err.message === 'string' && err.message !== '' ? err.message : `HTTP ${status}`;
  }
}
