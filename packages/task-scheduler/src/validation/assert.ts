import { DbError } from '@tabagent/common';

/** Throws INVALID_ARGUMENT unless `value` is an integer ≥ `min`. */
export function assertInteger(value: unknown, field: string, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new DbError('INVALID_ARGUMENT', `${field} must be an integer ≥ ${min}, got ${describe(value)}`, {
      details: { field },
    });
  }
}

/** Throws INVALID_ARGUMENT unless `value` is a finite number ≥ `min` (or > `min` when `exclusive`). */
export function assertFiniteNumber(
  value: unknown,
  field: string,
  min: number,
  exclusive = false,
): asserts value is number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    throw new DbError(
      'INVALID_ARGUMENT',
      `${field} must be a finite number ${exclusive ? '>' : '≥'} ${min}, got ${describe(value)}`,
      { details: { field } },
    );
  }
}

/** Throws INVALID_ARGUMENT unless `value` is a plain object. */
export function assertObject(value: unknown, field: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DbError('INVALID_ARGUMENT', `${field} must be an object, got ${describe(value)}`, {
      details: { field },
    });
  }
}

/** Throws INVALID_ARGUMENT when `value` has keys outside `allowed` (catches typos in options). */
export function assertKnownKeys(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new DbError(
        'INVALID_ARGUMENT',
        `unknown ${field} "${key}" (expected one of: ${allowed.join(', ')})`,
        { details: { field: `${field}.${key}` } },
      );
    }
  }
}

/** A short, safe rendering of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
