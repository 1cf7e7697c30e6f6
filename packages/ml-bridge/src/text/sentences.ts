/** A sentence and where it sits in its source text. */
export interface Sentence {
  /** Trimmed sentence text. */
  text: string;
  /** Index of the source text in the input array. */
  source: number;
  /** UTF-16 offset of the sentence in its source text. */
  start: number;
}

// ICU's sentence rules (UAX #29) ship with Node and handle quotes, ellipses and
// numbers better than a regex; Node's ICU has no abbreviation suppressions, so
// segments ending in a title, a common abbreviation or an initial are re-joined.
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const ABBREVIATION_END =
  /(?:^|[\s(])(?:mr|mrs|ms|dr|prof|sr|jr|st|mt|vs|etc|e\.g|i\.e|inc|ltd|co|corp|no|fig|gen|col|capt|lt|sgt|rev|hon|approx|dept|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.\s*$/i;
const INITIAL_END = /(?:^|[\s(])\p{Lu}\.\s*$/u;

/**
 * Splits texts into sentences with offsets, dropping empty ones. Line breaks also end
 * sentences, because chat messages often omit final punctuation.
 *
 * @example
 * splitSentences(['Hi there. How are you?']) // [{text:'Hi there.',…}, {text:'How are you?',…}]
 */
export function splitSentences(texts: readonly string[]): Sentence[] {
  const out: Sentence[] = [];
  texts.forEach((text, source) => {
    let lineStart = 0;
    for (const line of text.split('\n')) {
      let pending: { text: string; index: number } | undefined;
      const flush = (): void => {
        if (!pending) return;
        const trimmed = pending.text.trim();
        if (trimmed !== '') {
          const lead = pending.text.length - pending.text.trimStart().length;
          out.push({ text: trimmed, source, start: lineStart + pending.index + lead });
        }
        pending = undefined;
      };
      for (const seg of segmenter.segment(line)) {
        pending = pending ? { text: pending.text + seg.segment, index: pending.index } : { text: seg.segment, index: seg.index };
        if (!ABBREVIATION_END.test(pending.text) && !INITIAL_END.test(pending.text)) flush();
      }
      flush();
      lineStart += line.length + 1;
    }
  });
  return out;
}
