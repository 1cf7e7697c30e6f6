export { DbError, ErrorCodes, abortChecker, abortedError, throwIfAborted } from './errors/index.js';
export { TopK } from './util/top-k.js';
export type { ErrorCode, DbErrorDetails, DbErrorOptions } from './errors/index.js';
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
} from './ids/index.js';
export { NODE_TYPES, isNodeType } from './schema/node-type.js';
export type { NodeType } from './schema/node-type.js';
export {
  idSchema,
  timestampSchema,
  metadataSchema,
  messageRoleSchema,
  MAX_ID_LENGTH,
} from './schema/fields.js';
export type { MessageRole } from './schema/fields.js';
export {
  NodeSchema,
  NODE_SCHEMAS,
  ChatSchema,
  MessageSchema,
  SummarySchema,
  AttachmentSchema,
  EntitySchema,
  WebSearchSchema,
  ScrapedPageSchema,
  BookmarkSchema,
  ImageMetadataSchema,
  AudioTranscriptSchema,
  ModelInfoSchema,
  ActionOutcomeSchema,
} from './schema/nodes.js';
export type {
  Node,
  NodeOf,
  NewNode,
  NewNodeOf,
  NodePatch,
  Chat,
  Message,
  Summary,
  Attachment,
  Entity,
  WebSearch,
  ScrapedPage,
  Bookmark,
  ImageMetadata,
  AudioTranscript,
  ModelInfo,
  ActionOutcome,
} from './schema/nodes.js';
export { EdgeSchema, EdgeTypes, edgeTypeSchema } from './schema/edge.js';
export type { Edge, NewEdge } from './schema/edge.js';
export { EmbeddingSchema, MAX_EMBEDDING_DIMS, embeddingSpace } from './schema/embedding.js';
export type { Embedding, NewEmbedding } from './schema/embedding.js';
export { validate } from './schema/validate.js';
export { ChangeEventSchema, changeOpSchema, changeEntitySchema } from './events/change-event.js';
export type { ChangeEvent, ChangeOp, ChangeEntity } from './events/change-event.js';
export { buildNode, applyNodePatch, buildEdge, buildEmbedding } from './records/build.js';
export { nodeText, chatIdOf } from './records/node-text.js';
