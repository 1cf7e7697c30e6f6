import type { Storage } from '@tabagent/storage';
import { ExactVectorSearch, type HnswIndex, type VectorHit } from '../src/index.js';

/**
 * A small real `HnswIndex`: exact search behind the HNSW adapter's interface, so tests
 * can drive the planner's filtered-search path (oversampling, widening) and get
 * deterministic answers. The real usearch index is tested where it is exported.
 */
export class ExactIndex implements HnswIndex {
  readonly exact: ExactVectorSearch;
  searches = 0;

  constructor(storage: Storage) {
    this.exact = new ExactVectorSearch(storage);
  }

  async open(): Promise<this> {
    await this.exact.open();
    await this.exact.ready();
    return this;
  }

  async search(vector: Float32Array, options: { model: string; k?: number; filter?: (nodeId: string) => boolean; signal?: AbortSignal }) {
    this.searches++;
    const { results, waitedMs } = await this.exact.search(vector, { k: options.k ?? 10, model: options.model, filter: options.filter, signal: options.signal });
    return { results, mode: 'hnsw' as const, waitedMs };
  }

  scoreNodes(vector: Float32Array, nodeIds: Iterable<string>, options: { model: string; signal?: AbortSignal }): Promise<VectorHit[]> {
    return this.exact.scoreNodes(vector, [...nodeIds], options);
  }

  spaces() {
    return this.exact.models().map((model) => ({ model, dims: this.exact.dims(model)!, count: this.exact.size(model) }));
  }
}
