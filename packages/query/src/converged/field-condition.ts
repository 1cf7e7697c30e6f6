import type { Node } from '@tabagent/common';
import type { FieldCondition } from '@tabagent/indexing';
import { compareScalars, type Scalar } from '../util/compare.js';
import { fieldPresent, fieldValues } from './field-catalogue.js';

/** The filter operators, in the order their checks run. */
export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'prefix', 'contains', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * Conditions on one field; every operator given must hold (AND).
 *
 * - `eq` / `ne`: some value equals / no value equals (`ne` also matches nodes without the field);
 * - `gt`, `gte`, `lt`, `lte`: one value satisfies every bound (numbers with numbers, strings with strings);
 * - `in`: some value is in the list; `prefix`: some string value starts with it;
 * - `contains`: some string value contains it as a substring, or some array element equals it;
 * - `exists`: the field is present (true) or absent (false).
 *
 * Array fields (`tags`) match when any element does. Strings compare by code point,
 * the same order as the structural index.
 *
 * @example { timestamp: { gte: from, lt: to }, sender: { in: ['alice', 'bob'] }, 'metadata.lang': { eq: 'en' } }
 */
export interface FieldConditions {
  eq?: Scalar;
  ne?: Scalar;
  gt?: number | string;
  gte?: number | string;
  lt?: number | string;
  lte?: number | string;
  in?: readonly Scalar[];
  prefix?: string;
  contains?: Scalar;
  exists?: boolean;
}

/** Filters of a query: field path → conditions. */
export type FieldFilters = Record<string, FieldConditions>;

function hasRange(c: FieldConditions): boolean {
  return c.gt !== undefined || c.gte !== undefined || c.lt !== undefined || c.lte !== undefined;
}

function inRange(value: Scalar, c: FieldConditions): boolean {
  const kind = typeof (c.gt ?? c.gte ?? c.lt ?? c.lte);
  if (typeof value !== kind) return false;
  if (c.gt !== undefined && !(compareScalars(value, c.gt) > 0)) return false;
  if (c.gte !== undefined && !(compareScalars(value, c.gte) >= 0)) return false;
  if (c.lt !== undefined && !(compareScalars(value, c.lt) < 0)) return false;
  if (c.lte !== undefined && !(compareScalars(value, c.lte) <= 0)) return false;
  return true;
}

/** Whether a node satisfies every condition on one field. */
export function matchesConditions(node: Node, field: string, c: FieldConditions): boolean {
  if (c.exists !== undefined && fieldPresent(node, field) !== c.exists) return false;
  const needsValues = c.eq !== undefined || c.ne !== undefined || c.in !== undefined || c.prefix !== undefined || c.contains !== undefined || hasRange(c);
  if (!needsValues) return true;
  const values = fieldValues(node, field);
  if (c.eq !== undefined && !values.some((v) => v === c.eq)) return false;
  if (c.ne !== undefined && values.some((v) => v === c.ne)) return false;
  if (c.in !== undefined) {
    const set = c.in;
    if (!values.some((v) => set.includes(v))) return false;
  }
  if (c.prefix !== undefined) {
    const prefix = c.prefix;
    if (!values.some((v) => typeof v === 'string' && v.startsWith(prefix))) return false;
  }
  if (c.contains !== undefined) {
    const needle = c.contains;
    if (!values.some((v) => v === needle || (typeof v === 'string' && typeof needle === 'string' && v.includes(needle)))) return false;
  }
  if (hasRange(c) && !values.some((v) => inRange(v, c))) return false;
  return true;
}

/** Whether a node satisfies every field filter. */
export function matchesFilters(node: Node, filters: FieldFilters): boolean {
  for (const field in filters) {
    if (!matchesConditions(node, field, filters[field]!)) return false;
  }
  return true;
}

/** The part of a field's conditions the structural index can answer, one lookup each. */
export function indexableConditions(c: FieldConditions): { condition: FieldCondition; label: string }[] {
  const result: { condition: FieldCondition; label: string }[] = [];
  if (c.eq !== undefined) result.push({ condition: { eq: c.eq }, label: `eq ${JSON.stringify(c.eq)}` });
  if (c.in !== undefined) result.push({ condition: { in: c.in }, label: `in [${c.in.length}]` });
  if (c.prefix !== undefined) result.push({ condition: { prefix: c.prefix }, label: `prefix ${JSON.stringify(c.prefix)}` });
  if (hasRange(c)) {
    const range: { gt?: number | string; gte?: number | string; lt?: number | string; lte?: number | string } = {};
    const parts: string[] = [];
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      const bound = c[op];
      if (bound !== undefined) {
        range[op] = bound;
        parts.push(`${op} ${JSON.stringify(bound)}`);
      }
    }
    result.push({ condition: range, label: parts.join(' ') });
  }
  return result;
}
