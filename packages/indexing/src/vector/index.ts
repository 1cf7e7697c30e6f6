export { VectorIndex } from './vector-index.js';
export type {
  VectorIndexStatus,
  VectorReadiness,
  VectorSearchMode,
  VectorSearchOptions,
  VectorSearchResult,
  ScoreNodesOptions,
  VectorSnapshotInfo,
  VectorReadyInfo,
  VectorIndexStats,
  VectorRebuildResult,
  VectorIndexEvents,
} from './vector-index.js';
export type { VectorDriftReport } from './drift.js';
export type { VectorIndexOptions } from './vector-options.js';
export type { VectorHit } from './vector-math.js';
export { expansionSearchFor } from './protocol.js';
export type { SpaceInfo as VectorSpaceInfo, HnswParams } from './protocol.js';
