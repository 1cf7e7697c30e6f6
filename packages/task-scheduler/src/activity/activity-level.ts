import { DbError } from '@tabagent/common';
import { describe } from '../validation/assert.js';

/**
 * How busy the user is: `high` while they are chatting, `low` after a short idle spell,
 * `sleep` when they have been away for a while.
 */
export const ACTIVITY_LEVELS = ['high', 'low', 'sleep'] as const;

/** One of {@link ACTIVITY_LEVELS}. */
export type ActivityLevel = (typeof ACTIVITY_LEVELS)[number];

export function isActivityLevel(value: unknown): value is ActivityLevel {
  return value === 'high' || value === 'low' || value === 'sleep';
}

/** Throws INVALID_ARGUMENT for anything that is not an activity level. */
export function assertActivityLevel(value: unknown, field = 'level'): asserts value is ActivityLevel {
  if (!isActivityLevel(value)) {
    throw new DbError(
      'INVALID_ARGUMENT',
      `${field} must be one of ${ACTIVITY_LEVELS.join(', ')}, got ${describe(value)}`,
      { details: { field } },
    );
  }
}
