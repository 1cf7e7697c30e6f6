import { z } from 'zod';
import { ErrorCodes } from '@tabagent/common';
import { named } from './api-registry.js';

export const ErrorBodySchema = named(
  'Error',
  z.strictObject({
    error: z.strictObject({
      code: z.enum(ErrorCodes).describe('Why the request failed; clients branch on this, not on the message.'),
      message: z.string(),
      field: z.string().optional().describe('Dotted path of the offending input field, e.g. `filters.timestamp.gt`.'),
      issues: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional().describe('Every problem found in the input.'),
      requestId: z.string().optional().describe('Quote this when reporting an internal error.'),
    }),
  }),
  'Every error: the code, a message and, for bad input, the field.',
);

export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The error responses every route may give. */
export const errorResponses = {
  '4xx': ErrorBodySchema,
  '5xx': ErrorBodySchema,
} as const;

/** A page of a longer ordered list. */
export function pageOf<S extends z.ZodType>(item: S) {
  return z.strictObject({
    items: z.array(item),
    total: z.number().int().nonnegative().describe('Items in the whole list.'),
    nextOffset: z.number().int().nonnegative().optional().describe('Offset of the next page, when there is one.'),
  });
}

/** `{ items }` of a short list. */
export function listOf<S extends z.ZodType>(item: S) {
  return z.strictObject({ items: z.array(item) });
}

/** `limit` and `offset` query parameters (query strings arrive as text). */
export const pagingQuery = {
  limit: z.coerce.number().int().min(1).max(1_000).optional().describe('Page size (default 50).'),
  offset: z.coerce.number().int().min(0).optional().describe('Items to skip (default 0).'),
};

/** A list in a query string, as an array: `?types=A,B` or `?types=A&types=B`. */
export function queryList<S extends z.ZodType>(item: S) {
  return z.preprocess(
    (value) => (typeof value === 'string' || Array.isArray(value) ? [value].flat().flatMap((part) => String(part).split(',')).map((part) => part.trim()).filter((part) => part !== '') : value),
    z.array(item).min(1),
  );
}

/** A query-string boolean: `true`/`1` or `false`/`0`. */
export const queryBoolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** An empty success body (204). */
export const NoContent = z.undefined().describe('Done; no body.');
