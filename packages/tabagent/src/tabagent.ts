import {
  DbError,
  nodeTypeOfId,
  type ChangeEvent,
  type Chat as ChatNode,
  type Edge,
  type Embedding,
  type Message,
  type NewEdge,
  type Summary,
  type NewNode,
  type NewNodeOf,
  type Node,
  type NodePatch,
  type NewEmbedding,
  type NodeType,
  NODE_TYPES,
} from '@tabagent/common';
import { withFields } from '@tabagent/common/runtime';
import type { Readable, Writable } from 'node:stream';
import { openIndexedStorage, type Indexing, type VectorIndex, type DriftReport, type VectorDriftReport, type VectorIndexStats } from '@tabagent/indexing';
import { createMlBridge, createWorkerMlBridge, type MlBridge, type MlBridgeConfig } from '@tabagent/ml-bridge';
import { ModelCache } from '@tabagent/model-cache';
import {
  QueryEngine,
  type ChatDigest,
  type ChatMessagesOptions,
  type ConvergedQuery,
  type RelatedChat,
  type RelatedChatsOptions,
  type EntityMention,
  type EntityRef,
  type GraphPath,
  type NodesMentioningOptions,
  type Page,
  type QueryOptions,
  type QueryResult,
  type SearchOptions as EngineSearchOptions,
  type ShortestPathOptions,
} from '@tabagent/query';
import {
  backupStorage,
  exportJsonl,
  importJsonl,
  repairStorage,
  Storage,
  type RepairReport,
  type StorageIncident,
  type BackupManifest,
  type BackupOptions,
  type ExportOptions,
  type ImportOptions,
  type ImportResult,
  type InsertOptions,
  type StorageStats,
} from '@tabagent/storage';
import { TaskScheduler, type ActivityLevel } from '@tabagent/task-scheduler';
import { Weaver, type DeadLetter, type WeaverStats } from '@tabagent/weaver';
import { Chat, type AddMessageInput } from './chat.js';
import { matchesEventFilter, type EventFilter, type TabAgentEvent } from './events.js';
import { mlHealthWithin, type HealthOptions, type TabAgentHealth } from './health.js';
import { renameField } from './field-names.js';
import { inferenceOf, type MlInference } from './inference.js';
import { isMlBridge, resolveTabAgentOptions, type TabAgentOptions } from './options.js';

export type TabAgentStatus = 'opening' | 'open' | 'closing' | 'closed';

/** What {@link TabAgent.createChat} takes. */
export type CreateChatInput = Omit<NewNodeOf<'Chat'>, 'type'>;

/**
 * Options of {@link TabAgent.search}: the engine's search options (kinds, chat, paging,
 * mode, threshold, `minScore`, participants, dates, `asOf`, explain) and a call's own
 * signal and timeout.
 */
export interface SearchOptions extends QueryOptions, EngineSearchOptions {}

/** A snapshot of every component's state. */
export interface TabAgentStats {
  status: TabAgentStatus;
  location: string;
  storage: { status: string; lastSeq: number };
  vectors: ReturnType<VectorIndex['stats']>;
  scheduler: ReturnType<TaskScheduler['stats']> & { activityLevel: ActivityLevel };
  ml: ReturnType<MlBridge['info']> & { status: string };
  weaver: WeaverStats | undefined;
}

/**
 * TabAgent DB, embedded: opens one database directory and composes storage, the
 * indexes, the query engine, the task scheduler, the ML provider and the Knowledge
 * Weaver, and closes them in order.
 *
 * @example
 * await using db = await TabAgent.open('./my-db');
 * const chat = await db.createChat({ title: 'Trip' });
 * await chat.addMessage({ sender: 'alice', role: 'user', content: 'Alice met Bob in Paris' });
 * const { hits } = await db.search('paris trip');
 */
export class TabAgent {
  readonly location: string;
  readonly #storage: Storage;
  readonly #indexing: Indexing;
  readonly #vectors: VectorIndex;
  readonly #queryEngine: QueryEngine;
  readonly #scheduler: TaskScheduler;
  readonly #ml: MlBridge;
  /** Undefined when opened with `weaver: false`. */
  readonly #weaver: Weaver | undefined;
  readonly #ownsMl: boolean;
  readonly #inference: MlInference;
  #status: TabAgentStatus = 'open';
  #closing: Promise<void> | undefined;
  readonly #subscriptions = new Set<() => void>();

  private constructor(parts: {
    location: string;
    storage: Storage;
    indexing: Indexing;
    vectors: VectorIndex;
    queryEngine: QueryEngine;
    scheduler: TaskScheduler;
    ml: MlBridge;
    ownsMl: boolean;
    weaver: Weaver | undefined;
  }) {
    this.location = parts.location;
    this.#storage = parts.storage;
    this.#indexing = parts.indexing;
    this.#vectors = parts.vectors;
    this.#queryEngine = parts.queryEngine;
    this.#scheduler = parts.scheduler;
    this.#ml = parts.ml;
    this.#inference = inferenceOf(parts.ml);
    this.#ownsMl = parts.ownsMl;
    this.#weaver = parts.weaver;
  }

  /**
   * Opens (or creates) the database in `location`. Returns once every component is
   * usable; the vector index finishes loading in the background (searches before that
   * are answered exactly). If a component fails to open, the ones already open are closed.
   */
  static async open(location: string, options: TabAgentOptions = {}): Promise<TabAgent> {
    if (typeof location !== 'string' || location === '') {
      throw new DbError('INVALID_ARGUMENT', 'location must be a non-empty directory path', { details: { field: 'location' } });
    }
    const resolved = resolveTabAgentOptions(options);
    const opened: { close(): Promise<void> | void }[] = [];
    // Starting an ML worker takes about a second: let it start while storage and the indexes open.
    const ownsMl = !isMlBridge(resolved.ml);
    const mlReady = isMlBridge(resolved.ml)
      ? Promise.resolve(resolved.ml)
      : openMl(resolved.ml, resolved.mlInWorker, resolved.modelDir, resolved.logger);
    mlReady.catch(() => {});
    try {
      // Storage with its extensions in order: structural, graph, keyword, vectors (the weaver's state joins last).
      const { storage, indexing, vectors: openedVectors } = await openIndexedStorage(location, {
        storage: {
          ...resolved.storage,
          // Data found lost, interrupted rebuilds finished, a full disk: never silent.
          onWarning: (warning) => {
            resolved.logger?.warn(warning.message, { code: warning.code });
            resolved.storage.onWarning?.(warning);
          },
        },
        vectors: resolved.vector,
      });
      const vectors = openedVectors!;
      opened.push(storage);
      const scheduler = new TaskScheduler(resolved.scheduler);
      opened.push(scheduler);
      const ml = await mlReady;
      if (ownsMl) opened.push(ml);
      const queryEngine = await QueryEngine.open({
        storage,
        indexing,
        vectorIndex: vectors,
        embed: async (text, { signal }) => (await ml.embed([text], signal ? { signal } : {}))[0]!,
        defaultModel: ml.info().embedding.model,
        embeddingQuality: ml.info().quality,
        ...resolved.query,
      });
      opened.push(queryEngine);
      const weaver = resolved.weaver === false ? undefined : await Weaver.open({ ...resolved.weaver, storage, vectors, scheduler, ml });
      return new TabAgent({ location, storage, indexing, vectors, queryEngine, scheduler, ml, ownsMl, weaver });
    } catch (err) {
      if (ownsMl) {
        const ml = await mlReady.catch(() => undefined);
        if (ml !== undefined && !opened.includes(ml)) opened.push(ml);
      }
      for (const part of opened.reverse()) await Promise.resolve(part.close()).catch(() => {});
      throw DbError.from(err);
    }
  }

  get status(): TabAgentStatus {
    return this.#status;
  }

  #requireOpen(): void {
    if (this.#status !== 'open') throw new DbError('NOT_OPEN', `database is ${this.#status}`);
  }

  // ── chats ────────────────────────────────────────────────────────────────

  /** Creates a chat and returns it as an active record. */
  async createChat(input: CreateChatInput): Promise<Chat> {
    this.#requireOpen();
    if (input === null || typeof input !== 'object') throw new DbError('INVALID_ARGUMENT', 'chat must be an object', { details: { field: 'chat' } });
    try {
      const node = (await this.#storage.insertNode(withFields(input, { type: 'Chat' }) as NewNode)) as ChatNode;
      return new Chat(this, node);
    } catch (err) {
      throw renameField(err, /^ops\.0\./u, '');
    }
  }

  /**
   * Appends a message to the chat with this id, without reading the chat first: the
   * write itself checks that the chat exists (`NOT_FOUND`), so this is one LevelDB
   * round trip where `(await db.chat(id)).addMessage()` is two.
   */
  async addMessage(chatId: string, input: AddMessageInput): Promise<Message> {
    this.#requireOpen();
    if (typeof chatId !== 'string' || nodeTypeOfId(chatId) !== 'Chat') {
      throw new DbError('INVALID_ARGUMENT', `${JSON.stringify(chatId)} is not a chat id`, { details: { field: 'chatId', id: chatId } });
    }
    if (input === null || typeof input !== 'object') throw new DbError('INVALID_ARGUMENT', 'message must be an object', { details: { field: 'message' } });
    try {
      // The seed's shape, `{ content }` alone, is a user's message.
      const role = input.role ?? 'user';
      return (await this.#storage.insertNode(withFields(input, { type: 'Message', chatId, role, sender: input.sender ?? role }) as NewNode)) as Message;
    } catch (err) {
      if (DbError.is(err) && err.code === 'NOT_FOUND' && err.details.id === chatId) {
        throw new DbError('NOT_FOUND', `chat ${chatId} does not exist`, { details: { field: 'chatId', id: chatId } });
      }
      throw renameField(err, /^ops\.0\./u, '');
    }
  }

  /** The chat with this id (`NOT_FOUND` when there is none, `INVALID_ARGUMENT` when it is not a chat). */
  async chat(id: string): Promise<Chat> {
    this.#requireOpen();
    const node = await this.#storage.getNode(id);
    if (node.type !== 'Chat') throw new DbError('INVALID_ARGUMENT', `${id} is a ${node.type}, not a Chat`, { details: { field: 'id', id } });
    return new Chat(this, node);
  }

  /** Chats, newest first, paged. */
  async chats(options: { limit?: number; offset?: number } = {}): Promise<Page<Chat>> {
    this.#requireOpen();
    const limit = options.limit ?? 50;
    const offset = options.offset ?? 0;
    const { hits, total } = await this.#queryEngine.query({ types: ['Chat'], orderBy: { field: 'createdAt', direction: 'desc' }, limit, offset });
    const page: Page<Chat> = { items: hits.map((hit) => new Chat(this, hit.node as ChatNode)), total: total ?? hits.length };
    if (total !== undefined && offset + hits.length < total) page.nextOffset = offset + hits.length;
    return page;
  }

  /** Messages of a chat in conversation order, paged (default 50 per page). */
  chatMessages(chatId: string, options: ChatMessagesOptions = {}): Promise<Page<Message>> {
    this.#requireOpen();
    return this.#queryEngine.chatMessages(chatId, options);
  }

  /** Summaries of a chat, newest first (at most `limit`, default 100). */
  async chatSummaries(chatId: string, options: { limit?: number } = {}): Promise<Summary[]> {
    this.#requireOpen();
    const { hits } = await this.#queryEngine.query({
      types: ['Summary'],
      filters: { chatId: { eq: chatId } },
      orderBy: { field: 'createdAt', direction: 'desc' },
      limit: options.limit ?? 100,
    });
    return hits.map((hit) => hit.node as Summary);
  }

  /** Chats related to a chat through shared entities and similarity edges, best first. */
  relatedChats(chatId: string, options: RelatedChatsOptions = {}): Promise<RelatedChat[]> {
    this.#requireOpen();
    return this.#queryEngine.relatedChats(chatId, options);
  }

  /** A chat's latest summary and topic. */
  chatDigest(chatId: string): Promise<ChatDigest> {
    this.#requireOpen();
    return this.#queryEngine.chatDigest(chatId);
  }

  // ── nodes, edges, embeddings ───────────────────────────────────────────────

  /**
   * Inserts nodes of any kind in one atomic batch. A batch entry's error names it
   * `nodes.N` (e.g. `details.field === 'nodes.3.content'`).
   *
   * @example
   * await db.insertNodes([{ type: 'Bookmark', url: 'https://example.org', title: 'Example' }], { ifExists: 'ignore' });
   */
  async insertNodes(nodes: readonly NewNode[], options: InsertOptions = {}): Promise<Node[]> {
    this.#requireOpen();
    try {
      return await this.#storage.insertNodes(nodes, options);
    } catch (err) {
      throw renameField(err, /^ops(?=\.|$)/u, 'nodes');
    }
  }

  /** How many nodes of this kind there are (every kind when omitted). */
  async countNodes(type?: NodeType): Promise<number> {
    this.#requireOpen();
    if (type !== undefined) return this.#storage.countNodes(type);
    let total = 0;
    for (const t of NODE_TYPES) total += await this.#storage.countNodes(t);
    return total;
  }

  /** The sequence number of the last committed change. */
  get lastSeq(): number {
    this.#requireOpen();
    return this.#storage.lastSeq;
  }

  /** Inserts one node; an invalid field is named as in the node (`content`). */
  async insertNode(node: NewNode, options: InsertOptions = {}): Promise<Node> {
    this.#requireOpen();
    try {
      return await this.#storage.insertNode(node, options);
    } catch (err) {
      throw renameField(err, /^ops\.0\./u, '');
    }
  }

  getNode(id: string): Promise<Node> {
    this.#requireOpen();
    return this.#storage.getNode(id);
  }

  getNodes(ids: readonly string[]): Promise<(Node | undefined)[]> {
    this.#requireOpen();
    return this.#storage.getNodes(ids);
  }

  /** Applies a partial patch (`null` removes an optional field); an invalid field is named `patch.<field>`, as in an `{ id, patch }` call. */
  async updateNode<T extends NodeType>(id: string, patch: NodePatch<T> | Record<string, unknown>): Promise<Node> {
    this.#requireOpen();
    try {
      return await this.#storage.updateNode(id, patch);
    } catch (err) {
      throw renameField(err, /^ops\.0\./u, '');
    }
  }

  /** Deletes a node with its edges and embeddings; the weaver cleans up what it derived. */
  deleteNode(id: string): Promise<void> {
    this.#requireOpen();
    return this.#storage.deleteNode(id);
  }

  /** Inserts one edge; an invalid field is named as in the edge (`sourceId`). */
  async insertEdge(edge: NewEdge, options: InsertOptions = {}): Promise<Edge> {
    this.#requireOpen();
    try {
      return await this.#storage.insertEdge(edge, options);
    } catch (err) {
      throw renameField(err, /^ops\.0\./u, '');
    }
  }

  getEdge(id: string): Promise<Edge> {
    this.#requireOpen();
    return this.#storage.getEdge(id);
  }

  deleteEdge(id: string): Promise<void> {
    this.#requireOpen();
    return this.#storage.deleteEdge(id);
  }

  /** Edges from or to a node. */
  edgesOf(nodeId: string): Promise<Edge[]> {
    this.#requireOpen();
    return this.#storage.edgesOf(nodeId);
  }

  /**
   * Stores vectors for nodes (replacing one of the same node and model); the vector
   * index picks them up. A batch entry's error names it `embeddings.N`.
   *
   * @example
   * const [vector] = await db.inference.embed([message.content]);
   * await db.putEmbeddings([{ nodeId: message.id, model: db.inference.info().embedding.model, vector: new Float32Array(vector!) }]);
   */
  async putEmbeddings(embeddings: readonly NewEmbedding[]): Promise<Embedding[]> {
    this.#requireOpen();
    try {
      return await this.#storage.putEmbeddings(embeddings);
    } catch (err) {
      throw renameField(err, /^ops(?=\.|$)/u, 'embeddings');
    }
  }

  /** The node's embedding in the active model's space (else any), or undefined. */
  async embeddingFor(nodeId: string): Promise<Embedding | undefined> {
    this.#requireOpen();
    const embeddings = await this.#storage.embeddingsOf(nodeId);
    const model = this.#ml.info().embedding.model;
    return embeddings.find((e) => e.model === model) ?? embeddings[0];
  }

  // ── queries ───────────────────────────────────────────────────────────────

  /** A converged query (filters → graph → keyword/semantic ranking); `semantic.text` is embedded by the active provider. */
  query(query: ConvergedQuery, options: QueryOptions = {}): Promise<QueryResult> {
    this.#requireOpen();
    return this.#queryEngine.query(query, options);
  }

  /**
   * Searches by keyword and meaning at once, embedding the text with the active ML
   * provider. Participants named in the text ("What did Joanna say…") and dates or
   * periods ("in May 2023", "last week") are read as conditions on sender and time (hits
   * meeting them first); keyword and meaning are fused by the provider's reported quality;
   * hits sharing no word with the query and below `minScore` similarity are dropped.
   * With `explain`, each hit says why it matched (`hit.why`).
   *
   * @example
   * const { hits } = await db.search('What did Joanna write last week?', { limit: 5, explain: true });
   */
  search(text: string, options: SearchOptions = {}): Promise<QueryResult> {
    this.#requireOpen();
    // Bad input fails at the call, not as a rejection, like every other facade method.
    if (typeof text !== 'string' || text.trim() === '') {
      throw new DbError('INVALID_ARGUMENT', 'search text must be a non-empty string', { details: { field: 'text' } });
    }
    const { signal, timeoutMs, embed, ...searchOptions } = options;
    const queryOptions: QueryOptions = {};
    if (signal !== undefined) queryOptions.signal = signal;
    if (timeoutMs !== undefined) queryOptions.timeoutMs = timeoutMs;
    if (embed !== undefined) queryOptions.embed = embed;
    return this.#queryEngine.search(text, searchOptions, queryOptions);
  }

  /** Shortest path between two nodes (bidirectional BFS), or undefined. */
  findShortestPath(from: string, to: string, options: ShortestPathOptions = {}): Promise<GraphPath | undefined> {
    this.#requireOpen();
    return this.#queryEngine.findShortestPath(from, to, options);
  }

  /** Entities a node mentions, most confident first. */
  entitiesMentionedIn(nodeId: string): Promise<EntityMention[]> {
    this.#requireOpen();
    return this.#queryEngine.entitiesMentionedBy(nodeId);
  }

  /** Nodes mentioning an entity (by id or by type and label), newest first. */
  nodesMentioning(entity: EntityRef, options: NodesMentioningOptions = {}): Promise<Page<Node>> {
    this.#requireOpen();
    return this.#queryEngine.nodesMentioning(entity, options);
  }

  /** The vector index's state: readiness, vectors held, lag behind the change log. */
  vectorStats(): VectorIndexStats {
    this.#requireOpen();
    return this.#vectors.stats();
  }

  /**
   * Resolves when the vector index has loaded (searches before that are answered exactly).
   * `TIMEOUT` after `timeoutMs`, `ABORTED` when `signal` aborts.
   */
  whenVectorsReady(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    this.#requireOpen();
    return this.#vectors.whenReady(options);
  }

  // ── ML ────────────────────────────────────────────────────────────────────

  /**
   * The active ML provider's inference calls (embed, extract entities, summarize, info,
   * health). The database owns the provider: the view has no `close()`.
   *
   * @example
   * const model = db.inference.info().embedding.model;
   */
  get inference(): MlInference {
    return this.#inference;
  }

  // ── activity and the weaver ───────────────────────────────────────────────

  /** Says the user is active now (background work steps aside; it decays by itself). */
  reportActivity(): void {
    this.#requireOpen();
    this.#scheduler.reportActivity();
  }

  /** Sets the activity level: `high` (chatting), `low`, `sleep` (idle). */
  setActivityLevel(level: ActivityLevel): void {
    this.#requireOpen();
    this.#scheduler.setActivityLevel(level);
  }

  get activityLevel(): ActivityLevel {
    return this.#scheduler.activityLevel;
  }

  /** False when the database was opened with `weaver: false`. */
  get weaverEnabled(): boolean {
    return this.#weaver !== undefined;
  }

  /**
   * Work the weaver gave up on after every retry, oldest first (`UNSUPPORTED` without a weaver).
   *
   * @example
   * for (const letter of await db.deadLetters({ limit: 10 })) console.log(letter.id, letter.error.code);
   */
  deadLetters(options: { limit?: number } = {}): Promise<DeadLetter[]> {
    return this.#requireWeaver().deadLetters.list(options);
  }

  /** Queues dead letters again (all when `ids` is omitted); returns how many were queued. */
  retryDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#requireWeaver().deadLetters.retry(ids);
  }

  /** Deletes dead letters (all when `ids` is omitted); returns how many were deleted. */
  purgeDeadLetters(ids?: readonly string[]): Promise<number> {
    return this.#requireWeaver().deadLetters.purge(ids);
  }

  #requireWeaver(): Weaver {
    this.#requireOpen();
    if (this.#weaver === undefined) throw new DbError('UNSUPPORTED', 'the weaver is not running (the database was opened without background enrichment)');
    return this.#weaver;
  }

  /** The weaver's progress, or undefined without one. */
  weaverStatus(): WeaverStats | undefined {
    return this.#weaver?.stats();
  }

  /** Resolves when the weaver has enriched everything written so far. */
  async whenEnriched(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    this.#requireOpen();
    await this.#weaver?.whenIdle(options);
  }

  /**
   * Calls `listener` for every committed change and every finished enrichment that
   * passes `filter`, until the returned function is called (or the database closes).
   * Listeners run synchronously on commit: a transport must queue, not block.
   *
   * @example
   * const stop = db.subscribe((e) => ws.send(JSON.stringify(e)), { chatId });
   */
  subscribe(listener: (event: TabAgentEvent) => void, filter: EventFilter = {}): () => void {
    this.#requireOpen();
    const onChange = (change: ChangeEvent): void => {
      const event: TabAgentEvent = { kind: 'change', seq: change.seq, change };
      if (matchesEventFilter(event, filter)) listener(event);
    };
    const onEnriched = (info: { nodeId: string; module: string; chatId?: string; kind?: string }): void => {
      const event: TabAgentEvent = { kind: 'enriched', nodeId: info.nodeId, module: info.module, at: Date.now() };
      if (info.chatId !== undefined) event.chatId = info.chatId;
      if (info.kind !== undefined) event.nodeKind = info.kind;
      if (matchesEventFilter(event, filter)) listener(event);
    };
    this.#storage.on('change', onChange);
    this.#weaver?.on('enriched', onEnriched);
    const stop = (): void => {
      this.#storage.off('change', onChange);
      this.#weaver?.off('enriched', onEnriched);
    };
    this.#subscriptions.add(stop);
    return () => {
      this.#subscriptions.delete(stop);
      stop();
    };
  }

  /** How many {@link subscribe} listeners are active (a transport's leak check). */
  get subscriberCount(): number {
    return this.#subscriptions.size;
  }

  // ── maintenance ───────────────────────────────────────────────────────────

  /**
   * Compares every index with the data, and lists the incidents storage recorded (data
   * found lost when it opened; cleared by {@link TabAgent.repair}).
   */
  async verify(options: { signal?: AbortSignal } = {}): Promise<{ indexes: DriftReport[]; vectors: VectorDriftReport; incidents: StorageIncident[] }> {
    this.#requireOpen();
    const indexes = await this.#indexing.verify(options);
    const vectors = await this.#vectors.verify();
    const incidents = await this.#storage.incidents();
    return { indexes, vectors, incidents };
  }

  /**
   * Rebuilds the indexes from the data (`tabagent reindex`). Each index rebuilds under a
   * durable marker: one cut short by a crash is finished at the next open.
   */
  async reindex(options: { signal?: AbortSignal; onProgress?: (index: string, written: number) => void } = {}): Promise<Record<string, number>> {
    this.#requireOpen();
    const written = await this.#indexing.rebuild(options);
    const vector = await this.#vectors.rebuild();
    return { ...written, vector: vector.vectors };
  }

  /**
   * Repairs a damaged database directory (it must not be open anywhere): LevelDB's repair
   * (every readable log and table file kept, unreadable parts dropped, unusable files
   * archived in `lost/`), then a rebuild of every index, then a verification. The report
   * says what was lost: bytes LevelDB dropped, gaps in the change log, consumer cursors
   * past its end, incidents recorded earlier.
   *
   * @example
   * const report = await TabAgent.repair('/data/db', { ml: { provider: 'builtin' } });
   * if (report.storage.droppedBytes > 0) console.warn('data was lost', report.storage);
   */
  static async repair(location: string, options: TabAgentOptions & { onStep?: (step: string) => void } = {}): Promise<TabAgentRepairReport> {
    const { onStep, ...openOptions } = options;
    const storage = await repairStorage(location, onStep === undefined ? {} : { onStep });
    onStep?.('reindex');
    const db = await TabAgent.open(location, { ...openOptions, weaver: false });
    try {
      const reindexed = await db.reindex();
      onStep?.('verify');
      await db.whenVectorsReady();
      const verified = await db.verify();
      const ok = verified.indexes.every((r) => r.ok) && verified.vectors.ok;
      return { storage, reindexed, ok };
    } finally {
      await db.close();
    }
  }

  /**
   * A consistent copy of the database in an empty directory; `onProgress` hears the
   * entries copied so far, `signal` cancels.
   *
   * @example
   * await db.backup('/backups/today', { onProgress: (n) => bar.update(n) });
   */
  backup(dir: string, options: BackupOptions = {}): Promise<BackupManifest> {
    this.#requireOpen();
    return backupStorage(this.#storage, dir, options);
  }

  /**
   * Every record as JSON Lines into a file or a stream (left open); returns the number
   * of records written.
   *
   * @example
   * await db.export(process.stdout, { onProgress: (n) => bar.update(n) });
   */
  export(target: string | Writable, options: ExportOptions = {}): Promise<number> {
    this.#requireOpen();
    return exportJsonl(this.#storage, target, options);
  }

  /** Imports a JSON Lines export from a file or a stream. */
  import(source: string | Readable, options: ImportOptions = {}): Promise<ImportResult> {
    this.#requireOpen();
    return importJsonl(this.#storage, source, options);
  }

  /** Every component's state (`NOT_OPEN` once closed: the components are gone). */
  stats(): TabAgentStats {
    this.#requireOpen();
    return {
      status: this.#status,
      location: this.location,
      storage: { status: this.#storage.status, lastSeq: this.#storage.lastSeq },
      vectors: this.#vectors.stats(),
      scheduler: { ...this.#scheduler.stats(), activityLevel: this.#scheduler.activityLevel },
      ml: { ...this.#ml.info(), status: this.#ml.status },
      weaver: this.#weaver?.stats(),
    };
  }

  /**
   * Every component's state, in any status (a closed database still answers, with what
   * can be known), with the ML provider's own health check.
   *
   * @example
   * const health = await db.health();
   * if (!health.ml.ok) console.warn(health.ml.detail);
   */
  async health(options: HealthOptions = {}): Promise<TabAgentHealth> {
    const status = this.#status;
    const info = this.#ml.info();
    const ml =
      status === 'open'
        ? await mlHealthWithin(() => this.#ml.health(), this.#ml.status, options.mlTimeoutMs ?? 1_000)
        : { ok: false, status: this.#ml.status, detail: `database is ${status}` };
    const lastSeq = readSafely(() => this.#storage.lastSeq);
    const weaver = readSafely(() => this.#weaver?.stats());
    return {
      status,
      storage: {
        status: this.#storage.status,
        ...(lastSeq === undefined ? {} : { lastSeq }),
        ...(this.#storage.warnings.length === 0 ? {} : { warnings: this.#storage.warnings.map((w) => ({ code: w.code, message: w.message })) }),
      },
      vectors: this.#vectors.stats(),
      scheduler: { ...this.#scheduler.stats(), activityLevel: this.#scheduler.activityLevel },
      ml: { ...info, ...ml },
      weaver: weaver === undefined ? { enabled: this.#weaver !== undefined } : { enabled: true, stats: weaver },
    };
  }

  /** What storage holds on disk: change-log entries and position, durable consumer cursors, bytes. */
  storageStats(): Promise<StorageStats> {
    this.#requireOpen();
    return this.#storage.stats();
  }

  /** Closes the weaver, the query engine, the scheduler, ML, the indexes and storage, in that order. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#status = 'closing';
      for (const stop of this.#subscriptions) stop();
      this.#subscriptions.clear();
      await Promise.allSettled([this.#weaver?.close()]);
      await Promise.allSettled([this.#queryEngine.close()]);
      await Promise.allSettled([this.#scheduler.close({ abortRunning: true })]);
      await Promise.allSettled([this.#ownsMl ? this.#ml.close() : undefined]);
      // Closes its extensions in reverse order: the vector index (saving a snapshot), the indexes.
      await this.#storage.close();
      this.#status = 'closed';
    })();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** What {@link TabAgent.repair} did. */
export interface TabAgentRepairReport {
  /** LevelDB's repair and what is missing after it. */
  storage: RepairReport;
  /** Entries written per index by the rebuild. */
  reindexed: Record<string, number>;
  /** Every index matches the data after the rebuild. */
  ok: boolean;
}

function readSafely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** Opens the configured provider; `auto` looks for installed models in `modelDir`. */
async function openMl(
  config: MlBridgeConfig,
  inWorker: boolean,
  modelDir: string | undefined,
  logger: TabAgentOptions['logger'],
): Promise<MlBridge> {
  let effective: MlBridgeConfig = config;
  if (config.provider === undefined || config.provider === 'auto') {
    const locator = config.locator ?? new ModelCache(modelDir === undefined ? {} : { cacheDir: modelDir });
    effective = { ...config, locator, ...(logger && !config.logger ? { logger } : {}) };
  }
  return inWorker ? createWorkerMlBridge(effective, logger ? { logger } : {}) : createMlBridge(effective);
}
