export { Indexing } from './indexing.js';
export { openIndexedStorage } from './open-indexed-storage.js';
export type { IndexedStorage, IndexedStorageOptions } from './open-indexed-storage.js';
export type { IndexingOptions, IndexName } from './indexing.js';
export { StructuralIndex } from './structural/structural-index.js';
export type { FieldCondition, LookupOptions } from './structural/structural-index.js';
export { INDEXED_FIELDS, INDEXED_FIELD_NAMES } from './structural/indexed-fields.js';
export type { IndexedField } from './structural/indexed-fields.js';
export { GraphIndex } from './graph/graph-index.js';
export type { Direction, Neighbor, NeighborOptions } from './graph/graph-index.js';
export { KeywordIndex } from './keyword/keyword-index.js';
export type { Bm25Options, KeywordHit, KeywordSearchOptions } from './keyword/keyword-index.js';
export { tokenize, termFrequencies, TOKENIZER_VERSION } from './keyword/tokenize.js';
export { encodeKeyValue } from './keys/tuple-key.js';
export type { KeyValue } from './keys/tuple-key.js';
export type { DriftReport, RebuildOptions } from './entry-index.js';
export { VectorIndex } from './vector/vector-index.js';
export type {
  VectorIndexStatus,
  VectorReadiness,
  VectorSnapshotInfo,
  VectorReadyInfo,
  VectorIndexStats,
  VectorRebuildResult,
  VectorIndexEvents,
} from './vector/vector-index.js';
export type { VectorDriftReport } from './vector/drift.js';
export type { VectorIndexOptions } from './vector/vector-options.js';
export type { VectorHit } from './vector/vector-math.js';
export { compareHits } from './vector/vector-math.js';
export type { VectorSearch, VectorSearchMode, VectorSearchOptions, VectorSearchResult, ScoreNodesOptions } from './vector/vector-search.js';
export { ExactVectorSearch } from './vector/exact-vector-search.js';
export type { ExactVectorSearchOptions, ExactVectorSearchStatus } from './vector/exact-vector-search.js';
export { HnswVectorSearch } from './vector/hnsw-vector-search.js';
export type { HnswIndex, HnswVectorSearchOptions } from './vector/hnsw-vector-search.js';
export { cosine } from './vector/cosine.js';
export { expansionSearchFor } from './vector/protocol.js';
export type { SpaceInfo as VectorSpaceInfo, HnswParams } from './vector/protocol.js';
