import { describe, expect, it } from 'vitest';
import { findParticipants } from './participants.js';
import { findDates } from './query-dates.js';

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

describe('query understanding', () => {
  it('finds participants by name, possessive and short form, and takes their names out of the words', () => {
    const senders = ['Joanna', 'Nate', 'Melanie Ortiz'];
    expect(findParticipants("What did Joanna's brother say?", senders)).toEqual({
      text: 'What did brother say?',
      participants: [{ sender: 'Joanna', words: ["Joanna's"] }],
    });
    expect(findParticipants('Did Mel and nate meet?', senders).participants.map((p) => p.sender)).toEqual(['Melanie Ortiz', 'Nate']);
    expect(findParticipants('Where does Ortiz live?', senders).participants.map((p) => p.sender)).toEqual(['Melanie Ortiz']);
    // A lower-case prefix is an ordinary word ("mel" in "melody" is not Melanie), and so is an unknown name.
    expect(findParticipants('a lovely melody by Bob', senders).participants).toEqual([]);
    expect(findParticipants('anything', []).participants).toEqual([]);
  });

  it('reads dates and periods as windows relative to asOf, and takes them out of the words', () => {
    const asOf = new Date(Date.UTC(2023, 5, 3, 12));
    const windows = (text: string): string[] => findDates(text, asOf).windows.map((w) => `${iso(w.from)}..${iso(w.to)}`);
    expect(windows('What did she do on 10 August 2022?')).toEqual(['2022-08-10..2022-08-11']);
    expect(windows('in May 2023')).toEqual(['2023-05-01..2023-06-01']);
    expect(windows('What did Jon do last summer?')).toEqual(['2022-06-01..2022-09-01']);
    expect(windows('What did Joanna write in 2022?')).toEqual(['2022-01-01..2023-01-01']);
    expect(windows('two weeks ago')).toEqual(['2023-05-17..2023-05-24']);
    expect(windows('When did Melanie paint a sunrise?')).toEqual([]);
    expect(windows('may I ask')).toEqual([]);
    expect(findDates('What happened in May 2023?', asOf).text).toBe('What happened in ?');
  });
});
