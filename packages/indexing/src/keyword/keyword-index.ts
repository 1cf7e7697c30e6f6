import { DbError, nodeText, throwIfAborted, type Node } from '@tabagent/common';
import type { ChangeConsumer, ChangeStretch, Extension, ExtensionBatch, ExtensionContext, RecordChange, Storage, Sublevel } from '@tabagent/storage';
import { decodeRecord, encodeRecord, storageError } from '@tabagent/storage';
import type { DriftReport, RebuildOptions } from '../entry-index.js';
import { HIGH, SEP } from '../keys/tuple-key.js';
import { ConversationOrder, turnChat } from './conversation-order.js';
import { termFrequencies, TOKENIZER_VERSION } from './tokenize.js';

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
  /** Report which query terms each hit contains (for explanations). */
  withTerms?: boolean;
  /**
   * Neighbour context: a message also scores this fraction (0–1) of the best score of
   * the turns next to it in its chat (one before, one after), so a reply is found through
   * the question it answers. Default 0 (plain BM25).
   */
  context?: number;
  signal?: AbortSignal;
}

export interface KeywordHit {
  nodeId: string;
  score: number;
  /** The query's index terms the node contains (with `withTerms`). */
  terms?: string[];
  /** The neighbouring turn whose words added to its score (with `withTerms` and `context`). */
  neighbour?: string;
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

/** A query's scores over the whole index: per document, its score, matched terms and context source. */
interface Scored {
  scores: Map<string, number>;
  matched: Map<string, string[]>;
  via: Map<string, string> | undefined;
}
/** Queries whose scores are memoised (until the next commit). */
const SCORED_CACHE_SIZE = 32;

/** Where a document's postings live: its segment, length and terms. */
type DocEntry = [segment: string, length: number, terms: string[]];
/** A posting block: flat [nodeId, tf, length, nodeId, tf, length, …]. */
type Block = (string | number)[];

const STATS_KEY = '~stats';
const EMPTY = new Uint8Array(0);
/** The tokenizer version the postings were written with. */
const VERSION_KEY = '~tokenizer';
const postingsPrefix = (term: string): string => `p${SEP}${term}${SEP}`;
const blockKey = (term: string, segment: string): string => `${postingsPrefix(term)}${segment}`;
const docKey = (nodeId: string): string => `d${SEP}${nodeId}`;
/** Conversation order: `c␀chatId␀nodeId` for every message (its neighbours are the adjacent keys). */
const turnKey = (chatId: string, nodeId: string): string => `c${SEP}${chatId}${SEP}${nodeId}`;
const TURN_PREFIX = `c${SEP}`;
/** How many turns either side give a message context. */
const CONTEXT_WINDOW = 1;

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
  /** Bumped by every commit and rebuild: memoised scores of an older generation are stale. */
  #generation = 0;
  readonly #scoredCache = new Map<string, { generation: number; scored: Scored }>();
  /** Conversation order, loaded from the `c␀` entries at the first search that needs it. */
  #order: Promise<ConversationOrder> | undefined;

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
    const version = await context.keyspace.get(VERSION_KEY);
    const current = version !== undefined && decodeRecord<number>(version, VERSION_KEY) === TOKENIZER_VERSION;
    // Postings written under other term rules would never match today's query terms: migrate.
    if ((anyEntry === undefined || !current) && context.storage.lastSeq > 0) await this.rebuild();
    else if (!current) await context.keyspace.put(VERSION_KEY, encodeRecord(TOKENIZER_VERSION));
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
      this.#order = undefined;
      this.#generation++;
      return;
    }
    this.#followTurns(stretch.changes);
    if (pending === undefined) return;
    const first = stretch.events[0]?.seq ?? Infinity;
    const last = stretch.events[stretch.events.length - 1]?.seq ?? -Infinity;
    if (pending.seq >= first && pending.seq <= last) {
      this.#committedStats = pending.stats;
      this.#pendingStats = undefined;
    }
  }

  /** Keeps the loaded conversation order in step with a landed commit. */
  #followTurns(changes: readonly RecordChange[]): void {
    if (this.#order === undefined) return;
    const touched = changes.filter((c) => c.entity === 'node' && turnChat(c.before as Node | undefined) !== turnChat(c.after as Node | undefined));
    if (touched.length === 0) return;
    // Chained on the load: applied after it, in commit order, before any later search reads it.
    void this.#order.then((order) => {
      for (const change of touched) {
        const chat = turnChat(change.after as Node | undefined);
        if (chat === undefined) order.remove(change.id);
        else order.add(chat, change.id);
      }
    });
  }

  #conversationOrder(): Promise<ConversationOrder> {
    if (this.#order !== undefined) return this.#order;
    this.#order = (async () => {
      const order = new ConversationOrder();
      for (const key of await this.#store.keys({ gte: TURN_PREFIX, lt: `${TURN_PREFIX}${HIGH}` }).all()) {
        const [, chatId, nodeId] = key.split(SEP) as [string, string, string];
        order.add(chatId, nodeId);
      }
      return order;
    })();
    this.#order.catch(() => {
      this.#order = undefined;
    });
    return this.#order;
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
    this.#generation++;
    const segment = nodeChanges[0]!.seq.toString(16).padStart(14, '0');
    // Final state of every document touched by this commit (undefined: no longer indexed),
    // and which committed documents leave their old segments.
    const current = new Map<string, Doc | undefined>();
    const leaving = new Map<string, DocEntry>();
    let docs = 0;
    let totalLength = 0;
    for (const change of nodeChanges) {
      const chatBefore = turnChat(change.before as Node | undefined);
      const chatAfter = turnChat(change.after as Node | undefined);
      if (chatBefore !== chatAfter) {
        if (chatBefore !== undefined) batch.del(turnKey(chatBefore, change.id));
        if (chatAfter !== undefined) batch.put(turnKey(chatAfter, change.id), EMPTY);
      }
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
    const context = options.context ?? 0;
    if (!(context >= 0 && context <= 1)) throw new DbError('INVALID_ARGUMENT', 'keyword context: expected a weight from 0 to 1', { details: { field: 'context' } });
    const terms = [...termFrequencies(query).keys()];
    const scored = await this.#scored(terms, context, options.signal);
    if (scored === undefined) return [];
    const { scores, matched, via } = scored;
    const hits: KeywordHit[] = [];
    for (const [nodeId, score] of scores) {
      if (options.candidates !== undefined && !options.candidates.has(nodeId)) continue;
      if (options.withTerms !== true) {
        hits.push({ nodeId, score });
        continue;
      }
      const hit: KeywordHit = { nodeId, score, terms: matched.get(nodeId) ?? [] };
      const neighbour = via?.get(nodeId);
      if (neighbour !== undefined) hit.neighbour = neighbour;
      hits.push(hit);
    }
    return hits.sort((a, b) => b.score - a.score || (a.nodeId < b.nodeId ? -1 : 1)).slice(0, limit);
  }

  /**
   * Every matching document's score (with context when asked), unrestricted, memoised
   * until the next commit: a search that runs under several conditions in turn (the
   * query engine's tiers) reads the postings once.
   */
  async #scored(terms: readonly string[], context: number, signal: AbortSignal | undefined): Promise<Scored | undefined> {
    const key = `${context}${SEP}${terms.join(SEP)}`;
    const cached = this.#scoredCache.get(key);
    if (cached !== undefined && cached.generation === this.#generation) return cached.scored;
    const generation = this.#generation;
    const stats = this.#stats();
    if (terms.length === 0 || stats.docs === 0) return undefined;
    const averageLength = stats.totalLength / stats.docs;
    const scores = new Map<string, number>();
    const matched = new Map<string, string[]>();
    for (const term of terms) {
      throwIfAborted(signal, 'keyword search aborted');
      const prefix = postingsPrefix(term);
      const blocks = await this.#store.values({ gte: prefix, lt: `${prefix}${HIGH}` }).all();
      let df = 0;
      const decoded = blocks.map((bytes) => decodeRecord<Block>(bytes, term));
      for (const block of decoded) df += block.length / 3;
      const idf = KeywordIndex.idf(stats.docs, df);
      for (const block of decoded) {
        for (let i = 0; i < block.length; i += 3) {
          const nodeId = block[i] as string;
          const tf = block[i + 1] as number;
          const length = block[i + 2] as number;
          const score = (idf * tf * (this.#k1 + 1)) / (tf + this.#k1 * (1 - this.#b + (this.#b * length) / averageLength));
          scores.set(nodeId, (scores.get(nodeId) ?? 0) + score);
          const list = matched.get(nodeId);
          if (list === undefined) matched.set(nodeId, [term]);
          else if (!list.includes(term)) list.push(term);
        }
      }
    }
    const scored: Scored = { scores, matched, via: context > 0 ? await this.#addContext(scores, context) : undefined };
    // Only what no commit overtook is kept.
    if (generation === this.#generation) {
      if (this.#scoredCache.size >= SCORED_CACHE_SIZE) this.#scoredCache.delete(this.#scoredCache.keys().next().value!);
      this.#scoredCache.set(key, { generation, scored });
    }
    return scored;
  }

  /**
   * Adds to each message `weight` × the best own score of its neighbouring turns; returns
   * which neighbour gave each message its context.
   */
  async #addContext(scores: Map<string, number>, weight: number): Promise<Map<string, string>> {
    const order = await this.#conversationOrder();
    const best = new Map<string, [score: number, from: string]>();
    for (const [nodeId, score] of scores) {
      for (const neighbour of order.neighbours(nodeId, CONTEXT_WINDOW)) {
        const known = best.get(neighbour);
        if (known === undefined || known[0] < score) best.set(neighbour, [score, nodeId]);
      }
    }
    const via = new Map<string, string>();
    for (const [nodeId, [score, from]] of best) {
      scores.set(nodeId, (scores.get(nodeId) ?? 0) + weight * score);
      via.set(nodeId, from);
    }
    return via;
  }

  /** Documents indexed and their average length in terms. */
  stats(): { docs: number; averageLength: number } {
    const stats = this.#stats();
    return { docs: stats.docs, averageLength: stats.docs === 0 ? 0 : stats.totalLength / stats.docs };
  }

  async #expectedDocs(signal?: AbortSignal, turns?: Set<string>): Promise<Map<string, Doc>> {
    const docs = new Map<string, Doc>();
    for await (const nodes of this.#storage!.scanNodes({ signal })) {
      for (const node of nodes) {
        const doc = docOf(node);
        if (doc !== undefined) docs.set(node.id, doc);
        const chat = turnChat(node);
        if (chat !== undefined) turns?.add(turnKey(chat, node.id));
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
      const expectedTurns = new Set<string>();
      const expected = await this.#expectedDocs(signal, expectedTurns);
      const report: DriftReport = { index: this.name, missing: 0, extra: 0, mismatched: 0, examples: [], ok: true };
      const note = (what: string): void => {
        if (report.examples.length < 10) report.examples.push(what);
      };
      // Postings found in blocks: `${term}␀${nodeId}` → [tf, length, segment]
      const found = new Map<string, [number, number, string]>();
      const registry = new Map<string, DocEntry>();
      let stats: [number, number] | undefined;
      const turns = new Set<string>();
      for (const [key, value] of await this.#store.iterator().all()) {
        if (key === STATS_KEY) stats = decodeRecord<[number, number]>(value, key);
        else if (key === VERSION_KEY) continue;
        else if (key.startsWith(TURN_PREFIX)) turns.add(key);
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
      for (const key of expectedTurns) {
        if (!turns.delete(key)) {
          report.missing++;
          note(`turn ${key.split(SEP).slice(1).join(' ')}`);
        }
      }
      report.extra += turns.size;
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
      this.#order = undefined;
      this.#generation++;
      const turns = new Set<string>();
      const expected = await this.#expectedDocs(signal, turns);
      await this.#store.clear();
      const turnKeys = [...turns];
      for (let start = 0; start < turnKeys.length; start += 5_000) {
        await this.#store.batch(turnKeys.slice(start, start + 5_000).map((key) => ({ type: 'put' as const, key, value: EMPTY })));
      }
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
      await this.#store.put(VERSION_KEY, encodeRecord(TOKENIZER_VERSION));
      return entries.length;
    }));
  }
}
