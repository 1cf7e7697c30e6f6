export {
  ID_PREFIXES,
  EDGE_ID_PREFIX,
  EMBEDDING_ID_PREFIX,
  newNodeId,
  newEdgeId,
  newEmbeddingId,
  normaliseLabel,
  entityId,
  deterministicEdgeId,
  stableDigest,
  nodeTypeOfId,
  recordKindOfId,
} from './ids.js';
