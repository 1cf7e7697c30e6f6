import { describe, expect, it } from 'vitest';
import { compareScalars, compareStrings } from './compare.js';

describe('scalar order (the structural index order)', () => {
  it('puts booleans before numbers before strings', () => {
    const sorted = ['b', 2, true, -1, 'a', false, 10].sort(compareScalars);
    expect(sorted).toEqual([false, true, -1, 2, 10, 'a', 'b']);
  });

  it('orders strings by code point, not UTF-16 unit', () => {
    // U+FF5E (a BMP character above the surrogates) sorts before U+1F600 (an emoji, a surrogate pair).
    expect(compareStrings('\uff5e', '😀')).toBeLessThan(0);
    expect('\uff5e' < '😀').toBe(false); // what plain JS comparison would say
    expect(compareStrings('ab', 'abc')).toBeLessThan(0);
    expect(compareStrings('é', 'e')).toBeGreaterThan(0);
    expect(compareStrings('same', 'same')).toBe(0);
  });
});
