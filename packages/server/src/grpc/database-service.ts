import type * as grpc from '@grpc/grpc-js';
import { callSignal, requireToken, toGrpcError } from '@tabagent/ml-bridge/grpc';
import { DbError, type Edge, type Node } from '@tabagent/common';
import type { EntityMention, GraphPath, Page, QueryResult, RelatedChat } from '@tabagent/query';
import type { TabAgent } from 'tabagent';
import { invokeOperation } from '../operations/index.js';
import {
  edgeToProto,
  mentionsToProto,
  newNodeFromProto,
  nodeToProto,
  pageToProto,
  pathToProto,
  queryResultToProto,
  relatedChatsToProto,
} from './proto-records.js';
import { fromProtoStruct, toProtoStruct, type ProtoStruct } from './proto-struct.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- request messages are grpc-js plain objects */
type Request = Record<string, any>;

/** Repeated fields arrive as arrays (empty when unset): empty means "not given". */
const list = <T>(values: T[] | undefined): T[] | undefined => (values === undefined || values.length === 0 ? undefined : values);
/** Drops undefined entries so strict schemas see only what the client set. */
const defined = (object: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
const struct = (s: ProtoStruct | undefined): Record<string, unknown> | undefined => (s === undefined ? undefined : fromProtoStruct(s));

interface Rpc {
  op: string;
  params(request: Request): unknown;
  response(result: any): object;
}

/** Each unary rpc of `tabagent.v1.Database`: the operation it runs and its message conversions. */
const RPCS: Record<string, Rpc> = {
  GetNode: { op: 'nodes.get', params: (r) => defined({ id: r.id }), response: (n: Node) => nodeToProto(n) },
  GetNodes: {
    op: 'nodes.getMany',
    params: (r) => ({ ids: r.ids ?? [] }),
    response: (nodes: (Node | null)[]) => ({ nodes: nodes.map((n) => (n === null ? { found: false } : { found: true, node: nodeToProto(n) })) }),
  },
  InsertNodes: {
    op: 'nodes.insert',
    params: (r) => ({ nodes: (r.nodes ?? []).map(newNodeFromProto) }),
    response: (nodes: Node[]) => ({ nodes: nodes.map(nodeToProto) }),
  },
  UpdateNode: { op: 'nodes.update', params: (r) => defined({ id: r.id, patch: struct(r.patch) ?? {} }), response: (n: Node) => nodeToProto(n) },
  DeleteNode: { op: 'nodes.delete', params: (r) => defined({ id: r.id }), response: (d: object) => d },
  InsertEdge: {
    op: 'edges.insert',
    params: (r) => ({ edge: defined({ id: r.id, from: r.fromId, to: r.toId, type: r.type, weight: r.weight, metadata: struct(r.metadata), createdAt: r.createdAt }) }),
    response: (e: Edge) => edgeToProto(e),
  },
  GetEdge: { op: 'edges.get', params: (r) => defined({ id: r.id }), response: (e: Edge) => edgeToProto(e) },
  DeleteEdge: { op: 'edges.delete', params: (r) => defined({ id: r.id }), response: (d: object) => d },
  ListEdges: { op: 'edges.ofNode', params: (r) => defined({ nodeId: r.nodeId }), response: (edges: Edge[]) => ({ edges: edges.map(edgeToProto) }) },
  CreateChat: {
    op: 'chats.create',
    params: (r) => defined({ title: r.title, topic: r.topic, tags: list(r.tags), metadata: struct(r.metadata) }),
    response: (n: Node) => nodeToProto(n),
  },
  GetChat: { op: 'chats.get', params: (r) => defined({ id: r.id }), response: (n: Node) => nodeToProto(n) },
  ListChats: { op: 'chats.list', params: (r) => defined({ limit: r.limit, offset: r.offset }), response: (p: Page<Node>) => pageToProto(p) },
  AddMessage: {
    op: 'chats.addMessage',
    params: (r) =>
      defined({
        chatId: r.chatId,
        // proto3 sends absent strings as '': the defaults (role user, sender the role) apply.
        sender: r.sender === '' ? undefined : r.sender,
        role: r.role === '' ? undefined : r.role,
        content: r.content ?? '',
        timestamp: r.timestamp,
        metadata: struct(r.metadata),
        tags: list(r.tags),
        replyToId: r.replyToId,
        attachmentIds: list(r.attachmentIds),
      }),
    response: (n: Node) => nodeToProto(n),
  },
  ListMessages: {
    op: 'chats.messages',
    params: (r) => defined({ chatId: r.chatId, limit: r.limit, offset: r.offset, order: r.order }),
    response: (p: Page<Node>) => pageToProto(p),
  },
  RelatedChats: { op: 'chats.related', params: (r) => defined({ chatId: r.chatId, limit: r.limit }), response: (c: RelatedChat[]) => relatedChatsToProto(c) },
  Search: {
    op: 'search',
    params: (r) =>
      defined({
        text: r.text ?? '',
        types: list(r.types),
        chatId: r.chatId,
        limit: r.limit,
        offset: r.offset,
        mode: r.mode,
        threshold: r.threshold,
        explain: r.explain,
      }),
    response: (q: QueryResult) => queryResultToProto(q),
  },
  Query: { op: 'query', params: (r) => ({ query: struct(r.query) ?? {} }), response: (q: QueryResult) => queryResultToProto(q) },
  FindShortestPath: {
    op: 'paths.shortest',
    params: (r) => defined({ from: r.fromId, to: r.toId, edgeTypes: list(r.edgeTypes), maxDepth: r.maxDepth, direction: r.direction }),
    response: (p: GraphPath | null) => pathToProto(p),
  },
  EntitiesMentionedIn: { op: 'entities.mentionedIn', params: (r) => defined({ nodeId: r.nodeId }), response: (m: EntityMention[]) => mentionsToProto(m) },
  NodesMentioning: {
    op: 'entities.nodesMentioning',
    params: (r) =>
      defined({
        entity: r.entity === 'key' ? defined({ entityType: r.key?.entityType, label: r.key?.label }) : r.entityId,
        types: list(r.types),
        limit: r.limit,
        offset: r.offset,
      }),
    response: (p: Page<Node>) => pageToProto(p),
  },
  GetWeaverStatus: {
    op: 'weaver.status',
    params: () => ({}),
    response: (s: { enabled: boolean; stats: object | null }) => ({ enabled: s.enabled, ...(s.stats === null ? {} : { stats: toProtoStruct(JSON.parse(JSON.stringify(s.stats)) as Record<string, unknown>) }) }),
  },
  SetActivityLevel: { op: 'activity.set', params: (r) => defined({ level: r.level }), response: (l: object) => l },
};

/** Marks a request whose message could not be decoded (see `startGrpcServer`). */
export const MALFORMED = Symbol('malformed request');

/** `INVALID_ARGUMENT` for a request that was not a valid message of its type. */
export function requireWellFormed(request: unknown): void {
  const malformed = (request as Record<symbol, unknown> | null)?.[MALFORMED];
  if (typeof malformed === 'string') throw new DbError('INVALID_ARGUMENT', malformed);
}

/** Runs one unary rpc: token, signal from cancellation and deadline, validation, conversion, status mapping. */
function unaryHandler(db: TabAgent, rpc: Rpc, token: string | undefined): grpc.handleUnaryCall<Request, object> {
  return (call, callback) => {
    const { signal, timeoutMs, dispose } = callSignal(call);
    Promise.resolve()
      .then(() => {
        requireToken(call.metadata, token);
        requireWellFormed(call.request);
        return invokeOperation(db, rpc.op, rpc.params(call.request), timeoutMs === undefined ? { signal } : { signal, timeoutMs });
      })
      .then(
        (result) => callback(null, rpc.response(result)),
        (err: unknown) => callback(toGrpcError(err)),
      )
      .finally(dispose);
  };
}

/** The unary handlers of the Database service over `db` (Subscribe is added by the server). */
export function databaseUnaryHandlers(db: TabAgent, token: string | undefined): grpc.UntypedServiceImplementation {
  return Object.fromEntries(Object.entries(RPCS).map(([name, rpc]) => [name, unaryHandler(db, rpc, token)]));
}

/** Names of the unary rpcs, for checks that every rpc of the proto is implemented. */
export const DATABASE_UNARY_RPCS = Object.keys(RPCS);
