import { describe, expect, it } from 'vitest';
import { allows, DEFAULT_POLICY, resolvePolicy } from './scheduling-policy.js';

describe('scheduling policy', () => {
  it('defaults: high → urgent only; low → urgent + normal; sleep → all, more concurrency', () => {
    expect(DEFAULT_POLICY).toEqual({
      high: { priorities: ['urgent'], concurrency: 2 },
      low: { priorities: ['urgent', 'normal'], concurrency: 2 },
      sleep: { priorities: ['urgent', 'normal', 'low'], concurrency: 4 },
    });
    expect(allows(DEFAULT_POLICY, 'high', 'normal')).toBe(false);
    expect(allows(DEFAULT_POLICY, 'sleep', 'low')).toBe(true);
  });

  it('merges overrides per level and keeps the canonical priority order', () => {
    const policy = resolvePolicy({ sleep: { concurrency: 8 }, high: { priorities: ['normal', 'urgent'] } });
    expect(policy.sleep).toEqual({ priorities: ['urgent', 'normal', 'low'], concurrency: 8 });
    expect(policy.high).toEqual({ priorities: ['urgent', 'normal'], concurrency: 2 });
    expect(policy.low).toEqual(DEFAULT_POLICY.low);
    expect(Object.isFrozen(policy.sleep)).toBe(true);
  });

  it.each([
    ['a negative concurrency', { sleep: { concurrency: -1 } }],
    ['a zero concurrency', { low: { concurrency: 0 } }],
    ['a fractional concurrency', { low: { concurrency: 1.5 } }],
    ['an unknown level', { idle: { concurrency: 2 } }],
    ['an unknown priority', { sleep: { priorities: ['background'] } }],
    ['a numeric priority', { sleep: { priorities: [-1] } }],
    ['priorities that are not a list', { sleep: { priorities: 'low' } }],
    ['an unknown field', { sleep: { concurency: 2 } }],
  ])('rejects %s with INVALID_ARGUMENT', (_name, overrides) => {
    expect(() => resolvePolicy(overrides as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
