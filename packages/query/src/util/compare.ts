/** A primitive value a filter or an ordering compares. */
export type Scalar = string | number | boolean;

const TYPE_RANK = { boolean: 0, number: 1, string: 2 } as const;

// UTF-16 code units → an order that matches code point (and UTF-8 byte) order, which is
// how the structural index orders strings: surrogates move above U+E000–U+FFFF.
function codePointOrder(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Compares strings by code point, the order LevelDB keys (and so the indexes) use. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

/**
 * Total order over scalars, the structural index's: booleans < numbers < strings;
 * numbers numerically; strings by code point.
 */
export function compareScalars(a: Scalar, b: Scalar): number {
  const ta = typeof a as keyof typeof TYPE_RANK;
  const tb = typeof b as keyof typeof TYPE_RANK;
  if (ta !== tb) return TYPE_RANK[ta] - TYPE_RANK[tb];
  if (ta === 'string') return compareStrings(a as string, b as string);
  if (ta === 'number') return (a as number) - (b as number);
  return Number(a) - Number(b);
}

/** Ascending order of ids (plain code-unit order is enough: ids are ASCII in practice). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
