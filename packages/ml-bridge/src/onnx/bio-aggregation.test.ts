import { describe, expect, it } from 'vitest';
import { aggregateBio, type TokenPrediction } from './bio-aggregation.js';

const tok = (label: string, start: number, end: number, wordId: number | null, score = 0.9): TokenPrediction => ({ label, score, start, end, wordId });

describe('aggregateBio', () => {
  const text = 'Anna Karenina visited Saint Petersburg';

  it('joins B/I runs into spans with offsets and mean scores', () => {
    const entities = aggregateBio(
      [tok('B-PER', 0, 4, 0, 0.8), tok('I-PER', 5, 13, 1, 0.6), tok('O', 14, 21, 2), tok('B-LOC', 22, 27, 3), tok('I-LOC', 28, 38, 4)],
      text,
    );
    expect(entities).toEqual([
      { text: 'Anna Karenina', label: 'PERSON', start: 0, end: 13, score: 0.7 },
      { text: 'Saint Petersburg', label: 'LOCATION', start: 22, end: 38, score: 0.9 },
    ]);
  });

  it('labels a word by its first piece and spans all its pieces', () => {
    // "Petersburg" as Peter + ##sburg, the second piece mislabelled.
    const entities = aggregateBio([tok('B-LOC', 22, 27, 3), tok('I-LOC', 28, 33, 4), tok('O', 33, 38, 4)], text);
    expect(entities.map((e) => e.text)).toEqual(['Saint Petersburg']);
  });

  it('starts a new entity on B- and on a type change, tolerates IOB1 and BIOES', () => {
    expect(aggregateBio([tok('B-PER', 0, 4, 0), tok('B-PER', 5, 13, 1)], text).map((e) => e.text)).toEqual(['Anna', 'Karenina']);
    expect(aggregateBio([tok('I-PER', 0, 4, 0), tok('I-LOC', 5, 13, 1)], text).map((e) => e.label)).toEqual(['PERSON', 'LOCATION']);
    expect(aggregateBio([tok('S-PER', 0, 4, 0), tok('I-PER', 5, 13, 1)], text).map((e) => e.text)).toEqual(['Anna', 'Karenina']);
    expect(aggregateBio([tok('PER', 0, 4, 0), tok('PER', 5, 13, 1)], text).map((e) => e.text)).toEqual(['Anna Karenina']);
  });

  it('ignores special tokens and empty offsets', () => {
    expect(aggregateBio([tok('B-PER', 0, 0, null), tok('O', 0, 4, 0)], text)).toEqual([]);
  });
});
