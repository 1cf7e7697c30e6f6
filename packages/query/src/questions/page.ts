import { DbError } from '@tabagent/common';

/** One page of an ordered list. */
export interface Page<T> {
  items: T[];
  /** Items in the whole list. */
  total: number;
  /** Offset of the next page, when there is one. */
  nextOffset?: number;
}

/** Paging options of the high-level questions. */
export interface PageOptions {
  /** Page size (default 50, at most the engine's `limits.maxLimit`). */
  limit?: number;
  /** Items to skip (default 0). */
  offset?: number;
  signal?: AbortSignal;
}

/** Validates paging arguments (`INVALID_ARGUMENT` naming `limit` or `offset`). */
export function pageBounds(options: PageOptions, maxLimit: number, defaultLimit = 50): { limit: number; offset: number } {
  const limit = options.limit ?? defaultLimit;
  const offset = options.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new DbError('INVALID_ARGUMENT', `limit: expected an integer from 1 to ${maxLimit}`, { details: { field: 'limit' } });
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new DbError('INVALID_ARGUMENT', 'offset: expected a non-negative integer', { details: { field: 'offset' } });
  }
  return { limit, offset };
}

/** Cuts a page out of a full list. */
export function toPage<T>(all: readonly T[], limit: number, offset: number): Page<T> {
  const items = all.slice(offset, offset + limit);
  const page: Page<T> = { items, total: all.length };
  if (offset + limit < all.length) page.nextOffset = offset + limit;
  return page;
}

/** Checks a node id argument. */
export function requireId(id: unknown, field: string): string {
  if (typeof id !== 'string' || id === '') {
    throw new DbError('INVALID_ARGUMENT', `${field}: expected a node id`, { details: { field } });
  }
  return id;
}
