export { QueryEngine } from './query-engine.js';
export type { QueryEngineOptions, QueryEngineStatus } from './query-engine.js';
export type { EmbedFunction } from './query-context.js';
export { DEFAULT_LIMITS, DEFAULT_PLANNER } from './options.js';
export type { QueryLimits, PlannerOptions } from './options.js';

export type { ConvergedQuery, GraphFilter, GraphDirection, SemanticQuery, FieldOrder, FusionOptions } from './converged/converged-query.js';
export type { FieldConditions, FieldFilters, Operator } from './converged/field-condition.js';
export { OPERATORS, matchesConditions, matchesFilters } from './converged/field-condition.js';
export { fieldValues, fieldInfo, knownFields } from './converged/field-catalogue.js';
export type { FieldInfo, ValueKind } from './converged/field-catalogue.js';
export { convergedQuerySchema, parseQuery } from './converged/query-schema.js';
export type { ParsedQuery, ParsedOrder } from './converged/query-schema.js';
export type { QueryOptions } from './converged/execute.js';
export type { QueryResult, QueryHit, QueryScores } from './converged/query-result.js';
export type { QueryExplain, ExplainStage } from './converged/explain.js';
export { reciprocalRankFusion } from './converged/fusion.js';
export type { HitExplanation } from './converged/query-result.js';
export { DEFAULT_MIN_SCORE, DEFAULT_NEIGHBOURS, FUSION_WEIGHTS, understandQuery } from './retrieval/search.js';
export type { EmbeddingQuality, SearchOptions, UnderstoodQuery } from './retrieval/search.js';
export { findParticipants, ParticipantDirectory } from './retrieval/participants.js';
export type { NamedParticipant } from './retrieval/participants.js';
export { findDates } from './retrieval/query-dates.js';
export { findEntities } from './retrieval/query-entities.js';
export type { NamedEntity } from './retrieval/query-entities.js';
export type { DateWindow } from './retrieval/query-dates.js';
export type { FusedRank } from './converged/fusion.js';

export type { PathEdge } from './graph/graph-access.js';
export type { GraphPath, ShortestPathOptions } from './graph/shortest-path.js';
export type { Traversal, TraversalStep, TraverseOptions } from './graph/traverse.js';
export type { NeighborNode, NeighborsOptions } from './graph/neighbor-nodes.js';

export type { Page, PageOptions } from './questions/page.js';
export type { ChatMessagesOptions } from './questions/chat-messages.js';
export type { EntityMention, EntityRef, NodesMentioningOptions } from './questions/entity-mentions.js';
export type { RelatedChat, RelatedChatsOptions } from './questions/related-chats.js';
export type { ChatDigest } from './questions/chat-digest.js';
