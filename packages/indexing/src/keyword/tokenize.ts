/// <reference path="./wink-lemmatizer.d.ts" />
import { stemmer } from 'stemmer';
import { eng } from 'stopword';
import lemmatizer from 'wink-lemmatizer';

/**
 * Version of the term rules below. The keyword index stores it and rebuilds itself when
 * it opens on postings written under another version (a reindex migrates).
 */
export const TOKENIZER_VERSION = 2;

/**
 * Closed-class English words `stopword`'s list lacks: question words and auxiliary or
 * modal verbs. They carry the grammar of a question ("when does …", "why did …"), never
 * its subject. Chosen from English grammar, not from any test set.
 */
const FUNCTION_WORDS = ['when', 'whom', 'whose', 'why', 'whenever', 'wherever', 'whatever', 'whoever', 'does', 'doing', 'done', 'will', 'shall', 'may', 'might', 'ought'];
const STOP_WORDS: ReadonlySet<string> = new Set([...eng, ...FUNCTION_WORDS]);

/** Longest token kept (longer "words" are usually ids, hashes or base64). */
const MAX_TOKEN_LENGTH = 64;
// Letters and digits, with inner apostrophes ("don't"); Unicode-aware.
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const ASCII_WORD = /^[a-z]+$/u;
const ASCII_TEXT = /^[\x00-\x7f]*$/u;
/** What ends a sentence before a word: a capital after it is no sign of a proper noun. */
const SENTENCE_START = /(?:^|[.!?:;"“]\s*)$/u;
/** The month, told from the modal verb (a stop word) by its capital inside a sentence. */
const MONTH_MAY = 'month:may';
/** Clitics after an apostrophe that are grammar, not part of the word ("john's", "we'll"). */
const CLITICS: ReadonlySet<string> = new Set(['s', 'm', 're', 've', 'll', 'd']);

// Lemmatising and stemming are the costly part of tokenising; chat vocabularies repeat,
// so memoise them.
const termCache = new Map<string, string>();
const TERM_CACHE_SIZE = 100_000;

/**
 * A word's index term: its dictionary form (`wink-lemmatizer`, which knows irregular
 * forms: "lost" → "lose", "feet" → "foot"), then Porter's stem of that (`stemmer`), so
 * regular inflections meet too. Nouns are tried first, as a noun reading keeps more of a
 * word's meaning ("leaves" → "leaf"); then verbs.
 */
function term(word: string): string {
  const cached = termCache.get(word);
  if (cached !== undefined) return cached;
  // Only ASCII words are lemmatised and stemmed; numbers and other scripts pass as they
  // are, and stay out of the cache (chat text is full of one-off numbers that would churn it).
  if (!ASCII_WORD.test(word)) return word;
  let lemma = lemmatizer.noun(word);
  if (lemma === word) lemma = lemmatizer.verb(word);
  const stemmed = stemmer(lemma);
  if (termCache.size >= TERM_CACHE_SIZE) termCache.clear();
  termCache.set(word, stemmed);
  return stemmed;
}

/**
 * The word without its clitic ("john's" → "john", "i'm" → "i"), or undefined for a
 * negated auxiliary ("don't", "can't": grammar only).
 */
function withoutClitic(word: string): string | undefined {
  const apostrophe = word.indexOf("'");
  if (apostrophe < 0) return word;
  const base = word.slice(0, apostrophe);
  const clitic = word.slice(apostrophe + 1);
  if (clitic === 't' && base.endsWith('n')) return undefined;
  return CLITICS.has(clitic) ? base : word;
}

/**
 * Text → index terms: Unicode words (letters and digits), lower case, possessives and
 * contractions reduced to their word, English stop words and question/auxiliary words
 * removed, the month "May" kept apart from the modal "may", then lemma + Porter stem for
 * ASCII words.
 *
 * @example tokenize("Alice's friends went to Paris in May") // ['alic', 'friend', 'go', 'pari', 'month:may']
 */
export function tokenize(text: string): string[] {
  const terms: string[] = [];
  // ASCII text needs no normalisation and has no typographic apostrophes.
  const ascii = ASCII_TEXT.test(text);
  const source = ascii ? text : text.normalize('NFKC');
  WORD.lastIndex = 0;
  for (let match = WORD.exec(source); match !== null; match = WORD.exec(source)) {
    const original = match[0];
    if (original === 'May' && !SENTENCE_START.test(source.slice(Math.max(0, match.index - 3), match.index))) {
      terms.push(MONTH_MAY);
      continue;
    }
    let word = original.toLowerCase();
    if (!ascii && word.includes('’')) word = word.replace(/’/gu, "'");
    const bare = withoutClitic(word);
    if (bare === undefined || bare.length === 0 || bare.length > MAX_TOKEN_LENGTH || STOP_WORDS.has(bare)) continue;
    terms.push(term(bare));
  }
  return terms;
}

/** Term frequencies of a text. */
export function termFrequencies(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tokenize(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
