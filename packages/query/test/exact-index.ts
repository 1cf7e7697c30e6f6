import { ExactVectorSearch, type HnswIndex, type VectorSearchOptions, type VectorSearchResult } from '@tabagent/indexing';
import type { Storage } from '@tabagent/storage';

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

  async search(vector: Float32Array, options: VectorSearchOptions): Promise<VectorSearchResult> {
    this.searches++;
    const result = await this.exact.search(vector, options);
    return { ...result, mode: 'hnsw' };
  }

  spaces() {
    return this.exact.models().map((model) => ({ model, dims: this.exact.dims(model)!, count: this.exact.size(model) }));
  }
}
