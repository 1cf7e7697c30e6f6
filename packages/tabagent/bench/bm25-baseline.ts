// A plain full-text baseline for the memory benchmark: BM25 (k1 1.2, b 0.75) over the
// turns alone, with the tokenizer a generic full-text engine uses — lower-cased words,
// an English stop list (`stopword`) and Porter stemming (`stemmer`). It shares no code
// with the product's search, so it stays a fixed yardstick while that changes.
import { stemmer } from 'stemmer';
import { eng } from 'stopword';

const STOP = new Set(eng);

function terms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w)).map((w) => stemmer(w));
}

export class Bm25Baseline {
  readonly #docs: { id: string; tf: Map<string, number>; length: number }[] = [];
  readonly #df = new Map<string, number>();
  #totalLength = 0;

  add(id: string, text: string): void {
    const tf = new Map<string, number>();
    const words = terms(text);
    for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
    for (const w of tf.keys()) this.#df.set(w, (this.#df.get(w) ?? 0) + 1);
    this.#docs.push({ id, tf, length: words.length });
    this.#totalLength += words.length;
  }

  /** Ids of the `limit` best documents for `query`. */
  search(query: string, limit: number): string[] {
    const n = this.#docs.length;
    const average = this.#totalLength / Math.max(1, n);
    const queryTerms = [...new Set(terms(query))];
    const scored: { id: string; score: number }[] = [];
    for (const doc of this.#docs) {
      let score = 0;
      for (const t of queryTerms) {
        const tf = doc.tf.get(t);
        if (tf === undefined) continue;
        const df = this.#df.get(t)!;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * doc.length) / average));
      }
      if (score > 0) scored.push({ id: doc.id, score });
    }
    return scored
      .sort((a, b) => b.score - a.score)
      .slice(0, limit)
      .map((s) => s.id);
  }
}
