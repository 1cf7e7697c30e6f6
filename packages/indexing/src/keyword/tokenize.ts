import { stemmer } from 'stemmer';
import { eng } from 'stopword';

const STOP_WORDS: ReadonlySet<string> = new Set(eng);

/** Longest token kept (longer "words" are usually ids, hashes or base64). */
const MAX_TOKEN_LENGTH = 64;
// Letters and digits, with inner apostrophes ("don't"); Unicode-aware.
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const ASCII_WORD = /^[a-z]+$/u;
const ASCII_TEXT = /^[\x00-\x7f]*$/u;

// Stemming is the costly part of tokenising; chat vocabularies repeat, so memoise it.
const stemCache = new Map<string, string>();
const STEM_CACHE_SIZE = 100_000;

function stem(word: string): string {
  const cached = stemCache.get(word);
  if (cached !== undefined) return cached;
  // Only ASCII words are stemmed; numbers and other scripts pass as they are, and stay
  // out of the cache (chat text is full of one-off numbers that would churn it).
  if (!ASCII_WORD.test(word)) return word;
  const stemmed = stemmer(word);
  if (stemCache.size >= STEM_CACHE_SIZE) stemCache.clear();
  stemCache.set(word, stemmed);
  return stemmed;
}

/**
 * Text → index terms: Unicode words (letters and digits), lower case, English stop
 * words removed (`stopword`), Porter stemming (`stemmer`) for ASCII words.
 *
 * @example tokenize('Alice met Bob in Paris') // ['alic', 'met', 'bob', 'pari']
 */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  // `match` with /g returns the words alone (no match objects, no iterator); ASCII
  // text needs no normalisation and has no typographic apostrophes.
  const ascii = ASCII_TEXT.test(text);
  const words = (ascii ? text : text.normalize('NFKC')).toLowerCase().match(WORD) ?? [];
  for (let word of words) {
    if (!ascii && word.includes('’')) word = word.replace(/’/gu, "'");
    if (word.length > MAX_TOKEN_LENGTH || STOP_WORDS.has(word)) continue;
    terms.push(stem(word));
  }
  return terms;
}

/** Term frequencies of a text. */
export function termFrequencies(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of tokenize(text)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
