import { DbError } from '@tabagent/common';
import { describe, expect, it } from 'vitest';
import { parseEntityAnswer } from './entity-prompt.js';

describe('parseEntityAnswer', () => {
  it('locates every whole-word occurrence and drops forms not in the text', () => {
    const text = 'Ann met Annabel. Ann left.';
    const answer = JSON.stringify({
      entities: [
        { text: 'Ann', label: 'PER', confidence: 0.9 },
        { text: 'Annabel', label: 'person', confidence: 0.8 },
        { text: 'Bob', label: 'PERSON', confidence: 0.9 },
      ],
    });
    expect(parseEntityAnswer(answer, text).map((e) => [e.text, e.label, e.start])).toEqual([
      ['Ann', 'PERSON', 0],
      ['Annabel', 'PERSON', 8],
      ['Ann', 'PERSON', 17],
    ]);
  });

  it('prefers the longest form where forms overlap', () => {
    const answer = JSON.stringify({
      entities: [
        { text: 'New York', label: 'GPE', confidence: 0.9 },
        { text: 'New York Times', label: 'ORG', confidence: 0.9 },
      ],
    });
    expect(parseEntityAnswer(answer, 'I read the New York Times.').map((e) => e.text)).toEqual(['New York Times']);
  });

  it('rejects non-JSON and JSON without an entities array as CORRUPTED', () => {
    for (const bad of ['not json', '{"items": []}', 'null']) {
      let err: unknown;
      try {
        parseEntityAnswer(bad, 'x');
      } catch (e) {
        err = e;
      }
      expect(DbError.is(err, 'CORRUPTED')).toBe(true);
    }
  });
});
