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

/**
 * Deepest nesting of arrays and objects accepted in any input (metadata, request bodies,
 * messages of every transport). Deeper values overflowed the stack of recursive
 * encoders (JSON.stringify, MessagePack) and turned one request into a 500.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * True when `value` nests arrays and objects more than `maxDepth` levels deep (a
 * top-level object is depth 1). Iterative, and it stops at the first level too deep, so
 * it is safe on values of any depth.
 */
export function jsonDepthExceeds(value: unknown, maxDepth: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: [object, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (depth > maxDepth) return true;
    if (ArrayBuffer.isView(current)) continue;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
