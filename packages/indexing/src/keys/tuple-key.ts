import { DbError } from '@tabagent/common';

/** A value that can be part of an index key. */
export type KeyValue = string | number | boolean;

/** Separates the components of an index key. */
export const SEP = '\u0000';
/** Greater than every encoded component character (the largest code point). */
export const HIGH = '\u{10FFFF}';

const scratch = new DataView(new ArrayBuffer(8));

function encodeNumber(value: number): string {
  scratch.setFloat64(0, value === 0 ? 0 : value); // -0 sorts as 0
  let hi = scratch.getUint32(0);
  let lo = scratch.getUint32(4);
  // IEEE-754 to an unsigned order: flip the sign bit of positives, every bit of negatives.
  if (hi & 0x80000000) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
  } else {
    hi = (hi | 0x80000000) >>> 0;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}

// \u0000 ends a component, so it is escaped (with \u0001 as the escape character).
export function escapeComponent(value: string): string {
  return /[\u0000\u0001]/u.test(value) ? value.replace(/\u0001/gu, '\u0001\u0002').replace(/\u0000/gu, '\u0001\u0001') : value;
}

/**
 * Encodes a value as an order-preserving key component: booleans < numbers < strings;
 * numbers in numeric order (negative, fractional, ±Infinity), strings in code-unit order.
 *
 * @example encodeKeyValue(-1) < encodeKeyValue(2) && encodeKeyValue('a') < encodeKeyValue('b')
 */
export function encodeKeyValue(value: KeyValue): string {
  switch (typeof value) {
    case 'boolean':
      return value ? 'b1' : 'b0';
    case 'number':
      if (Number.isNaN(value)) throw new DbError('INVALID_ARGUMENT', 'NaN cannot be indexed or compared');
      return `n${encodeNumber(value)}`;
    case 'string':
      return `s${escapeComponent(value)}`;
    default:
      throw new DbError('INVALID_ARGUMENT', `cannot index a value of type ${typeof value}`);
  }
}

/** The string an encoded string component (without its `s` tag) stands for. */
export function unescapeString(encoded: string): string {
  return encoded.includes('\u0001') ? encoded.replace(/\u0001([\u0001\u0002])/gu, (_, c: string) => (c === '\u0001' ? '\u0000' : '\u0001')) : encoded;
}

/** The key range of all strings starting with `prefix` (as encoded components). */
export function prefixRange(prefix: string): { gte: string; lt: string } {
  const encoded = `s${escapeComponent(prefix)}`;
  return { gte: encoded, lt: `${encoded}${HIGH}` };
}

/** The last component of a key (the record id, by convention). */
export function lastComponent(key: string): string {
  return key.slice(key.lastIndexOf(SEP) + 1);
}
