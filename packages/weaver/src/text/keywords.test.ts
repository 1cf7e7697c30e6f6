import { describe, expect, it } from 'vitest';
import { salientKeywords, wordProbabilities } from './keywords.js';

describe('salientKeywords', () => {
  it('prefers words shared by several texts and rare in everyday English', async () => {
    const texts = [
      'I think the museum in Paris is great',
      'Yeah I think so, the museum opens late',
      'Did you see the Louvre museum website?',
      'I think we should book tickets',
    ];
    const words = salientKeywords(texts, 2, await wordProbabilities()).map((k) => k.word);
    expect(words[0]).toBe('museum');
    expect(words).not.toContain('the');
    expect(words).not.toContain('paris'); // in one text only
  });

  it('returns nothing for no texts or no room', () => {
    expect(salientKeywords([], 3, new Map())).toEqual([]);
    expect(salientKeywords(['museum'], 0, new Map())).toEqual([]);
  });
});
