import { NODE_TYPES, type NodeType } from '@tabagent/common';
import type { ConvergedQuery, FieldConditions } from '../src/index.js';
import { noisy, pick, SENDERS, TAGS, VOCAB, type RandomGraph } from './random-graph.js';

type Generator = (g: RandomGraph) => FieldConditions;

const r = (g: RandomGraph): number => g.random();
const ts = (g: RandomGraph): number => 10_000 + Math.floor(r(g) * 400);
const created = (g: RandomGraph): number => 1_000 + Math.floor(r(g) * 300);

/** Per field, generators that together use every operator on indexed and non-indexed fields. */
export const FIELD_GENERATORS: Record<string, Generator[]> = {
  chatId: [(g) => ({ eq: pick(g.random, g.chats) }), (g) => ({ in: [pick(g.random, g.chats), pick(g.random, g.chats)] }), (g) => ({ ne: pick(g.random, g.chats) }), () => ({ exists: true })],
  sender: [
    (g) => ({ eq: pick(g.random, SENDERS) }),
    (g) => ({ in: [pick(g.random, SENDERS), pick(g.random, SENDERS)] }),
    () => ({ prefix: 'ali' }),
    (g) => ({ ne: pick(g.random, SENDERS) }),
    () => ({ contains: 'o' }),
    (g) => ({ gte: pick(g.random, SENDERS), lt: 'd' }),
    () => ({ gt: 'bob' }),
  ],
  role: [(g) => ({ eq: pick(g.random, ['user', 'assistant', 'system']) }), () => ({ in: ['user', 'system'] }), () => ({ ne: 'assistant' })],
  timestamp: [
    (g) => ({ gt: ts(g) }),
    (g) => ({ gte: ts(g), lte: ts(g) + 150 }),
    (g) => ({ lt: ts(g) }),
    (g) => ({ lte: ts(g) }),
    (g) => ({ eq: ts(g) }),
    (g) => ({ ne: ts(g), gte: 10_100 }),
  ],
  createdAt: [(g) => ({ gte: created(g) }), (g) => ({ lt: created(g) }), (g) => ({ in: [created(g), created(g), created(g)] })],
  tags: [(g) => ({ eq: pick(g.random, TAGS) }), () => ({ in: ['fun', 'urgent'] }), () => ({ contains: 'ur' }), () => ({ prefix: 'tr' }), () => ({ exists: true }), (g) => ({ ne: pick(g.random, TAGS) })],
  entityType: [() => ({ eq: 'LOCATION' }), () => ({ in: ['PERSON', 'ORG'] })],
  label: [() => ({ eq: 'paris' }), () => ({ prefix: 'l' }), () => ({ gte: 'b', lte: 'm' })],
  entity: [() => ({ prefix: 'LOCATION:' })],
  url: [() => ({ prefix: 'https://site1' }), () => ({ contains: 'paris' })],
  type: [(g) => ({ eq: pick(g.random, ['Message', 'Chat', 'Entity']) }), () => ({ ne: 'Message' }), () => ({ in: ['Summary', 'Bookmark'] })],
  content: [(g) => ({ contains: pick(g.random, VOCAB) }), (g) => ({ prefix: pick(g.random, VOCAB) }), () => ({ exists: true })],
  'metadata.lang': [() => ({ eq: 'en' }), () => ({ ne: 'fr' }), (g) => ({ exists: r(g) < 0.5 })],
  'metadata.score': [(g) => ({ gt: Math.floor(r(g) * 10) }), (g) => ({ lte: Math.floor(r(g) * 10) }), (g) => ({ in: [1, 2, 3] })],
  title: [(g) => ({ contains: pick(g.random, VOCAB) }), () => ({ exists: false }), (g) => ({ prefix: pick(g.random, VOCAB).slice(0, 2) })],
  topic: [(g) => ({ exists: r(g) < 0.5 })],
  archived: [(g) => ({ eq: r(g) < 0.5 }), () => ({ exists: true }), () => ({ ne: true })],
  toTimestamp: [(g) => ({ gt: ts(g) })],
  id: [(g) => ({ eq: pick(g.random, g.nodes).id }), (g) => ({ in: Array.from({ length: 30 }, () => pick(g.random, g.nodes).id) }), () => ({ prefix: 'msg_' })],
};

const FIELDS = Object.keys(FIELD_GENERATORS);
const ORDER_FIELDS = ['timestamp', 'createdAt', 'sender', 'id', 'metadata.score', 'tags', 'title'];

export function randomVector(g: RandomGraph): Float32Array {
  return noisy(g.random, pick(g.random, g.centers), 1.2);
}

/** A random valid query mixing types, filters, a graph filter, keyword, semantic, ordering and paging. */
export function randomQuery(g: RandomGraph): ConvergedQuery {
  const q: ConvergedQuery = {};
  if (r(g) < 0.45) {
    const count = 1 + Math.floor(r(g) * 3);
    q.types = [...new Set(Array.from({ length: count }, () => pick(g.random, r(g) < 0.85 ? (['Message', 'Chat', 'Entity', 'Summary'] as NodeType[]) : NODE_TYPES)))];
  }
  const roll = r(g);
  const filterCount = roll < 0.3 ? 0 : roll < 0.75 ? 1 : roll < 0.95 ? 2 : 3;
  if (filterCount > 0) {
    q.filters = {};
    for (let i = 0; i < filterCount; i++) {
      const field = pick(g.random, FIELDS);
      q.filters[field] = { ...q.filters[field], ...pick(g.random, FIELD_GENERATORS[field]!)(g) };
      // Two range generators on one field may mix numbers and strings only through `ne`; keep bounds coherent.
      const c = q.filters[field]!;
      const kinds = new Set((['gt', 'gte', 'lt', 'lte'] as const).filter((op) => c[op] !== undefined).map((op) => typeof c[op]));
      if (kinds.size > 1) delete q.filters[field];
    }
  }
  if (r(g) < 0.4) {
    const direction = pick(g.random, ['out', 'in', 'both'] as const);
    // Messages have outgoing edges, entities incoming ones: start where edges are.
    const start = direction === 'out' ? pick(g.random, g.messages) : direction === 'in' && r(g) < 0.7 ? pick(g.random, g.entities) : pick(g.random, g.nodes).id;
    q.graph = { start: r(g) < 0.15 ? [start, pick(g.random, g.entities)] : start, direction, depth: 1 + Math.floor(r(g) * 3) };
    if (r(g) < 0.5) q.graph.edgeTypes = [...new Set([pick(g.random, ['MENTIONS', 'IS_SEMANTICALLY_SIMILAR_TO', 'REPLIES_TO', 'RELATED_TO']), pick(g.random, ['MENTIONS', 'RELATED_TO'])])];
  }
  if (r(g) < 0.35) q.keyword = r(g) < 0.7 ? pick(g.random, VOCAB) : `${pick(g.random, VOCAB)} ${pick(g.random, VOCAB)}`;
  if (r(g) < 0.4) {
    q.semantic = { vector: randomVector(g) };
    if (r(g) < 0.3) q.semantic.threshold = Math.round((r(g) * 1.2 - 0.3) * 100) / 100;
  }
  const ranked = q.keyword !== undefined || q.semantic !== undefined;
  if (ranked && r(g) < 0.3) {
    q.orderBy = { field: pick(g.random, ORDER_FIELDS), direction: r(g) < 0.5 ? 'asc' : 'desc' };
    if (q.semantic !== undefined && q.semantic.threshold === undefined) q.semantic.threshold = 0.2;
  } else if (ranked && r(g) < 0.3) {
    q.orderBy = 'score';
  } else if (!ranked && r(g) < 0.5) {
    q.orderBy = { field: pick(g.random, ORDER_FIELDS), direction: r(g) < 0.5 ? 'asc' : 'desc' };
  }
  if (q.keyword !== undefined && q.semantic !== undefined && r(g) < 0.5) q.fusion = { window: 1 + Math.floor(r(g) * 12), k: pick(g.random, [1, 10, 60]) };
  q.limit = 1 + Math.floor(r(g) * 15);
  if (r(g) < 0.4) q.offset = Math.floor(r(g) * 6);
  return q;
}
