import type { Extension } from '@tabagent/storage';
import type { DriftReport, RebuildOptions } from './entry-index.js';
import { GraphIndex } from './graph/graph-index.js';
import { KeywordIndex, type Bm25Options } from './keyword/keyword-index.js';
import { StructuralIndex } from './structural/structural-index.js';

export interface IndexingOptions {
  /** BM25 parameters of the keyword index. */
  bm25?: Bm25Options;
}

export type IndexName = 'structural' | 'graph' | 'keyword';

/** What every entry index offers for maintenance. */
interface MaintainedIndex {
  verify(options?: { signal?: AbortSignal }): Promise<DriftReport>;
  rebuild(options?: RebuildOptions): Promise<number>;
}

/**
 * The structural, graph and keyword indexes of one database: storage extensions that
 * write their entries in the data's batches. Give them to the storage when it opens
 * (each builds itself if it is missing); the storage closes them.
 *
 * @example
 * const indexing = new Indexing();
 * const storage = await Storage.open(dir, { extensions: indexing.extensions });
 * await indexing.structural.lookup('chatId', { eq: chatId });
 */
export class Indexing {
  readonly structural = new StructuralIndex();
  readonly graph = new GraphIndex();
  readonly keyword: KeywordIndex;

  constructor(options: IndexingOptions = {}) {
    this.keyword = new KeywordIndex(options.bm25);
  }

  /** The extensions to open the storage with, in order. */
  get extensions(): Extension[] {
    return [this.structural, this.graph, this.keyword];
  }

  #all(): [IndexName, MaintainedIndex][] {
    return [
      ['structural', this.structural],
      ['graph', this.graph],
      ['keyword', this.keyword],
    ];
  }

  /** Compares every index with the data; `ok` is true when nothing drifted. */
  async verify(options: { signal?: AbortSignal; only?: readonly IndexName[] } = {}): Promise<DriftReport[]> {
    const reports: DriftReport[] = [];
    for (const [name, index] of this.#all()) {
      if (options.only && !options.only.includes(name)) continue;
      reports.push(await index.verify({ signal: options.signal }));
    }
    return reports;
  }

  /** Rebuilds indexes from the data (all, or the named ones); returns entries written per index. */
  async rebuild(
    options: { signal?: AbortSignal; only?: readonly IndexName[]; onProgress?: (index: IndexName, written: number) => void } = {},
  ): Promise<Record<string, number>> {
    const written: Record<string, number> = {};
    for (const [name, index] of this.#all()) {
      if (options.only && !options.only.includes(name)) continue;
      const onProgress = options.onProgress;
      written[name] = await index.rebuild({ signal: options.signal, ...(onProgress ? { onProgress: (n: number) => onProgress(name, n) } : {}) });
    }
    return written;
  }
}
