import { z } from 'zod';
import { DbError, idSchema, type Node } from '@tabagent/common';
import type { Page } from '@tabagent/query';
import type { Chat } from 'tabagent';
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

/**
 * Every operation the gRPC service and the native-messaging host offer, by name. The
 * names are the native-messaging `method`s.
 */
export const OPERATIONS = [
  // nodes
  defineOperation('nodes.get', byId, (db, p) => db.getNode(p.id)),
  defineOperation('nodes.getMany', z.strictObject({ ids: z.array(idSchema).min(1).max(1_000) }), async (db, p) => (await db.getNodes(p.ids)).map((n) => n ?? null)),
  defineOperation('nodes.insert', z.strictObject({ nodes: z.array(newNodeParams).min(1).max(10_000) }), (db, p) => db.insertNodes(p.nodes as never)),
  defineOperation('nodes.update', z.strictObject({ id: idSchema, patch: nodePatchParams }), (db, p) => db.updateNode(p.id, p.patch)),
  defineOperation('nodes.delete', byId, async (db, p) => {
    await db.deleteNode(p.id);
    return { id: p.id, deleted: true };
  }),
  // edges
  defineOperation('edges.insert', z.strictObject({ edge: newEdgeParams }), (db, p) => db.insertEdge(p.edge)),
  defineOperation('edges.get', byId, (db, p) => db.getEdge(p.id)),
  defineOperation('edges.delete', byId, async (db, p) => {
    await db.deleteEdge(p.id);
    return { id: p.id, deleted: true };
  }),
  defineOperation('edges.ofNode', z.strictObject({ nodeId: idSchema }), (db, p) => db.edgesOf(p.nodeId)),
  // chats and messages
  defineOperation('chats.create', createChatParams, async (db, p) => (await db.createChat(p)).node),
  defineOperation('chats.get', byId, async (db, p) => (await db.chat(p.id)).node),
  defineOperation('chats.list', z.strictObject({ limit: pageLimit.optional(), offset: pageOffset.optional() }), async (db, p) => chatPage(await db.chats(p))),
  defineOperation('chats.addMessage', addMessageParams, (db, { chatId, ...message }) => db.addMessage(chatId, message)),
  defineOperation(
    'chats.messages',
    z.strictObject({ chatId: idSchema, limit: pageLimit.optional(), offset: pageOffset.optional(), order: z.enum(['asc', 'desc']).optional() }),
    async (db, { chatId, ...options }, { signal }) => (await db.chat(chatId)).messages({ ...options, signal }),
  ),
  defineOperation('chats.related', z.strictObject({ chatId: idSchema, limit: pageLimit.optional() }), async (db, { chatId, ...options }, { signal }) =>
    (await db.chat(chatId)).related({ ...options, signal }),
  ),
  defineOperation('chats.digest', z.strictObject({ chatId: idSchema }), async (db, p) => (await db.chat(p.chatId)).digest()),
  // search, query, graph
  defineOperation('search', searchParams, (db, { text, ...options }, { signal, timeoutMs }) => db.search(text, { ...options, signal, ...(timeoutMs === undefined ? {} : { timeoutMs }) })),
  defineOperation('query', z.strictObject({ query: z.record(z.string(), z.unknown()) }), (db, p, { signal, timeoutMs }) =>
    // The engine validates the query itself, with convergedQuerySchema under its configured limits.
    db.query(p.query as never, { signal, ...(timeoutMs === undefined ? {} : { timeoutMs }) }),
  ),
  defineOperation('paths.shortest', shortestPathParams, async (db, { from, to, ...options }, { signal }) => (await db.findShortestPath(from, to, { ...options, signal })) ?? null),
  defineOperation('entities.mentionedIn', z.strictObject({ nodeId: idSchema }), (db, p) => db.entitiesMentionedIn(p.nodeId)),
  defineOperation(
    'entities.nodesMentioning',
    z.strictObject({ entity: entityRefParams, types: nodeTypes.optional(), limit: pageLimit.optional(), offset: pageOffset.optional() }),
    (db, { entity, ...options }, { signal }) => db.nodesMentioning(entity, { ...options, signal }),
  ),
  // weaver, activity, status
  defineOperation('weaver.status', z.strictObject({}), (db) => {
    const stats = db.weaverStatus();
    return { enabled: stats !== undefined, stats: stats ?? null };
  }),
  defineOperation('activity.set', z.strictObject({ level: activityLevelParams }), (db, p) => {
    db.setActivityLevel(p.level);
    return { level: db.activityLevel };
  }),
  defineOperation('stats', z.strictObject({}), (db) => db.stats()),
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
