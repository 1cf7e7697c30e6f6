import { describe, expect, it } from 'vitest';
import { clip, extractiveSummary } from './extractive-summary.js';
import { splitSentences } from './sentences.js';

// A transparent embedder: one dimension per topic word.
const TOPICS = ['flight', 'hotel', 'cat'];
const embed = async (sentences: readonly string[]): Promise<Float32Array[]> =>
  sentences.map((s) => Float32Array.from([...TOPICS.map((t): number => (s.toLowerCase().includes(t) ? 1 : 0)), 0.1]));

describe('extractiveSummary', () => {
  it('prefers central sentences, avoids repeats, keeps order and the length bound', async () => {
    const texts = [
      'Book the flight first. The hotel comes later.',
      'The flight leaves at nine.\nMy cat is asleep.',
      'Remember the flight!',
    ];
    const summary = await extractiveSummary(texts, 60, embed, undefined);
    expect(summary.length).toBeLessThanOrEqual(60);
    expect(summary).toContain('flight');
    expect(summary).not.toContain('cat');
    const parts = ['Book the flight first.', 'The hotel comes later.', 'The flight leaves at nine.', 'Remember the flight!'].filter((p) =>
      summary.includes(p),
    );
    expect(parts.map((p) => summary.indexOf(p))).toEqual([...parts.map((p) => summary.indexOf(p))].sort((a, b) => a - b));
  });

  it('clips a single over-long sentence at a word boundary', async () => {
    const summary = await extractiveSummary(['This one sentence is much longer than the budget allows'], 20, embed, undefined);
    expect(summary.length).toBeLessThanOrEqual(20);
    expect(summary.endsWith('…')).toBe(true);
  });
});

describe('clip and splitSentences', () => {
  it('never splits a surrogate pair', () => {
    const out = clip('ab😀😀😀😀', 4);
    expect(out.length).toBeLessThanOrEqual(4);
    expect(out).toBe('ab…');
  });

  it('splits on sentence ends and line breaks with offsets', () => {
    const text = 'Dr. Smith arrived. He sat down\nthen left!';
    const sentences = splitSentences([text]);
    expect(sentences.map((s) => s.text)).toEqual(['Dr. Smith arrived.', 'He sat down', 'then left!']);
    for (const s of sentences) expect(text.slice(s.start, s.start + s.text.length)).toBe(s.text);
  });
});
