import { DbError, type Message, type Node, throwIfAborted } from '@tabagent/common';
import { ExactVectorSearch, HnswVectorSearch, type HnswIndex, type Indexing, type VectorSearch } from '@tabagent/indexing';
import type { Storage } from '@tabagent/storage';
import type { ConvergedQuery } from './converged/converged-query.js';
import { executeQuery, type QueryOptions } from './converged/execute.js';
import type { QueryResult } from './converged/query-result.js';
import { GraphAccess } from './graph/graph-access.js';
import { neighborNodes, type NeighborNode, type NeighborsOptions } from './graph/neighbor-nodes.js';
import { findShortestPath, type GraphPath, type ShortestPathOptions } from './graph/shortest-path.js';
import { checkDepth, traverse, type Traversal, type TraverseOptions } from './graph/traverse.js';
import { resolveLimits, resolvePlanner, type PlannerOptions, type QueryLimits } from './options.js';
import type { EmbedFunction, QueryContext } from './query-context.js';
import { chatDigest, type ChatDigest } from './questions/chat-digest.js';
import { chatMessages, type ChatMessagesOptions } from './questions/chat-messages.js';
import { entitiesMentionedBy, nodesMentioning, type EntityMention, type EntityRef, type NodesMentioningOptions } from './questions/entity-mentions.js';
import { requireId, type Page } from './questions/page.js';
import { relatedChats, type RelatedChat, type RelatedChatsOptions } from './questions/related-chats.js';
import { ParticipantDirectory } from './retrieval/participants.js';
import { searchText, type EmbeddingQuality, type SearchOptions } from './retrieval/search.js';

export interface QueryEngineOptions {
  /** An open storage, opened with `indexing.extensions` among its extensions (see `openIndexedStorage`). */
  storage: Storage;
  /** The indexes open on `storage`. */
  indexing: Indexing;
  /**
   * The HNSW vector index (`VectorIndex` from `@tabagent/indexing`, opened by the
   * caller) for large or unconstrained semantic searches; small candidate sets are
   * scored exactly either way. Without one, those searches scan exactly.
   */
  vectorIndex?: HnswIndex;
  /** A custom vector search instead of the above (for other backends). */
  vectors?: VectorSearch;
  /** Turns `semantic.text` into a vector; a call's own `embed` wins. */
  embed?: EmbedFunction;
  /** Embedding space (model id) for queries that name none; default: the only space stored. */
  defaultModel?: string;
  /** Bounds on request sizes and work per query. */
  limits?: QueryLimits;
  /** Strategy thresholds of the planner. */
  planner?: PlannerOptions;
  /**
   * The embedder's quality as its provider reports it (`MlBridge.info().quality`): sets
   * how {@link QueryEngine.search} weighs meaning against keywords and its relevance
   * floor. Default `semantic`.
   */
  embeddingQuality?: EmbeddingQuality;
}

export type QueryEngineStatus = 'opening' | 'open' | 'closing' | 'closed';

/**
 * The query engine: converged queries (structure ∩ graph ∩ keyword, ranked by meaning),
 * graph paths and traversals, and the everyday questions about chats and entities.
 *
 * @example
 * await using engine = await QueryEngine.open({ storage, indexing, embed });
 * const { hits } = await engine.query({
 *   types: ['Message'],
 *   graph: { start: entityId('LOCATION', 'Paris'), direction: 'in', edgeTypes: ['MENTIONS'] },
 *   semantic: { text: 'Paris conversations' },
 *   limit: 10,
 * });
 */
export class QueryEngine {
  readonly #ctx: QueryContext;
  readonly #ownedVectors: ExactVectorSearch | undefined;
  readonly #quality: EmbeddingQuality;
  readonly #participants = new ParticipantDirectory();
  #status: QueryEngineStatus = 'closed';

  constructor(options: QueryEngineOptions) {
    const { storage, indexing } = options;
    if (storage === undefined || indexing === undefined) {
      throw new DbError('INVALID_ARGUMENT', 'storage and indexing are required', { details: { field: storage === undefined ? 'storage' : 'indexing' } });
    }
    this.#quality = options.embeddingQuality ?? 'semantic';
    // Indexing owns the vectors: the index's graph and exact tier, or (without an index) an exact search of our own.
    this.#ownedVectors = options.vectors === undefined && options.vectorIndex === undefined ? new ExactVectorSearch(storage) : undefined;
    const vectors = options.vectors ?? (options.vectorIndex === undefined ? this.#ownedVectors! : new HnswVectorSearch(options.vectorIndex));
    this.#ctx = {
      storage,
      indexing,
      graph: new GraphAccess(indexing.graph),
      vectors,
      limits: resolveLimits(options.limits),
      planner: resolvePlanner(options.planner),
      defaultModel: options.defaultModel,
      embed: options.embed,
    };
  }

  /** Creates and opens an engine. */
  static async open(options: QueryEngineOptions): Promise<QueryEngine> {
    const engine = new QueryEngine(options);
    await engine.open();
    return engine;
  }

  #closing: Promise<void> | undefined;

  get status(): QueryEngineStatus {
    return this.#status;
  }

  /** Starts the vector search's background load; idempotent. Queries work at once. */
  async open(): Promise<void> {
    if (this.#status === 'open') return;
    if (this.#status === 'closing') throw new DbError('NOT_OPEN', 'query engine is closing');
    this.#status = 'opening';
    await this.#ownedVectors?.open();
    // Starts loading the exact tier now, so the first semantic query rarely waits for it; a failure surfaces on that query.
    this.#ctx.vectors.ready().catch(() => {});
    this.#status = 'open';
  }

  /** Resolves once background loads (graph mirror, the vectors' exact tier) are done. */
  async ready(): Promise<void> {
    await Promise.all([this.#ctx.indexing.graph.ready(), this.#ctx.vectors.ready()]);
  }

  /** Stops background work; the storage and indexes stay open (they are the caller's). */
  close(): Promise<void> {
    if (this.#status === 'closed') return Promise.resolve();
    // A second close waits for the first, so "closed" holds once either resolves.
    this.#closing ??= (async () => {
      this.#status = 'closing';
      await Promise.allSettled([this.#ownedVectors?.close()]);
      this.#status = 'closed';
      this.#closing = undefined;
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #require(): QueryContext {
    if (this.#status !== 'open') throw new DbError('NOT_OPEN', 'query engine is not open');
    if (this.#ctx.storage.status !== 'open') throw new DbError('NOT_OPEN', 'storage is not open');
    return this.#ctx;
  }

  /**
   * Conversation-aware search over text: participants named in the query condition the
   * sender, dates and periods the timestamp (hits meeting them first), the rest is ranked
   * by keyword and meaning fused by the embedder's quality, below a relevance floor.
   *
   * @example
   * const { hits } = await engine.search("What did Joanna's brother say in May 2023?", { limit: 10, explain: true });
   * hits[0]?.why // { participant: 'Joanna', dates: {…}, terms: ['brother'], ranks: { keyword: 1, semantic: 3 } }
   */
  search(text: string, options: SearchOptions = {}, queryOptions: QueryOptions = {}): Promise<QueryResult> {
    return searchText(this.#require(), this.#participants, this.#quality, text, options, queryOptions);
  }

  /** The engine's vector search (the owned exact one unless another was given). */
  get vectors(): VectorSearch {
    return this.#ctx.vectors;
  }

  /**
   * Runs a converged query. See `ConvergedQuery`; invalid queries are
   * `INVALID_ARGUMENT` naming the field, over-broad ones `TOO_LARGE`.
   *
   * @example await engine.query({ filters: { chatId: { eq: chat.id } }, orderBy: { field: 'timestamp' }, limit: 20 })
   */
  async query(query: ConvergedQuery, options: QueryOptions = {}): Promise<QueryResult> {
    return executeQuery(this.#require(), query, options);
  }

  /**
   * The shortest path between two nodes (bidirectional BFS), or undefined when none
   * has at most `maxDepth` edges.
   *
   * @example await engine.findShortestPath(alice, bob, { edgeTypes: ['MENTIONS'], direction: 'both', maxDepth: 4 })
   */
  async findShortestPath(from: string, to: string, options: ShortestPathOptions = {}): Promise<GraphPath | undefined> {
    const ctx = this.#require();
    requireId(from, 'from');
    requireId(to, 'to');
    const maxDepth = checkDepth(options.maxDepth ?? Math.min(6, ctx.limits.maxDepth), ctx.limits.maxDepth, 'maxDepth');
    return findShortestPath(ctx.graph, from, to, {
      edgeTypes: options.edgeTypes,
      maxDepth,
      direction: checkDirection(options.direction ?? 'out'),
      maxVisited: Math.min(options.maxVisited ?? ctx.limits.maxVisited, ctx.limits.maxVisited),
      signal: options.signal,
    });
  }

  /**
   * A node's neighbours with the joining edges.
   *
   * @example await engine.neighbors(messageId, { edgeTypes: ['MENTIONS'], types: ['Entity'] })
   */
  async neighbors(nodeId: string, options: NeighborsOptions = {}): Promise<NeighborNode[]> {
    const ctx = this.#require();
    requireId(nodeId, 'nodeId');
    throwIfAborted(options.signal);
    return neighborNodes(ctx.graph, ctx.storage, nodeId, {
      direction: checkDirection(options.direction ?? 'out'),
      edgeTypes: options.edgeTypes,
      types: options.types,
      limit: options.limit ?? ctx.limits.maxLimit,
    });
  }

  /**
   * Breadth-first traversal up to `depth` hops: each reached node with its depth and
   * the edges that lead to it.
   *
   * @example const { steps } = await engine.traverse(chatId, { depth: 2, direction: 'both' })
   */
  async traverse(start: string, options: TraverseOptions = {}): Promise<Traversal> {
    const ctx = this.#require();
    requireId(start, 'start');
    return traverse(ctx.graph, ctx.storage, start, {
      depth: checkDepth(options.depth ?? Math.min(2, ctx.limits.maxDepth), ctx.limits.maxDepth, 'depth'),
      direction: checkDirection(options.direction ?? 'out'),
      edgeTypes: options.edgeTypes,
      types: options.types,
      maxNodes: Math.min(options.maxNodes ?? ctx.limits.maxVisited, ctx.limits.maxVisited),
      signal: options.signal,
    });
  }

  /**
   * The messages of a chat in order (by timestamp), paged.
   *
   * @example const { items, nextOffset } = await engine.chatMessages(chatId, { limit: 50 })
   */
  async chatMessages(chatId: string, options: ChatMessagesOptions = {}): Promise<Page<Message>> {
    return chatMessages(this.#require(), chatId, options);
  }

  /**
   * The entities a node mentions.
   *
   * @example (await engine.entitiesMentionedBy(messageId)).map((m) => m.entity.label)
   */
  async entitiesMentionedBy(nodeId: string, options: { signal?: AbortSignal } = {}): Promise<EntityMention[]> {
    return entitiesMentionedBy(this.#require(), nodeId, options);
  }

  /**
   * The nodes that mention an entity, newest first, paged.
   *
   * @example await engine.nodesMentioning({ entityType: 'LOCATION', label: 'Paris' })
   */
  async nodesMentioning(entity: EntityRef, options: NodesMentioningOptions = {}): Promise<Page<Node>> {
    return nodesMentioning(this.#require(), entity, options);
  }

  /**
   * Chats related to a chat through shared entities and similarity edges, ranked.
   *
   * @example const [closest] = await engine.relatedChats(chatId, { limit: 5 })
   */
  async relatedChats(chatId: string, options: RelatedChatsOptions = {}): Promise<RelatedChat[]> {
    return relatedChats(this.#require(), chatId, options);
  }

  /**
   * The latest summary and the topic of a chat.
   *
   * @example const { topic, summary } = await engine.chatDigest(chatId)
   */
  async chatDigest(chatId: string, options: { signal?: AbortSignal } = {}): Promise<ChatDigest> {
    return chatDigest(this.#require(), chatId, options);
  }
}

function checkDirection(direction: unknown): 'out' | 'in' | 'both' {
  if (direction !== 'out' && direction !== 'in' && direction !== 'both') {
    throw new DbError('INVALID_ARGUMENT', `direction: expected out, in or both, got ${JSON.stringify(direction)}`, { details: { field: 'direction' } });
  }
  return direction;
}
