import type { QueryContext } from '../query-context.js';

/** A participant named in a query: the sender value and the words that named it. */
export interface NamedParticipant {
  sender: string;
  /** The query's words that named it, as written ("Jo's", "Joanna"). */
  words: string[];
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const NAME_WORD = /[\p{L}\p{N}]+/gu;
/** Shortest query word taken as a short form of a participant's first name ("Mel" for "Melanie"). */
const MIN_SHORT_FORM = 3;

/**
 * Who takes part in the chats: every distinct message sender, read from the structural
 * index (one seek per sender), cached until the next commit.
 */
export class ParticipantDirectory {
  #seq = -1;
  #senders: Promise<string[]> | undefined;

  senders(ctx: QueryContext): Promise<string[]> {
    const seq = ctx.storage.lastSeq;
    if (this.#senders === undefined || seq !== this.#seq) {
      this.#seq = seq;
      this.#senders = ctx.indexing.structural.distinctStrings('sender', { limit: 10_000 });
      this.#senders.catch(() => {
        this.#senders = undefined;
      });
    }
    return this.#senders;
  }
}

/**
 * Finds the participants a query names and returns the query without those words.
 * A word names a participant when, lower-cased and without a possessive ("Joanna's"),
 * it equals one of the words of the sender's name, or when it is capitalised, at least
 * three letters long and the start of the sender's first name (a short form: "Mel").
 *
 * @example findParticipants("What did Joanna's brother say?", ['Joanna', 'Nate'])
 * // { text: "What did brother say?", participants: [{ sender: 'Joanna', words: ["Joanna's"] }] }
 */
export function findParticipants(text: string, senders: readonly string[]): { text: string; participants: NamedParticipant[] } {
  if (senders.length === 0) return { text, participants: [] };
  const names = senders.map((sender) => ({ sender, words: (sender.toLowerCase().match(NAME_WORD) ?? []).filter((w) => w.length >= 2) }));
  const found = new Map<string, NamedParticipant>();
  const spans: [number, number][] = [];
  for (const match of text.matchAll(WORD)) {
    const written = match[0];
    const word = written.replace(/['’]s$/iu, '').toLowerCase();
    const capitalised = /^\p{Lu}/u.test(written);
    for (const name of names) {
      const full = name.words.includes(word);
      const short = !full && capitalised && word.length >= MIN_SHORT_FORM && name.words[0] !== undefined && name.words[0].startsWith(word);
      if (!full && !short) continue;
      let entry = found.get(name.sender);
      if (entry === undefined) found.set(name.sender, (entry = { sender: name.sender, words: [] }));
      entry.words.push(written);
      spans.push([match.index, match.index + written.length]);
      break;
    }
  }
  if (spans.length === 0) return { text, participants: [] };
  let rest = '';
  let at = 0;
  for (const [start, end] of spans) {
    rest += `${text.slice(at, start)} `;
    at = end;
  }
  rest += text.slice(at);
  return { text: rest.replace(/\s+/gu, ' ').trim(), participants: [...found.values()] };
}
