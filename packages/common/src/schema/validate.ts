import type { z } from 'zod';
import { DbError } from '../errors/db-error.js';

function describePath(prefix: string, path: readonly PropertyKey[]): string {
  const parts = path.map(String);
  if (prefix !== '') parts.unshift(prefix);
  return parts.join('.');
}

/**
 * Parses `input` with `schema`, or throws `INVALID_ARGUMENT` naming the first bad field.
 *
 * @param what used in the message and as the field prefix, e.g. `nodes.3`.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = describePath(what, issue.path);
  const issues = result.error.issues.map((i) => ({ field: describePath(what, i.path), message: i.message }));
  throw new DbError('INVALID_ARGUMENT', `${field === '' ? 'input' : field}: ${issue.message}`, {
    details: { field, issues },
  });
}
