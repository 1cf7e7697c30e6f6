import { DbError, nodeText, throwIfAborted, type Node } from '@tabagent/common';
import type { ChangeConsumer, ChangeStretch, Extension, ExtensionBatch, ExtensionContext, RecordChange, Storage, Sublevel } from '@tabagent/storage';
import { decodeRecord, encodeRecord, storageError } from '@tabagent/storage';
import type { DriftReport, RebuildOptions } from '../entry-index.js';
import { HIGH, SEP } from '../keys/tuple-key.js';
import { termFrequencies } from './tokenize.js';

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

/** A document as indexed: its terms with frequencies and its length in terms. */
interface Doc {
  terms: Map<string, number>;
  length: number;
}

/** Documents indexed and their total length in terms (BM25's corpus statistics). */
interface CorpusStats {
  docs: number;
  totalLength: number;
}

/** Where a document's postings live: its segment, length and terms. */
type DocEntry = [segment: string, length: number, terms: string[]];
/** A posting block: flat [nodeId, tf, length, nodeId, tf, length, …]. */
type Block = (string | number)[];

const STATS_KEY = '~stats';
const postingsPrefix = (term: string): string => `p${SEP}${term}${SEP}`;
const blockKey = (term: string, segment: string): string => `${postingsPrefix(term)}${segment}`;
const docKey = (nodeId: string): string => `d${SEP}${nodeId}`;

function docOf(node: Node | undefined): Doc | undefined {
  if (node === undefined) return undefined;
  const terms = termFrequencies(nodeText(node));
  if (terms.size === 0) return undefined;
  let length = 0;
  for (const tf of terms.values()) length += tf;
  return { terms, length };
}

/**
 * A persisted BM25 inverted index over the text of every node (`nodeText`).
 *
 * Postings are stored in blocks, one per (term, commit): `p␀term␀segment` holds every
 * document of that commit containing the term, so ingesting a batch of 1,000 messages
 * writes one key per distinct term rather than one per (term, message). `d␀nodeId`
 * records which segment holds a document, so an update or delete rewrites just the
 * blocks that contain it. Corpus statistics live in `~stats`. All of it is written in
 * the data's batch.
 *
 * @example await keyword.search('paris museum', { limit: 10 })
 */
export class KeywordIndex implements Extension {
  readonly name = 'keyword';
  readonly kind = 'derived';
  readonly #k1: number;
  readonly #b: number;
  #storage: Storage | undefined;
  /**
   * Corpus statistics as of the last commit known to have landed, so that a commit does
   * not read `~stats` back. Set only from the commit event of the very changes whose
   * statistics were computed; while a commit is unconfirmed (or failed) they are read.
   */
  #committedStats: CorpusStats | undefined;
  /** Statistics computed by `apply` for the commit ending at `seq`, until that commit is seen. */
  #pendingStats: { seq: number; stats: CorpusStats } | undefined;
  #context: ExtensionContext | undefined;
  #follower: ChangeConsumer | undefined;

  constructor(options: Bm25Options = {}) {
    this.#k1 = options.k1 ?? 1.2;
    this.#b = options.b ?? 0.75;
  }

  /** Called by storage: binds the index to its key space and follows commits (for the statistics); builds it when missing. */
  async open(context: ExtensionContext): Promise<void> {
    this.#context = context;
    this.#storage = context.storage;
    this.#forgetStats();
    this.#follower = context.consume({ handle: (stretch) => this.#confirm(stretch) });
    const [anyEntry] = await context.keyspace.keys({ limit: 1 }).all();
    if (anyEntry === undefined && context.storage.lastSeq > 0) await this.rebuild();
  }

  /** Called by storage before it closes. */
  async close(): Promise<void> {
    await this.#follower?.stop();
    this.#follower = undefined;
    this.#forgetStats();
  }

  /** A commit landed: the statistics computed for it are now the committed ones. */
  #confirm(stretch: ChangeStretch): void {
    const pending = this.#pendingStats;
    if (stretch.changes === undefined) {
      // Read back from the log: what it covers is unknown here, so read the statistics again.
      this.#forgetStats();
      return;
    }
    if (pending === undefined) return;
    const first = stretch.events[0]?.seq ?? Infinity;
    const last = stretch.events[stretch.events.length - 1]?.seq ?? -Infinity;
    if (pending.seq >= first && pending.seq <= last) {
      this.#committedStats = pending.stats;
      this.#pendingStats = undefined;
    }
  }

  #forgetStats(): void {
    this.#committedStats = undefined;
    this.#pendingStats = undefined;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#context === undefined) throw new DbError('NOT_OPEN', 'keyword index is not open');
    // LevelDB's failures (damaged files, a full disk) leave with their codes.
    return this.#context.exclusive(fn).catch((err: unknown) => {
      throw storageError(err, 'keyword index');
    });
  }

  get #store(): Sublevel {
    if (this.#context === undefined) throw new DbError('NOT_OPEN', 'keyword index is not open');
    return this.#context.keyspace;
  }

  apply(changes: readonly RecordChange[], batch: ExtensionBatch): void {
    // Statistics of a commit that failed were never confirmed; the committed ones still hold.
    this.#pendingStats = undefined;
    const nodeChanges = changes.filter((c) => c.entity === 'node');
    if (nodeChanges.length === 0) return;
    const segment = nodeChanges[0]!.seq.toString(16).padStart(14, '0');
    // Final state of every document touched by this commit (undefined: no longer indexed),
    // and which committed documents leave their old segments.
    const current = new Map<string, Doc | undefined>();
    const leaving = new Map<string, DocEntry>();
    let docs = 0;
    let totalLength = 0;
    for (const change of nodeChanges) {
      if (change.before !== undefined && !current.has(change.id)) {
        const bytes = this.#store.getSync(docKey(change.id));
        if (bytes !== undefined) {
          const entry = decodeRecord<DocEntry>(bytes, change.id);
          leaving.set(change.id, entry);
          docs--;
          totalLength -= entry[1];
        }
      } else if (current.get(change.id) !== undefined) {
        docs--;
        totalLength -= current.get(change.id)!.length;
      }
      const doc = docOf(change.after);
      current.set(change.id, doc);
      if (doc !== undefined) {
        docs++;
        totalLength += doc.length;
      }
    }

    // Take leaving documents out of their old blocks, block by block.
    const rewrites = new Map<string, Set<string>>(); // block key → node ids to drop
    for (const [nodeId, [oldSegment, , terms]] of leaving) {
      for (const term of terms) {
        const key = blockKey(term, oldSegment);
        let drop = rewrites.get(key);
        if (drop === undefined) rewrites.set(key, (drop = new Set()));
        drop.add(nodeId);
      }
      if (current.get(nodeId) === undefined) batch.del(docKey(nodeId));
    }
    for (const [key, drop] of rewrites) {
      const bytes = this.#store.getSync(key);
      if (bytes === undefined) continue;
      const block = decodeRecord<Block>(bytes, key);
      const kept: Block = [];
      for (let i = 0; i < block.length; i += 3) if (!drop.has(block[i] as string)) kept.push(block[i]!, block[i + 1]!, block[i + 2]!);
      if (kept.length === 0) batch.del(key);
      else batch.put(key, encodeRecord(kept));
    }

    // Write this commit's documents as one new segment.
    const blocks = new Map<string, Block>();
    for (const [nodeId, doc] of current) {
      if (doc === undefined) continue;
      for (const [term, tf] of doc.terms) {
        let block = blocks.get(term);
        if (block === undefined) blocks.set(term, (block = []));
        block.push(nodeId, tf, doc.length);
      }
      batch.put(docKey(nodeId), encodeRecord([segment, doc.length, [...doc.terms.keys()]] satisfies DocEntry));
    }
    for (const [term, block] of blocks) batch.put(blockKey(term, segment), encodeRecord(block));

    if (docs !== 0 || totalLength !== 0) {
      const stats = this.#committedStats ?? this.#stats();
      const next = { docs: stats.docs + docs, totalLength: stats.totalLength + totalLength };
      batch.put(STATS_KEY, encodeRecord([next.docs, next.totalLength]));
      this.#pendingStats = { seq: changes[changes.length - 1]!.seq, stats: next };
    }
  }

  #stats(): CorpusStats {
    const bytes = this.#store.getSync(STATS_KEY);
    if (bytes === undefined) return { docs: 0, totalLength: 0 };
    const [docs, totalLength] = decodeRecord<[number, number]>(bytes, STATS_KEY);
    return { docs, totalLength };
  }

  /** The BM25 inverse document frequency used for a term. */
  static idf(docs: number, docFrequency: number): number {
    return Math.log(1 + (docs - docFrequency + 0.5) / (docFrequency + 0.5));
  }

  /** Nodes ranked by BM25 score for a free-text query (highest first, ties by id). */
  async search(query: string, options: KeywordSearchOptions = {}): Promise<KeywordHit[]> {
    if (typeof query !== 'string') throw new DbError('INVALID_ARGUMENT', 'keyword: expected a string', { details: { field: 'keyword' } });
    const limit = options.limit ?? 10;
    const terms = [...termFrequencies(query).keys()];
    const stats = this.#stats();
    if (terms.length === 0 || stats.docs === 0) return [];
    const averageLength = stats.totalLength / stats.docs;
    const scores = new Map<string, number>();
    for (const term of terms) {
      throwIfAborted(options.signal, 'keyword search aborted');
      const prefix = postingsPrefix(term);
      const blocks = await this.#store.values({ gte: prefix, lt: `${prefix}${HIGH}` }).all();
      let df = 0;
      const decoded = blocks.map((bytes) => decodeRecord<Block>(bytes, term));
      for (const block of decoded) df += block.length / 3;
      const idf = KeywordIndex.idf(stats.docs, df);
      for (const block of decoded) {
        for (let i = 0; i < block.length; i += 3) {
          const nodeId = block[i] as string;
          if (options.candidates !== undefined && !options.candidates.has(nodeId)) continue;
          const tf = block[i + 1] as number;
          const length = block[i + 2] as number;
          const score = (idf * tf * (this.#k1 + 1)) / (tf + this.#k1 * (1 - this.#b + (this.#b * length) / averageLength));
          scores.set(nodeId, (scores.get(nodeId) ?? 0) + score);
        }
      }
    }
    return [...scores]
      .map(([nodeId, score]) => ({ nodeId, score }))
      .sort((a, b) => b.score - a.score || (a.nodeId < b.nodeId ? -1 : 1))
      .slice(0, limit);
  }

  /** Documents indexed and their average length in terms. */
  stats(): { docs: number; averageLength: number } {
    const stats = this.#stats();
    return { docs: stats.docs, averageLength: stats.docs === 0 ? 0 : stats.totalLength / stats.docs };
  }

  async #expectedDocs(signal?: AbortSignal): Promise<Map<string, Doc>> {
    const docs = new Map<string, Doc>();
    for await (const nodes of this.#storage!.scanNodes({ signal })) {
      for (const node of nodes) {
        const doc = docOf(node);
        if (doc !== undefined) docs.set(node.id, doc);
      }
    }
    return docs;
  }

  /**
   * Compares the index with the data, logically: every document's postings, segment
   * registry and the corpus statistics (block boundaries depend on commit history).
   */
  async verify({ signal }: { signal?: AbortSignal } = {}): Promise<DriftReport> {
    return this.#exclusive(async () => {
      const expected = await this.#expectedDocs(signal);
      const report: DriftReport = { index: this.name, missing: 0, extra: 0, mismatched: 0, examples: [], ok: true };
      const note = (what: string): void => {
        if (report.examples.length < 10) report.examples.push(what);
      };
      // Postings found in blocks: `${term}␀${nodeId}` → [tf, length, segment]
      const found = new Map<string, [number, number, string]>();
      const registry = new Map<string, DocEntry>();
      let stats: [number, number] | undefined;
      for (const [key, value] of await this.#store.iterator().all()) {
        if (key === STATS_KEY) stats = decodeRecord<[number, number]>(value, key);
        else if (key.startsWith(`d${SEP}`)) registry.set(key.slice(2), decodeRecord<DocEntry>(value, key));
        else if (key.startsWith(`p${SEP}`)) {
          const [, term, segment] = key.split(SEP) as [string, string, string];
          const block = decodeRecord<Block>(value, key);
          for (let i = 0; i < block.length; i += 3) found.set(`${term}${SEP}${block[i]}`, [block[i + 1] as number, block[i + 2] as number, segment]);
        } else {
          report.extra++;
          note(key);
        }
      }
      let docs = 0;
      let totalLength = 0;
      for (const [nodeId, doc] of expected) {
        docs++;
        totalLength += doc.length;
        const entry = registry.get(nodeId);
        registry.delete(nodeId);
        if (entry === undefined) {
          report.missing++;
          note(`d ${nodeId}`);
        }
        for (const [term, tf] of doc.terms) {
          const posting = found.get(`${term}${SEP}${nodeId}`);
          found.delete(`${term}${SEP}${nodeId}`);
          if (posting === undefined) {
            report.missing++;
            note(`p ${term} ${nodeId}`);
          } else if (posting[0] !== tf || posting[1] !== doc.length || (entry !== undefined && entry[0] !== posting[2])) {
            report.mismatched++;
            note(`p ${term} ${nodeId}`);
          }
        }
      }
      report.extra += found.size + registry.size;
      for (const key of [...found.keys(), ...registry.keys()].slice(0, 5)) note(`extra ${key}`);
      const [statDocs, statLength] = stats ?? [0, 0];
      if (statDocs !== docs || statLength !== totalLength) {
        report.mismatched++;
        note(STATS_KEY);
      }
      report.ok = report.missing === 0 && report.extra === 0 && report.mismatched === 0;
      return report;
    });
  }

  /** Rebuilds the index from the data with writes paused; returns the documents indexed. */
  async rebuild({ signal, onProgress }: RebuildOptions = {}): Promise<number> {
    return this.#exclusive(() => this.#context!.rebuilding(async () => {
      this.#forgetStats();
      const expected = await this.#expectedDocs(signal);
      await this.#store.clear();
      const entries = [...expected];
      let totalLength = 0;
      for (let start = 0, chunk = 0; start < entries.length; start += 1_000, chunk++) {
        const segment = `rebuild-${chunk.toString().padStart(8, '0')}`;
        const ops: { type: 'put'; key: string; value: Uint8Array }[] = [];
        const blocks = new Map<string, Block>();
        for (const [nodeId, doc] of entries.slice(start, start + 1_000)) {
          totalLength += doc.length;
          for (const [term, tf] of doc.terms) {
            let block = blocks.get(term);
            if (block === undefined) blocks.set(term, (block = []));
            block.push(nodeId, tf, doc.length);
          }
          ops.push({ type: 'put', key: docKey(nodeId), value: encodeRecord([segment, doc.length, [...doc.terms.keys()]]) });
        }
        for (const [term, block] of blocks) ops.push({ type: 'put', key: blockKey(term, segment), value: encodeRecord(block) });
        await this.#store.batch(ops);
        onProgress?.(Math.min(entries.length, start + 1_000));
      }
      if (entries.length > 0) await this.#store.put(STATS_KEY, encodeRecord([entries.length, totalLength]));
      return entries.length;
    }));
  }
}
