import { describe, expect, it } from 'vitest';
import { withFields } from './with-fields.js';

describe('withFields', () => {
  it('is { ...base, ...fields }: fields win, base is left alone', () => {
    const base = { sender: 'ana', role: 'user', type: 'Chat' };
    const out = withFields(base, { type: 'Message', chatId: 'chat_1' });
    expect(out).toEqual({ sender: 'ana', role: 'user', type: 'Message', chatId: 'chat_1' });
    expect(base).toEqual({ sender: 'ana', role: 'user', type: 'Chat' });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('keeps a parsed `__proto__` field a field, never a prototype', () => {
    const base = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const out = withFields(base, { b: 2 }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(out['polluted']).toBeUndefined();
    expect(Object.keys(out).sort()).toEqual(['__proto__', 'a', 'b']);
    expect(out['b']).toBe(2);
  });
});
