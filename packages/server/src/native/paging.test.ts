import { describe, expect, it } from 'vitest';
import { encodeNativeMessage } from './framing.js';
import { resultMessages } from './paging.js';

const join = (parts: object[]): unknown => JSON.parse(parts.map((p) => (p as { data: string }).data).join(''));

describe('resultMessages', () => {
  it('sends a small result whole', () => {
    expect(resultMessages(7, { a: 1 })).toEqual([{ id: 7, ok: true, result: { a: 1 } }]);
    expect(resultMessages('x', undefined)).toEqual([{ id: 'x', ok: true, result: null }]);
  });

  it('splits a large result into parts that each encode within the limit and join back', () => {
    for (const text of ['plain ascii '.repeat(5_000), '"quotes" \\ and \n newlines \u0001'.repeat(2_000), 'é😀 multi-byte '.repeat(3_000)]) {
      const result = { items: [text, text] };
      const parts = resultMessages(1, result, 16 * 1024);
      expect(parts.length).toBeGreaterThan(2);
      for (const [i, part] of parts.entries()) {
        expect(part).toMatchObject({ id: 1, ok: true, part: { index: i, count: parts.length } });
        expect(encodeNativeMessage(part).length - 4).toBeLessThanOrEqual(16 * 1024);
      }
      expect(join(parts)).toEqual(result);
    }
  });

  it('never splits a surrogate pair', () => {
    const parts = resultMessages(1, '😀'.repeat(10_000), 1_000) as { data: string }[];
    for (const { data } of parts) {
      expect(/[\ud800-\udbff]$/u.test(data)).toBe(false);
      expect(/^[\udc00-\udfff]/u.test(data)).toBe(false);
    }
    expect(join(parts)).toBe('😀'.repeat(10_000));
  });
});
