import { DbError } from '@tabagent/common';
import { describe } from '../validation/assert.js';

/**
 * Task priorities, most important first. `urgent` is work the user is waiting for,
 * `normal` is useful soon, `low` is background enrichment.
 */
export const PRIORITIES = ['urgent', 'normal', 'low'] as const;

/** One of {@link PRIORITIES}. */
export type Priority = (typeof PRIORITIES)[number];

/** Index of a priority in {@link PRIORITIES}: 0 is the most important. */
export type PriorityRank = 0 | 1 | 2;

/** True when `value` names a priority. */
export function isPriority(value: unknown): value is Priority {
  return value === 'urgent' || value === 'normal' || value === 'low';
}

/**
 * Validates a priority given by callers. Numbers are rejected on purpose: the names
 * say what they mean, and numeric priorities invite off-by-one and sign mistakes.
 */
export function assertPriority(value: unknown, field = 'priority'): asserts value is Priority {
  if (!isPriority(value)) {
    throw new DbError(
      'INVALID_ARGUMENT',
      `${field} must be one of ${PRIORITIES.join(', ')}, got ${describe(value)}`,
      { details: { field } },
    );
  }
}

export function rankOf(priority: Priority): PriorityRank {
  return priority === 'urgent' ? 0 : priority === 'normal' ? 1 : 2;
}
