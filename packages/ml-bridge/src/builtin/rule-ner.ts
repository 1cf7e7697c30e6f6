import nlp from 'compromise';
import type { EntityLabel } from '../entity-labels.js';
import type { MlEntity } from '../ml-bridge.js';
import type { WordPrior } from './word-prior.js';

/** One token as compromise saw it, with UTF-16 offsets into the input. */
interface Token {
  text: string;
  pre: string;
  post: string;
  tags: ReadonlySet<string>;
  start: number;
  end: number;
  /** Position of the token in its sentence (0 = sentence start). */
  position: number;
}

interface Candidate {
  label: EntityLabel;
  start: number;
  end: number;
  score: number;
  /** Lower wins when candidates overlap. */
  priority: number;
}

interface CompromiseTerm {
  id: string;
}
interface CompromiseView {
  docs: CompromiseTerm[][];
}

// Confidence per rule: exact patterns are near-certain, lexicon hits likely, guesses less so.
const SCORES = { pattern: 0.99, numeric: 0.85, lexicon: 0.75, cue: 0.6, guess: 0.4 } as const;

// Span edges that are grammar, not name: "Will António Guterres come" → "António Guterres".
const EDGE_TAGS = ['Determiner', 'Preposition', 'Conjunction', 'Pronoun', 'Verb', 'Adverb', 'QuestionWord', 'Expression'];
// Words that end organisation names in English (a general list, not learned from data).
const ORG_SUFFIXES = new Set([
  'inc', 'corp', 'corporation', 'ltd', 'llc', 'plc', 'gmbh', 'co', 'company', 'group', 'holdings', 'bank',
  'university', 'college', 'school', 'institute', 'foundation', 'association', 'society', 'agency', 'council',
  'committee', 'ministry', 'department', 'party', 'fc', 'club', 'labs', 'studios', 'records', 'airlines',
]);
// Words that end place names.
const PLACE_SUFFIXES = new Set([
  'street', 'st', 'avenue', 'ave', 'road', 'rd', 'boulevard', 'blvd', 'lane', 'square', 'river', 'lake', 'mountain',
  'mountains', 'mount', 'island', 'islands', 'county', 'province', 'valley', 'bay', 'beach', 'airport', 'station',
]);
const HARD_BREAK = /[,;:()[\]{}|"“”<>]/;
const HAS_WORD = /[\p{L}\p{N}]/u;
const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"'`]+/giu;
const TRAILING_URL_PUNCT = /[.,;:!?)\]}'"’”]+$/u;
const POSSESSIVE = /['’]s$/iu;
const SPACED_APOSTROPHE = /\s['’]|['’]\s/u;

/**
 * Named entities from rules and a lexicon, no model: compromise (a maintained
 * rule/lexicon English NLP library) proposes people, places, organisations, dates,
 * times, money, percentages and phone numbers; regular expressions find emails and
 * URLs. On top of compromise this fixes span edges the way NER corpora annotate them
 * (titles, possessive 's, leading verbs and punctuation stay outside the name; a list
 * broken by commas is several names), labels unclaimed proper-noun runs by
 * organisation / place suffixes and capitalised acronyms, and resolves overlaps.
 *
 * @example
 * new RuleEntityExtractor(loadWordPrior()).extract('Mr. Tim Cook visited Paris on May 3.')
 * // [{text:'Tim Cook',label:'PERSON',…}, {text:'Paris',label:'LOCATION',…}, {text:'May 3',label:'DATE',…}]
 */
export class RuleEntityExtractor {
  readonly #prior: WordPrior;

  constructor(prior: WordPrior) {
    this.#prior = prior;
  }

  extract(text: string): MlEntity[] {
    const candidates: Candidate[] = [];
    for (const m of text.matchAll(EMAIL)) {
      candidates.push({ label: 'EMAIL', start: m.index, end: m.index + m[0].length, score: SCORES.pattern, priority: 0 });
    }
    for (const m of text.matchAll(URL)) {
      const url = m[0].replace(TRAILING_URL_PUNCT, '');
      candidates.push({ label: 'URL', start: m.index, end: m.index + url.length, score: SCORES.pattern, priority: 0 });
    }
    if (HAS_WORD.test(text)) this.#fromCompromise(text, candidates);
    return resolveOverlaps(candidates).map((c) => ({
      text: text.slice(c.start, c.end),
      label: c.label,
      start: c.start,
      end: c.end,
      score: c.score,
    }));
  }

  #fromCompromise(text: string, out: Candidate[]): void {
    const doc = nlp(text);
    const tokens = new Map<string, Token>();
    const json = doc.json({ offset: true, terms: { offset: true, id: true, tags: true, text: true, whitespace: true } }) as Array<{
      terms: Array<{ id: string; text: string; pre: string; post: string; tags: string[]; index: [number, number]; offset: { start: number; length: number } }>;
    }>;
    for (const sentence of json) {
      for (const t of sentence.terms) {
        tokens.set(t.id, {
          text: t.text,
          pre: t.pre,
          post: t.post,
          tags: new Set(t.tags),
          start: t.offset.start,
          end: t.offset.start + t.offset.length,
          position: t.index[1],
        });
      }
    }
    const spans = (view: unknown): Token[][] =>
      (view as CompromiseView).docs.map((terms) => terms.map((t) => tokens.get(t.id)).filter((t): t is Token => t !== undefined));

    const claimed = new Set<Token>();
    const addNamed = (view: unknown, label: EntityLabel): void => {
      for (const span of spans(view)) {
        span.forEach((t) => claimed.add(t));
        for (const piece of this.#cleanName(span, label)) out.push(toCandidate(piece, label, SCORES.lexicon, 2));
      }
    };
    addNamed(doc.people(), 'PERSON');
    addNamed(doc.organizations(), 'ORG');
    addNamed(doc.places(), 'LOCATION');

    const addNumeric = (view: unknown, label: EntityLabel | ((span: Token[]) => EntityLabel)): void => {
      for (const span of spans(view)) {
        for (const piece of splitAtBreaks(span)) {
          const trimmed = trimEdges(piece, (t) => !HAS_WORD.test(t.text) && !/[$€£¥%]/u.test(t.text));
          if (trimmed.length === 0) continue;
          const l = typeof label === 'function' ? label(trimmed) : label;
          out.push(toCandidate(trimmed, l, SCORES.numeric, 1));
        }
      }
    };
    addNumeric(doc.money(), 'MONEY');
    addNumeric(doc.percentages(), 'PERCENT');
    addNumeric(doc.phoneNumbers(), 'PHONE');
    addNumeric(doc.match('#Date+'), (span) => (span.every((t) => t.tags.has('Time')) ? 'TIME' : 'DATE'));

    // Proper-noun runs no lexicon claimed: label them by their last word, or say MISC.
    for (const run of spans(doc.match('#ProperNoun+'))) {
      for (const piece of unclaimedRuns(run, claimed).flatMap(splitAtBreaks)) {
        const clean = this.#cleanName(piece, 'MISC')[0];
        if (!clean || clean.length === 0) continue;
        if (clean.length === 1 && clean[0]?.position === 0 && this.#isCommonWord(clean[0].text)) continue;
        if (clean.some((t) => t.tags.has('Date') || t.tags.has('Value') || t.tags.has('Honorific'))) continue;
        out.push(toCandidate(clean, ...this.#guessLabel(clean)));
      }
    }
  }

  /** Labels an unclaimed proper-noun run from cues a reader would use. */
  #guessLabel(span: Token[]): [EntityLabel, number, number] {
    const last = (span[span.length - 1] as Token).text.toLowerCase().replace(/\.$/, '');
    if (ORG_SUFFIXES.has(last) && span.length > 1) return ['ORG', SCORES.cue, 3];
    if (PLACE_SUFFIXES.has(last) && span.length > 1) return ['LOCATION', SCORES.cue, 3];
    if (span.length === 1 && /^\p{Lu}{2,5}$/u.test((span[0] as Token).text)) return ['ORG', SCORES.guess, 3];
    if (span.some((t) => t.tags.has('FirstName'))) return ['PERSON', SCORES.cue, 3];
    return ['MISC', SCORES.guess, 4];
  }

  /** Splits at punctuation and trims grammar words, titles and possessives off the edges. */
  #cleanName(span: Token[], label: EntityLabel): Token[][] {
    const pieces: Token[][] = [];
    for (const piece of splitAtBreaks(span)) {
      let trimmed = trimEdges(
        piece,
        (t) =>
          !HAS_WORD.test(t.text) ||
          (EDGE_TAGS.some((tag) => t.tags.has(tag)) && !t.tags.has('FirstName') && !t.tags.has('LastName')) ||
          (label === 'PERSON' && t.tags.has('Honorific')),
      );
      // "Will António Guterres": a sentence-initial common word that is not a known name.
      const first = trimmed[0];
      if (
        trimmed.length > 1 &&
        first &&
        first.position === 0 &&
        !first.tags.has('FirstName') &&
        !first.tags.has('LastName') &&
        this.#isCommonWord(first.text)
      ) {
        trimmed = trimmed.slice(1);
      }
      // A lone letter ("s" of a split "'s", "T" of "T-800") is not a name on its own.
      if (trimmed.length > 0 && !(trimmed.length === 1 && (trimmed[0] as Token).text.length === 1)) pieces.push(trimmed);
    }
    return pieces;
  }

  #isCommonWord(word: string): boolean {
    return this.#prior.rank(word.toLowerCase().replace(POSSESSIVE, '')) <= COMMON_WORD_RANK;
  }
}

// The 2,000 most frequent spoken-English words: function words and everyday
// vocabulary, a common cut-off for "basic vocabulary" in language teaching.
const COMMON_WORD_RANK = 2000;

function unclaimedRuns(span: readonly Token[], claimed: ReadonlySet<Token>): Token[][] {
  const runs: Token[][] = [];
  let current: Token[] = [];
  for (const t of span) {
    if (claimed.has(t)) {
      if (current.length > 0) runs.push(current);
      current = [];
    } else {
      current.push(t);
    }
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

function splitAtBreaks(span: readonly Token[]): Token[][] {
  const pieces: Token[][] = [];
  let current: Token[] = [];
  for (const t of span) {
    if (current.length > 0 && HARD_BREAK.test(t.pre)) {
      pieces.push(current);
      current = [];
    }
    current.push(t);
    // A clitic split off by whitespace ("Emma ' s") also ends the name.
    if (HARD_BREAK.test(t.post) || SPACED_APOSTROPHE.test(t.post) || !HAS_WORD.test(t.text)) {
      pieces.push(current);
      current = [];
    }
  }
  if (current.length > 0) pieces.push(current);
  return pieces;
}

function trimEdges(span: readonly Token[], drop: (t: Token) => boolean): Token[] {
  let a = 0;
  let b = span.length;
  while (a < b && drop(span[a] as Token)) a++;
  while (b > a && drop(span[b - 1] as Token)) b--;
  return span.slice(a, b);
}

function toCandidate(span: readonly Token[], label: EntityLabel, score: number, priority: number): Candidate {
  const first = span[0] as Token;
  const last = span[span.length - 1] as Token;
  let start = first.start;
  let end = last.end;
  // A hashtag or mention names the thing; the symbol is markup.
  if (/^[#]/u.test(first.text) && label !== 'MISC') start += 1;
  if (POSSESSIVE.test(last.text) && end - 2 > start) end -= 2;
  return { label, start, end, score, priority };
}

/** Keeps the best of overlapping candidates: lower priority first, then longer, then earlier. */
function resolveOverlaps(candidates: Candidate[]): Candidate[] {
  const ordered = [...candidates]
    .filter((c) => c.end > c.start)
    .sort((a, b) => a.priority - b.priority || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: Candidate[] = [];
  for (const c of ordered) {
    if (kept.every((k) => c.end <= k.start || c.start >= k.end)) kept.push(c);
  }
  return kept.sort((a, b) => a.start - b.start);
}
