import { DbError } from '@tabagent/common';
import { describe, expect, it } from 'vitest';
import { BuiltinMlBridge, createMlBridge } from '../src/index.js';
import { cosine } from '../src/text/vector-math.js';
import { describeMlBridgeConformance } from './conformance.js';

describeMlBridgeConformance('builtin', { create: async () => new BuiltinMlBridge() });
describeMlBridgeConformance('builtin via createMlBridge (384 dims)', {
  create: () => createMlBridge({ provider: 'builtin', dimensions: 384 }),
});

describe('builtin provider', () => {
  const ml = new BuiltinMlBridge();

  it('says it is lexical and names its vector space by its settings', () => {
    const info = ml.info();
    expect(info).toMatchObject({ provider: 'builtin', quality: 'lexical', embedding: { dimensions: 512, normalized: true } });
    const other = new BuiltinMlBridge({ dimensions: 384 }).info();
    expect(other.embedding.model).not.toBe(info.embedding.model);
    expect(other.embedding.dimensions).toBe(384);
  });

  it('ranks word overlap, inflections and spelling variants above unrelated text', async () => {
    const [query, inflected, variant, unrelated] = (await ml.embed([
      'The children are running in the garden',
      'A child runs in a garden',
      'kids were runing through the gardens',
      'Stock markets fell sharply on Monday',
    ])) as Float32Array[];
    const sInflected = cosine(query as Float32Array, inflected as Float32Array);
    const sVariant = cosine(query as Float32Array, variant as Float32Array);
    const sUnrelated = cosine(query as Float32Array, unrelated as Float32Array);
    expect(sInflected).toBeGreaterThan(sUnrelated + 0.2);
    expect(sVariant).toBeGreaterThan(sUnrelated + 0.1);
  });

  it('weighs rare words above frequent ones', async () => {
    const [a, sharesRare, sharesCommon] = (await ml.embed([
      'the quokka is on the island',
      'a quokka appeared',
      'the is on the',
    ])) as Float32Array[];
    expect(cosine(a as Float32Array, sharesRare as Float32Array)).toBeGreaterThan(cosine(a as Float32Array, sharesCommon as Float32Array));
  });

  it('extracts people, places, organisations, dates, money, emails and urls with exact offsets', async () => {
    const text =
      'Yesterday Dr. Jane Goodall met Tim Cook of Apple Inc. in Paris on March 3, 2024. ' +
      'They paid $4.5 million. Write to jane@example.org or see https://example.com/a?b=1.';
    const [entities] = await ml.extractEntities([text]);
    const pick = (label: string): string[] => (entities ?? []).filter((e) => e.label === label).map((e) => e.text);
    expect(pick('PERSON')).toEqual(expect.arrayContaining(['Jane Goodall', 'Tim Cook']));
    expect(pick('LOCATION')).toContain('Paris');
    expect(pick('ORG').some((t) => t.startsWith('Apple'))).toBe(true);
    expect(pick('DATE').some((t) => t.includes('March 3'))).toBe(true);
    expect(pick('MONEY').some((t) => t.startsWith('$4.5'))).toBe(true);
    expect(pick('EMAIL')).toEqual(['jane@example.org']);
    expect(pick('URL')).toEqual(['https://example.com/a?b=1']);
    for (const e of entities ?? []) expect(text.slice(e.start, e.end)).toBe(e.text);
  });

  it('keeps titles and possessives out of names and splits lists', async () => {
    const [entities] = await ml.extractEntities(["President Obama's dog met Angela Merkel, Emmanuel Macron and Justin Trudeau."]);
    const people = (entities ?? []).filter((e) => e.label === 'PERSON').map((e) => e.text);
    expect(people).toEqual(expect.arrayContaining(['Obama', 'Angela Merkel', 'Emmanuel Macron', 'Justin Trudeau']));
    expect(people.some((p) => p.includes("'s") || p.includes(',') || p.startsWith('President'))).toBe(false);
  });

  it('reports offsets in UTF-16 code units after astral characters', async () => {
    const text = '🎉🎉 Party with Barack Obama in Chicago';
    const [entities] = await ml.extractEntities([text]);
    for (const e of entities ?? []) expect(text.slice(e.start, e.end)).toBe(e.text);
    expect((entities ?? []).map((e) => e.text)).toEqual(expect.arrayContaining(['Barack Obama', 'Chicago']));
  });

  it('summarises by picking central sentences in their original order', async () => {
    const messages = [
      'We should book the flight to Lisbon for the conference.',
      'lol ok',
      'The conference in Lisbon starts on May 5, so the flight must land by May 4.',
      'Also my cat knocked over a plant.',
      'Booking the Lisbon flight today keeps the conference budget intact.',
    ];
    const summary = await ml.summarize(messages, { maxLength: 140 });
    expect(summary.length).toBeLessThanOrEqual(140);
    expect(summary).toMatch(/Lisbon/);
    expect(summary).not.toMatch(/plant/);
    const sentences = messages.filter((m) => summary.includes(m));
    expect(sentences.length).toBeGreaterThan(0);
    expect(sentences.map((s) => summary.indexOf(s))).toEqual([...sentences.map((s) => summary.indexOf(s))].sort((a, b) => a - b));
  });

  it('rejects bad options at construction', () => {
    expect(() => new BuiltinMlBridge({ dimensions: 3 })).toThrow(DbError);
    expect(() => new BuiltinMlBridge({ charNgramMin: 4, charNgramMax: 2 })).toThrow(DbError);
  });
});
