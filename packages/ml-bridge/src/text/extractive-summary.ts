import { throwIfAborted } from '@tabagent/common';
import { splitSentences } from './sentences.js';
import { dot, normalizeInPlace } from './vector-math.js';

/** Tuning of {@link extractiveSummary}; defaults in {@link EXTRACTIVE_DEFAULTS}. */
export interface ExtractiveOptions {
  /** Relevance vs novelty in maximal marginal relevance: 1 = only centrality. */
  lambda: number;
  /** Sentences considered at most (the most recent ones win: chats grow at the end). */
  maxSentences: number;
}

export const EXTRACTIVE_DEFAULTS: ExtractiveOptions = { lambda: 0.7, maxSentences: 1000 };

/** Embeds a batch of sentences; the provider's own embedder. */
export type SentenceEmbedder = (sentences: readonly string[], signal: AbortSignal | undefined) => Promise<Float32Array[]>;

const SEPARATOR = ' ';

/**
 * Extractive summary: sentences ranked by centrality (similarity to the centroid of
 * all sentences, i.e. degree centrality in the cosine graph), picked with maximal
 * marginal relevance so the summary does not repeat itself, within `maxLength`, and
 * printed in their original order.
 *
 * @example
 * await extractiveSummary(messages, 300, (s) => bridge.embed(s))
 */
export async function extractiveSummary(
  texts: readonly string[],
  maxLength: number,
  embed: SentenceEmbedder,
  signal: AbortSignal | undefined,
  options: ExtractiveOptions = EXTRACTIVE_DEFAULTS,
): Promise<string> {
  let sentences = splitSentences(texts);
  if (sentences.length === 0) return '';
  if (sentences.length > options.maxSentences) sentences = sentences.slice(-options.maxSentences);
  if (sentences.length === 1) return clip((sentences[0] as { text: string }).text, maxLength);

  const vectors = (await embed(sentences.map((s) => s.text), signal)).map((v) => normalizeInPlace(Float32Array.from(v)));
  throwIfAborted(signal);
  const dims = vectors[0]?.length ?? 0;
  const centroid = new Float32Array(dims);
  for (const v of vectors) for (let i = 0; i < dims; i++) centroid[i] = (centroid[i] as number) + (v[i] as number);
  normalizeInPlace(centroid);
  const centrality = vectors.map((v) => dot(v, centroid));

  const chosen: number[] = [];
  const maxSimToChosen = new Float64Array(sentences.length);
  const taken = new Uint8Array(sentences.length);
  let used = 0;
  for (;;) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < sentences.length; i++) {
      if (taken[i]) continue;
      const cost = (sentences[i] as { text: string }).text.length + (chosen.length > 0 ? SEPARATOR.length : 0);
      if (used + cost > maxLength) continue;
      const redundancy = chosen.length > 0 ? (maxSimToChosen[i] as number) : 0;
      // Near-duplicates ("ok", "ok!") add length but no information.
      if (redundancy > 0.95) continue;
      const score = options.lambda * (centrality[i] as number) - (1 - options.lambda) * redundancy;
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    if (best < 0) break;
    taken[best] = 1;
    chosen.push(best);
    used += (sentences[best] as { text: string }).text.length + (chosen.length > 1 ? SEPARATOR.length : 0);
    const bv = vectors[best] as Float32Array;
    for (let i = 0; i < sentences.length; i++) {
      if (!taken[i]) maxSimToChosen[i] = Math.max(maxSimToChosen[i] as number, dot(vectors[i] as Float32Array, bv));
    }
  }

  if (chosen.length === 0) {
    // Every sentence is longer than the budget: shorten the most central one.
    let top = 0;
    for (let i = 1; i < centrality.length; i++) if ((centrality[i] as number) > (centrality[top] as number)) top = i;
    return clip((sentences[top] as { text: string }).text, maxLength);
  }
  chosen.sort((a, b) => a - b);
  return chosen.map((i) => (sentences[i] as { text: string }).text).join(SEPARATOR);
}

/** Shortens text to at most `maxLength`, at a word boundary when there is one, with an ellipsis. */
export function clip(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  if (maxLength <= 1) return text.slice(0, maxLength);
  const room = text.slice(0, maxLength - 1);
  const cut = room.lastIndexOf(' ');
  const head = cut > maxLength / 2 ? room.slice(0, cut) : room;
  // Never leave half a surrogate pair behind.
  const safe = /[\uD800-\uDBFF]$/.test(head) ? head.slice(0, -1) : head;
  return `${safe.trimEnd()}…`;
}
