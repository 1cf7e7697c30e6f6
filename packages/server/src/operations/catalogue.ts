import { z } from 'zod';
import { DbError, edgeTypeSchema, idSchema, type Node } from '@tabagent/common';
import type { Page } from '@tabagent/query';
import type { Chat } from 'tabagent';
import { EXAMPLE_IDS } from './examples.js';
import { entityIdOf, requireIdPrefixes, requireNodes } from './require-node.js';
import { defineOperation, type Operation } from './operation.js';
import {
  activityLevelParams,
  addMessageParams,
  createChatParams,
  entityRefParams,
  newEdgeParams,
  newNodeParams,
  nodePatchParams,
  nodeTypes,
  pageLimit,
  pageOffset,
  searchParams,
  shortestPathParams,
} from './params.js';

const byId = z.strictObject({ id: idSchema });
const chatPage = (page: Page<Chat>): Page<Node> => ({ ...page, items: page.items.map((chat) => chat.node) });

const C = EXAMPLE_IDS.chat;

/**
 * Every operation, by name: THE definition of the API. gRPC methods and native-messaging
 * methods dispatch to these by name (the names are the native-messaging `method`s); REST
 * routes (`REST_OPERATIONS`) and MCP tools validate with the same schemas. The examples
 * succeed when sent in this order to a fresh database.
 */
export const OPERATIONS = [
  // nodes
  defineOperation('nodes.insert', z.strictObject({ nodes: z.array(newNodeParams).min(1).max(10_000) }), (db, p) => {
    requireIdPrefixes(p.nodes, 'nodes');
    return db.insertNodes(p.nodes as never);
  }, {
    summary: 'Create nodes of any kind in one atomic batch',
    example: {
      nodes: [
        { type: 'Chat', id: C, title: 'Trip to Paris', tags: ['travel'] },
        { type: 'Entity', id: EXAMPLE_IDS.entity, label: 'Paris', entityType: 'LOCATION' },
        { type: 'Bookmark', id: EXAMPLE_IDS.bookmark, url: 'https://example.org/paris', title: 'Paris guide' },
      ],
    },
  }),
  defineOperation('nodes.get', byId, (db, p) => db.getNode(p.id), { summary: 'Get a node', example: { id: C } }),
  defineOperation('nodes.getMany', z.strictObject({ ids: z.array(idSchema).min(1).max(1_000) }), async (db, p) => (await db.getNodes(p.ids)).map((n) => n ?? null), {
    summary: 'Get nodes by id (null where there is none)',
    example: { ids: [C, EXAMPLE_IDS.entity] },
  }),
  defineOperation('nodes.update', z.strictObject({ id: idSchema, patch: nodePatchParams }), (db, p) => db.updateNode(p.id, p.patch), {
    summary: 'Change fields of a node',
    example: { id: C, patch: { topic: 'Holidays' } },
  }),
  defineOperation(
    'nodes.delete',
    byId,
    async (db, p) => {
      await db.deleteNode(p.id);
      return { id: p.id, deleted: true };
    },
    { summary: 'Delete a node with its edges and embeddings', example: { id: EXAMPLE_IDS.bookmark } },
  ),
  // edges
  defineOperation('edges.insert', z.strictObject({ edge: newEdgeParams }), (db, p) => db.insertEdge(p.edge), {
    summary: 'Create an edge',
    example: { edge: { id: EXAMPLE_IDS.edge, from: C, to: EXAMPLE_IDS.entity, type: 'MENTIONS' } },
  }),
  defineOperation('edges.get', byId, (db, p) => db.getEdge(p.id), { summary: 'Get an edge', example: { id: EXAMPLE_IDS.edge } }),
  defineOperation(
    'edges.ofNode',
    z.strictObject({
      nodeId: idSchema,
      direction: z.enum(['out', 'in', 'both']).optional().describe('`out`: from this node; `in`: to it; `both` (default).'),
      type: edgeTypeSchema.optional().describe('Only edges of this type.'),
    }),
    async (db, { nodeId, direction = 'both', type }) => {
      await requireNodes(db, { nodeId });
      return (await db.edgesOf(nodeId)).filter(
        (edge) => (type === undefined || edge.type === type) && (direction === 'both' || (direction === 'out' ? edge.from === nodeId : edge.to === nodeId)),
      );
    },
    { summary: 'Edges from or to a node', example: { nodeId: C, direction: 'both' } },
  ),
  defineOperation(
    'edges.delete',
    byId,
    async (db, p) => {
      await db.deleteEdge(p.id);
      return { id: p.id, deleted: true };
    },
    { summary: 'Delete an edge', example: { id: EXAMPLE_IDS.edge } },
  ),
  // chats and messages
  defineOperation('chats.create', createChatParams, async (db, p) => (await db.createChat(p)).node, {
    summary: 'Create a chat',
    example: { title: 'Weekend plans', tags: ['travel'] },
  }),
  defineOperation('chats.get', byId, async (db, p) => (await db.chat(p.id)).node, { summary: 'Get a chat', example: { id: C } }),
  defineOperation('chats.list', z.strictObject({ limit: pageLimit.optional(), offset: pageOffset.optional() }), async (db, p) => chatPage(await db.chats(p)), {
    summary: 'List chats, newest first',
    example: { limit: 10 },
  }),
  defineOperation('chats.addMessage', addMessageParams, (db, { chatId, ...message }) => db.addMessage(chatId, message), {
    summary: 'Add a message to a chat',
    example: { chatId: C, sender: 'alice', role: 'user', content: 'Shall we visit Paris in May?', tags: ['travel'] },
  }),
  defineOperation(
    'chats.messages',
    z.strictObject({ chatId: idSchema, limit: pageLimit.optional(), offset: pageOffset.optional(), order: z.enum(['asc', 'desc']).optional() }),
    async (db, { chatId, ...options }, { signal }) => (await db.chat(chatId)).messages({ ...options, signal }),
    { summary: 'Messages of a chat, in conversation order', example: { chatId: C, limit: 50 } },
  ),
  defineOperation(
    'chats.related',
    z.strictObject({ chatId: idSchema, limit: pageLimit.optional() }),
    async (db, { chatId, ...options }, { signal }) => (await db.chat(chatId)).related({ ...options, signal }),
    { summary: 'Chats related to a chat', example: { chatId: C, limit: 5 } },
  ),
  defineOperation('chats.digest', z.strictObject({ chatId: idSchema }), async (db, p) => (await db.chat(p.chatId)).digest(), {
    summary: 'A chat’s topic and latest summary',
    example: { chatId: C },
  }),
  // search, query, graph
  defineOperation(
    'search',
    searchParams,
    (db, { text, query, ...options }, { signal, timeoutMs }) => db.search((text ?? query)!, { ...options, signal, ...(timeoutMs === undefined ? {} : { timeoutMs }) }),
    { summary: 'Hybrid search: keyword and meaning fused', example: { text: 'Paris', limit: 10 } },
  ),
  defineOperation(
    'query',
    z.strictObject({ query: z.record(z.string(), z.unknown()) }),
    (db, p, { signal, timeoutMs }) =>
      // The engine validates the query itself, with convergedQuerySchema under its configured limits.
      db.query(p.query as never, { signal, ...(timeoutMs === undefined ? {} : { timeoutMs }) }),
    { summary: 'Converged query: filters, graph, keyword and semantic ranking', example: { query: { types: ['Message'], filters: { chatId: { eq: C } }, keyword: 'Paris', limit: 10 } } },
  ),
  defineOperation(
    'paths.shortest',
    shortestPathParams,
    async (db, { from, to, ...options }, { signal }) => {
      await requireNodes(db, { from, to });
      return (await db.findShortestPath(from, to, { ...options, signal })) ?? null;
    },
    { summary: 'Shortest path between two nodes', example: { from: C, to: EXAMPLE_IDS.entity, direction: 'both' } },
  ),
  defineOperation('entities.mentionedIn', z.strictObject({ nodeId: idSchema }), async (db, p) => {
    await requireNodes(db, { nodeId: p.nodeId });
    return db.entitiesMentionedIn(p.nodeId);
  }, {
    summary: 'Entities a node mentions',
    example: { nodeId: C },
  }),
  defineOperation(
    'entities.nodesMentioning',
    z.strictObject({ entity: entityRefParams, types: nodeTypes.optional(), limit: pageLimit.optional(), offset: pageOffset.optional() }),
    async (db, { entity, ...options }, { signal }) => {
      await requireNodes(db, { entity: entityIdOf(entity) }, 'Entity');
      return db.nodesMentioning(entity, { ...options, signal });
    },
    { summary: 'Nodes mentioning an entity, newest first', example: { entity: EXAMPLE_IDS.entity, limit: 10 } },
  ),
  // weaver, activity, status
  defineOperation(
    'weaver.status',
    z.strictObject({}),
    (db) => {
      const stats = db.weaverStatus();
      return { enabled: stats !== undefined, stats: stats ?? null };
    },
    { summary: 'The weaver’s progress', example: {} },
  ),
  defineOperation(
    'activity.set',
    z.strictObject({ level: activityLevelParams }),
    (db, p) => {
      db.setActivityLevel(p.level);
      return { level: db.activityLevel };
    },
    { summary: 'Set the activity level', example: { level: 'low' } },
  ),
  defineOperation('stats', z.strictObject({}), (db) => db.stats(), { summary: 'Every component’s state', example: {} }),
] as const;

export type OperationName = (typeof OPERATIONS)[number]['name'];

const BY_NAME = new Map<string, Operation<unknown, unknown>>(OPERATIONS.map((op) => [op.name, op as unknown as Operation<unknown, unknown>]));

/** The operation called `name`; `INVALID_ARGUMENT` naming the known ones otherwise. */
export function operation(name: string): Operation<unknown, unknown> {
  const op = BY_NAME.get(name);
  if (op === undefined) {
    throw new DbError('INVALID_ARGUMENT', `unknown method "${name}" (expected one of ${[...BY_NAME.keys()].join(', ')}, subscribe, unsubscribe)`, {
      details: { field: 'method' },
    });
  }
  return op;
}
