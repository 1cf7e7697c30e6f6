import { describe, expect, it } from 'vitest';
import { prepareText } from './prepared-text.js';

describe('prepareText', () => {
  it('keeps short text whole and hashes it stably', () => {
    const a = prepareText('Alice met Bob in Paris', 100);
    expect(a).toMatchObject({ text: 'Alice met Bob in Paris', truncated: false, originalLength: 22 });
    expect(prepareText('Alice met Bob in Paris', 100).hash).toBe(a.hash);
    expect(prepareText('Alice met Bob in Rome', 100).hash).not.toBe(a.hash);
  });

  it('cuts long text to a prefix, never inside a surrogate pair', () => {
    const cut = prepareText(`abc${'😀'.repeat(10)}`, 6);
    expect(cut.truncated).toBe(true);
    expect(cut.text).toBe('abc😀');
    expect(cut.originalLength).toBe(23);
  });
});
