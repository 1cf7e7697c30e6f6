import { EdgeTypes, normaliseLabel } from '@tabagent/common';
import type { QueryContext } from '../query-context.js';

/** An entity a query names: its id and the words that named it. */
export interface NamedEntity {
  id: string;
  words: string;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
/** Longest phrase looked up as an entity label ("New York City"). */
const MAX_PHRASE = 3;

/**
 * Entities the query names: every phrase of one to three capitalised words looked up
 * by label and alias in the structural index — the
 * entities the weaver linked. Lower-case words are not looked up: in a question they are
 * the subject matter, not a name.
 *
 * @example await findEntities(ctx, 'Paris conversations') // [{ id: 'ent_…', words: 'Paris' }]
 */
export async function findEntities(ctx: QueryContext, text: string): Promise<NamedEntity[]> {
  const words = [...text.matchAll(WORD)].map((m) => m[0].replace(/['’]s$/iu, ''));
  const found = new Map<string, NamedEntity>();
  for (let i = 0; i < words.length; i++) {
    if (!/^\p{Lu}/u.test(words[i]!)) continue;
    for (let n = Math.min(MAX_PHRASE, words.length - i); n >= 1; n--) {
      const phrase = words.slice(i, i + n);
      if (!phrase.every((w) => /^[\p{Lu}\p{N}]/u.test(w))) continue;
      const label = normaliseLabel(phrase.join(' '));
      const ids = await ctx.indexing.structural.lookup('label', { eq: label }, { limit: 8 });
      if (ids.length === 0) continue;
      for (const id of ids) if (!found.has(id)) found.set(id, { id, words: phrase.join(' ') });
      i += n - 1;
      break;
    }
  }
  return [...found.values()];
}

/** The graph condition "mentions one of these entities". */
export function mentioning(entities: readonly NamedEntity[]): { start: string[]; direction: 'in'; edgeTypes: string[] } {
  return { start: entities.map((e) => e.id), direction: 'in', edgeTypes: [EdgeTypes.MENTIONS] };
}
