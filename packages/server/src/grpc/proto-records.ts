import type { ChangeEvent, Edge, Node } from '@tabagent/common';
import { withFields } from '@tabagent/common/runtime';
import type { EntityMention, GraphPath, Page, QueryResult, RelatedChat } from '@tabagent/query';
import type { TabAgentEvent } from 'tabagent';
import { fromProtoStruct, toProtoStruct, type ProtoStruct } from './proto-struct.js';

/** Records of the facade as messages of protos/database.proto (grpc-js plain objects). */

export function nodeToProto(node: Node): object {
  const { id, type, createdAt, updatedAt, ...fields } = node;
  return { id, type, createdAt, updatedAt, fields: toProtoStruct(fields) };
}

/** A `NewNode` message as the facade's input (the kind's schema then checks it). */
export function newNodeFromProto(message: { type?: string; fields?: ProtoStruct }): Record<string, unknown> {
  return withFields(fromProtoStruct(message.fields), { type: message.type });
}

export function edgeToProto(edge: Edge): object {
  return {
    id: edge.id,
    fromId: edge.from,
    toId: edge.to,
    type: edge.type,
    createdAt: edge.createdAt,
    ...(edge.weight === undefined ? {} : { weight: edge.weight }),
    metadata: toProtoStruct(edge.metadata),
  };
}

export function pageToProto(page: Page<Node>): object {
  return { items: page.items.map(nodeToProto), total: page.total, ...(page.nextOffset === undefined ? {} : { nextOffset: page.nextOffset }) };
}

export function queryResultToProto(result: QueryResult): object {
  return {
    hits: result.hits.map((hit) => ({
      node: nodeToProto(hit.node),
      scores: hit.scores,
      ...(hit.graphDepth === undefined ? {} : { graphDepth: hit.graphDepth }),
    })),
    ...(result.total === undefined ? {} : { total: result.total }),
    ...(result.explain === undefined ? {} : { explain: toProtoStruct(result.explain as unknown as Record<string, unknown>) }),
  };
}

export function pathToProto(path: GraphPath | null): object {
  if (path === null) return { found: false, nodes: [], edges: [], length: 0 };
  return {
    found: true,
    nodes: path.nodes,
    edges: path.edges.map((e) => ({ id: e.id, type: e.type, fromId: e.from, toId: e.to, ...(e.weight === undefined ? {} : { weight: e.weight }) })),
    length: path.length,
  };
}

export function mentionsToProto(mentions: EntityMention[]): object {
  return {
    mentions: mentions.map((m) => ({ entity: nodeToProto(m.entity), mentions: m.mentions, edgeIds: m.edgeIds, ...(m.weight === undefined ? {} : { weight: m.weight }) })),
  };
}

export function relatedChatsToProto(chats: RelatedChat[]): object {
  return {
    chats: chats.map((r) => ({ chat: nodeToProto(r.chat), score: r.score, sharedEntities: r.sharedEntities, similarityLinks: r.similarityLinks })),
  };
}

function changeToProto(change: ChangeEvent): object {
  const { from, to, ...rest } = change;
  return { ...rest, ...(from === undefined ? {} : { fromId: from }), ...(to === undefined ? {} : { toId: to }) };
}

export function eventToProto(event: TabAgentEvent): object {
  if (event.kind === 'change') return { change: changeToProto(event.change) };
  const { kind: _kind, ...enriched } = event;
  return { enriched };
}
