import { DbError } from '@tabagent/common';
import { ACTIVITY_LEVELS, type ActivityLevel } from '../activity/activity-level.js';
import { assertPriority, PRIORITIES, type Priority } from '../priority/priority.js';
import { assertInteger, assertKnownKeys, assertObject } from '../validation/assert.js';

/** What may run at one activity level. */
export interface LevelPolicy {
  /** Priorities whose tasks may start at this level. */
  readonly priorities: readonly Priority[];
  /** Most tasks running at once at this level (urgent tasks may also use the reserve). */
  readonly concurrency: number;
}

/** The full policy table: one {@link LevelPolicy} per activity level. */
export type SchedulingPolicy = { readonly [L in ActivityLevel]: LevelPolicy };

/** Per-level overrides merged over {@link DEFAULT_POLICY}. */
export type SchedulingPolicyOverrides = { readonly [L in ActivityLevel]?: Partial<LevelPolicy> };

/**
 * The default policy table. While the user is chatting only urgent work starts; after a
 * short idle spell normal work joins; when they are away everything runs, with more
 * concurrency.
 *
 * | level   | urgent | normal | low | concurrency |
 * |---------|--------|--------|-----|-------------|
 * | `high`  | yes    | no     | no  | 2           |
 * | `low`   | yes    | yes    | no  | 2           |
 * | `sleep` | yes    | yes    | yes | 4           |
 */
export const DEFAULT_POLICY: SchedulingPolicy = Object.freeze({
  high: Object.freeze({ priorities: Object.freeze(['urgent'] as Priority[]), concurrency: 2 }),
  low: Object.freeze({ priorities: Object.freeze(['urgent', 'normal'] as Priority[]), concurrency: 2 }),
  sleep: Object.freeze({ priorities: Object.freeze(['urgent', 'normal', 'low'] as Priority[]), concurrency: 4 }),
});

/**
 * Merges overrides over the defaults and validates the result.
 *
 * @example
 * const policy = resolvePolicy({ sleep: { concurrency: 8 } });
 * policy.sleep.priorities; // ['urgent', 'normal', 'low']
 */
export function resolvePolicy(overrides: SchedulingPolicyOverrides = {}): SchedulingPolicy {
  assertObject(overrides, 'policy');
  assertKnownKeys(overrides, ACTIVITY_LEVELS, 'policy');
  const resolved = {} as Record<ActivityLevel, LevelPolicy>;
  for (const level of ACTIVITY_LEVELS) {
    const override: unknown = overrides[level] ?? {};
    assertObject(override, `policy.${level}`);
    assertKnownKeys(override, ['priorities', 'concurrency'], `policy.${level}`);
    const base = DEFAULT_POLICY[level];
    const priorities = override['priorities'] ?? base.priorities;
    if (!Array.isArray(priorities)) {
      throw new DbError('INVALID_ARGUMENT', `policy.${level}.priorities must be an array of priorities`, {
        details: { field: `policy.${level}.priorities` },
      });
    }
    priorities.forEach((p: unknown, i) => assertPriority(p, `policy.${level}.priorities.${i}`));
    const concurrency = override['concurrency'] ?? base.concurrency;
    assertInteger(concurrency, `policy.${level}.concurrency`, 1);
    // Keep the canonical order so the table reads the same however it was written.
    const set = new Set(priorities as Priority[]);
    resolved[level] = Object.freeze({
      priorities: Object.freeze(PRIORITIES.filter((p) => set.has(p))),
      concurrency,
    });
  }
  return Object.freeze(resolved);
}

/**
 * Whether a task of `priority` may start at `level` under `policy`.
 *
 * @example
 * allows(DEFAULT_POLICY, 'high', 'normal'); // false
 */
export function allows(policy: SchedulingPolicy, level: ActivityLevel, priority: Priority): boolean {
  return policy[level].priorities.includes(priority);
}
