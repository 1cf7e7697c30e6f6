import type { IndexHook, Storage } from '@tabagent/storage';
import type { DriftReport } from './entry-index.js';
import { GraphIndex } from './graph/graph-index.js';
import { KeywordIndex, type Bm25Options } from './keyword/keyword-index.js';
import { StructuralIndex } from './structural/structural-index.js';

export interface IndexingOptions {
  /** BM25 parameters of the keyword index. */
  bm25?: Bm25Options;
}

export type IndexName = 'structural' | 'graph' | 'keyword';

/** What every hook index offers for maintenance. */
interface MaintainedIndex {
  attach(storage: Storage): void;
  verify(signal?: AbortSignal): Promise<DriftReport>;
  rebuild(signal?: AbortSignal): Promise<number>;
}

/**
 * The structural, graph and keyword indexes of one database. Their hooks must be
 * given to the storage before anything is written:
 *
 * @example
 * const indexing = new Indexing();
 * const storage = await Storage.open(dir, { indexHooks: indexing.hooks });
 * await indexing.attach(storage);          // builds any index that is missing
 * await indexing.structural.lookup('chatId', { eq: chatId });
 */
export class Indexing {
  readonly structural = new StructuralIndex();
  readonly graph = new GraphIndex();
  readonly keyword: KeywordIndex;

  constructor(options: IndexingOptions = {}) {
    this.keyword = new KeywordIndex(options.bm25);
  }

  /** The hooks to pass as `indexHooks` when opening the storage. */
  get hooks(): IndexHook[] {
    return [this.structural, this.graph, this.keyword];
  }

  #all(): [IndexName, MaintainedIndex][] {
    return [
      ['structural', this.structural],
      ['graph', this.graph],
      ['keyword', this.keyword],
    ];
  }

  /**
   * Binds the indexes to an open storage whose `indexHooks` include `hooks`. An index
   * whose key space is empty while the database holds data (an index added later, or
   * lost) is rebuilt first.
   */
  async attach(storage: Storage): Promise<void> {
    for (const [, index] of this.#all()) {
      index.attach(storage);
    }
    for (const [name, index] of this.#all()) {
      const store = storage.indexStore(name);
      const [anyEntry] = await store.keys({ limit: 1 }).all();
      if (anyEntry === undefined && storage.lastSeq > 0) await index.rebuild();
    }
  }

  /** Stops following commits (the graph's in-memory mirror, the keyword statistics). */
  detach(): void {
    this.graph.detach();
    this.keyword.detach();
  }

  /** Compares every index with the data; `ok` is true when nothing drifted. */
  async verify(options: { signal?: AbortSignal; only?: readonly IndexName[] } = {}): Promise<DriftReport[]> {
    const reports: DriftReport[] = [];
    for (const [name, index] of this.#all()) {
      if (options.only && !options.only.includes(name)) continue;
      reports.push(await index.verify(options.signal));
    }
    return reports;
  }

  /** Rebuilds indexes from the data (all, or the named ones); returns entries written per index. */
  async rebuild(options: { signal?: AbortSignal; only?: readonly IndexName[] } = {}): Promise<Record<string, number>> {
    const written: Record<string, number> = {};
    for (const [name, index] of this.#all()) {
      if (options.only && !options.only.includes(name)) continue;
      written[name] = await index.rebuild(options.signal);
    }
    return written;
  }
}
