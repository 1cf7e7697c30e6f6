import { DbError, nodeText, type Node } from '@tabagent/common';
import type { IndexBatch, RecordChange } from '@tabagent/storage';
import { decodeRecord, encodeRecord } from '@tabagent/storage';
import { EntryIndex, type Entries, type IndexedRecord } from '../entry-index.js';
import { HIGH, lastComponent, SEP } from '../keys/tuple-key.js';
import { termFrequencies, tokenize } from './tokenize.js';

/** BM25 parameters. */
export interface Bm25Options {
  /** Term-frequency saturation (default 1.2). */
  k1?: number;
  /** Length normalisation (default 0.75). */
  b?: number;
}

export interface KeywordSearchOptions {
  /** At most this many results (default 10). */
  limit?: number;
  /** Score only these node ids (e.g. candidates from other indexes). */
  candidates?: ReadonlySet<string>;
  signal?: AbortSignal;
}

export interface KeywordHit {
  nodeId: string;
  score: number;
}

interface Stats {
  docs: number;
  totalLength: number;
}

const STATS_KEY = `~stats`;

/**
 * A persisted BM25 inverted index over the text of every node (`nodeText`): postings
 * `p␀term␀nodeId → [tf, docLength]` plus corpus statistics, all written in the data's
 * batch. Document frequency is the posting count, read while scoring.
 *
 * @example await keyword.search('paris museum', { limit: 10 })
 */
export class KeywordIndex extends EntryIndex {
  readonly name = 'keyword';
  protected readonly covers = { nodes: true, edges: false };
  readonly #k1: number;
  readonly #b: number;

  constructor(options: Bm25Options = {}) {
    super();
    this.#k1 = options.k1 ?? 1.2;
    this.#b = options.b ?? 0.75;
  }

  protected entriesFor(item: IndexedRecord, into: Entries): void {
    const node = item.record as Node;
    const { terms, length } = this.#postings(node);
    for (const [term, tf] of terms) into.set(`p${SEP}${term}${SEP}${node.id}`, encodeRecord([tf, length]));
  }

  /** A node's term frequencies and length in terms (0 terms: not a document). */
  #postings(node: Node | undefined): { terms: Map<string, number>; length: number } {
    if (node === undefined) return { terms: new Map(), length: 0 };
    const terms = termFrequencies(nodeText(node));
    let length = 0;
    for (const tf of terms.values()) length += tf;
    return { terms, length };
  }

  override apply(changes: readonly RecordChange[], batch: IndexBatch): void {
    // Postings diff as in EntryIndex, tokenising each text once, plus the corpus
    // statistics: one read-modify-write per commit (commits are serialised).
    let docs = 0;
    let totalLength = 0;
    for (const change of changes) {
      if (change.entity !== 'node') continue;
      const before = this.#postings(change.before);
      const after = this.#postings(change.after);
      for (const term of before.terms.keys()) if (!after.terms.has(term)) batch.del(`p${SEP}${term}${SEP}${change.id}`);
      for (const [term, tf] of after.terms) {
        if (before.terms.get(term) === tf && before.length === after.length) continue;
        batch.put(`p${SEP}${term}${SEP}${change.id}`, encodeRecord([tf, after.length]));
      }
      if (before.length > 0) {
        docs--;
        totalLength -= before.length;
      }
      if (after.length > 0) {
        docs++;
        totalLength += after.length;
      }
    }
    if (docs === 0 && totalLength === 0) return;
    const stats = this.#stats();
    batch.put(STATS_KEY, encodeRecord([stats.docs + docs, stats.totalLength + totalLength]));
  }

  #stats(): Stats {
    const bytes = this.store.getSync(STATS_KEY);
    if (bytes === undefined) return { docs: 0, totalLength: 0 };
    const [docs, totalLength] = decodeRecord<[number, number]>(bytes, STATS_KEY);
    return { docs, totalLength };
  }

  override async expectedEntries(signal?: AbortSignal): Promise<Entries> {
    const entries = await super.expectedEntries(signal);
    let docs = 0;
    let totalLength = 0;
    const lengths = new Map<string, number>();
    for (const [key, value] of entries) {
      const id = lastComponent(key);
      if (!lengths.has(id)) lengths.set(id, decodeRecord<[number, number]>(value, key)[1]);
    }
    for (const length of lengths.values()) {
      docs++;
      totalLength += length;
    }
    if (docs > 0) entries.set(STATS_KEY, encodeRecord([docs, totalLength]));
    return entries;
  }

  /** The BM25 inverse document frequency used for a term. */
  static idf(docs: number, docFrequency: number): number {
    return Math.log(1 + (docs - docFrequency + 0.5) / (docFrequency + 0.5));
  }

  /** Nodes ranked by BM25 score for a free-text query (highest first, ties by id). */
  async search(query: string, options: KeywordSearchOptions = {}): Promise<KeywordHit[]> {
    if (typeof query !== 'string') throw new DbError('INVALID_ARGUMENT', 'keyword: expected a string', { details: { field: 'keyword' } });
    const limit = options.limit ?? 10;
    const terms = [...new Set(tokenize(query))];
    const stats = this.#stats();
    if (terms.length === 0 || stats.docs === 0) return [];
    const averageLength = stats.totalLength / stats.docs;
    const scores = new Map<string, number>();
    for (const term of terms) {
      if (options.signal?.aborted) throw new DbError('ABORTED', 'keyword search aborted');
      const prefix = `p${SEP}${term}${SEP}`;
      const postings = await this.store.iterator({ gte: prefix, lt: `${prefix}${HIGH}` }).all();
      if (postings.length === 0) continue;
      const idf = KeywordIndex.idf(stats.docs, postings.length);
      for (const [key, value] of postings) {
        const nodeId = key.slice(prefix.length);
        if (options.candidates !== undefined && !options.candidates.has(nodeId)) continue;
        const [tf, length] = decodeRecord<[number, number]>(value, key);
        const score = (idf * tf * (this.#k1 + 1)) / (tf + this.#k1 * (1 - this.#b + (this.#b * length) / averageLength));
        scores.set(nodeId, (scores.get(nodeId) ?? 0) + score);
      }
    }
    return [...scores]
      .map(([nodeId, score]) => ({ nodeId, score }))
      .sort((a, b) => b.score - a.score || (a.nodeId < b.nodeId ? -1 : 1))
      .slice(0, limit);
  }

  /** Statistics: documents indexed and their average length in terms. */
  stats(): { docs: number; averageLength: number } {
    const stats = this.#stats();
    return { docs: stats.docs, averageLength: stats.docs === 0 ? 0 : stats.totalLength / stats.docs };
  }

  /** Terms of a text as this index sees them (for callers that explain matches). */
  terms(text: string): string[] {
    return tokenize(text);
  }
}
