import { describe, expect, it } from 'vitest';
import type { ConvergedQuery } from '../src/index.js';
import { hashEmbed, openDb, rejection } from './helpers.js';

describe('bad queries are INVALID_ARGUMENT naming the field', () => {
  const cases: [string, unknown, string, RegExp?][] = [
    ['unknown operator', { filters: { timestamp: { between: [1, 2] } } }, 'filters.timestamp', /unknown operator "between"/u],
    ['unknown operator on a non-indexed field', { filters: { 'metadata.lang': { like: 'en' } } }, 'filters.metadata.lang', /unknown operator "like"/u],
    ['wrong value type for a range', { filters: { timestamp: { gt: 'yesterday' } } }, 'filters.timestamp.gt', /expected a number/u],
    ['wrong value type for equality', { filters: { sender: { eq: 5 } } }, 'filters.sender.eq', /expected a string/u],
    ['wrong value type inside in', { filters: { role: { in: ['user', 7] } } }, 'filters.role.in.1'],
    ['in that is not a list', { filters: { tags: { in: 'travel' } } }, 'filters.tags.in'],
    ['prefix on a numeric field', { filters: { timestamp: { prefix: '17' } } }, 'filters.timestamp.prefix'],
    ['exists that is not a boolean', { filters: { topic: { exists: 'yes' } } }, 'filters.topic.exists'],
    ['mixed range bounds', { filters: { sender: { gt: 'a', lt: 5 } } }, 'filters.sender.lt'],
    ['an empty condition', { filters: { sender: {} } }, 'filters.sender'],
    ['an unknown field', { filters: { colour: { eq: 'red' } } }, 'filters.colour', /unknown field/u],
    ['depth 0', { graph: { start: 'ent_x', depth: 0 } }, 'graph.depth'],
    ['depth above the bound', { graph: { start: 'ent_x', depth: 99 } }, 'graph.depth', /at most 6/u],
    ['a fractional depth', { graph: { start: 'ent_x', depth: 1.5 } }, 'graph.depth'],
    ['an unknown direction', { graph: { start: 'ent_x', direction: 'sideways' } }, 'graph.direction'],
    ['a bad edge type', { graph: { start: 'ent_x', edgeTypes: ['mentions'] } }, 'graph.edgeTypes.0'],
    ['an unknown node kind', { types: ['Spaceship'] }, 'types.0'],
    ['limit 0', { limit: 0 }, 'limit'],
    ['limit above the bound', { limit: 1_000_000 }, 'limit'],
    ['a negative offset', { offset: -1 }, 'offset'],
    ['an empty keyword', { keyword: '   ' }, 'keyword'],
    ['both vector and text', { semantic: { vector: [1, 0], text: 'x' } }, 'semantic'],
    ['neither vector nor text', { semantic: { threshold: 0.5 } }, 'semantic'],
    ['a non-finite vector component', { semantic: { vector: [1, Number.NaN] } }, 'semantic.vector'],
    ['a threshold above 1', { semantic: { vector: [1, 0], threshold: 2 } }, 'semantic.threshold'],
    ['order by score without a ranking', { orderBy: 'score' }, 'orderBy'],
    ['order by an unknown field', { orderBy: { field: 'colour' } }, 'orderBy.field'],
    ['a semantic query ordered by a field without threshold', { semantic: { vector: [1, 0] }, orderBy: { field: 'timestamp' } }, 'semantic.threshold'],
    ['an unknown query field', { filter: { sender: { eq: 'a' } } }, 'filter', /not a query field/u],
  ];

  it.each(cases)('%s', async (_, query, field, message) => {
    const { engine } = await openDb();
    const error = await rejection(engine.query(query as ConvergedQuery));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details.field).toBe(field);
    expect(error.message).toContain(field);
    if (message) expect(error.message).toMatch(message);
  });

  it('a vector of the wrong dimension, given or embedded', async () => {
    const { storage, engine } = await openDb({ embed: (text) => hashEmbed(text, 32) });
    const chat = await storage.insertNode({ type: 'Chat', title: 'x' });
    await storage.putEmbedding({ nodeId: chat.id, model: 'hash', vector: hashEmbed('x', 64) });
    await engine.ready();
    const given = await rejection(engine.query({ semantic: { vector: new Float32Array(3).fill(1) } }));
    expect(given.code).toBe('INVALID_ARGUMENT');
    expect(given.details.field).toBe('semantic.vector');
    expect(given.message).toMatch(/3 dimensions.*64/u);
    const embedded = await rejection(engine.query({ semantic: { text: 'paris' } }));
    expect(embedded.code).toBe('INVALID_ARGUMENT');
    expect(embedded.details.field).toBe('semantic.text');
    // The right dimension works; a space with no embeddings ranks nothing.
    expect((await engine.query({ semantic: { vector: hashEmbed('x', 64) } })).hits.map((h) => h.node.id)).toEqual([chat.id]);
    expect((await engine.query({ semantic: { vector: [1, 2, 3], model: 'other' } })).hits).toEqual([]);
  });

  it('semantic text without an embed function', async () => {
    const { engine } = await openDb();
    const error = await rejection(engine.query({ semantic: { text: 'paris' } }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.details.field).toBe('semantic.text');
  });

  it('graph and question arguments', async () => {
    const { engine } = await openDb();
    for (const [promise, field] of [
      [engine.findShortestPath('a_1', 'b_1', { maxDepth: 0 }), 'maxDepth'],
      [engine.findShortestPath('a_1', 'b_1', { maxDepth: 7 }), 'maxDepth'],
      [engine.findShortestPath('a_1', 'b_1', { direction: 'up' as never }), 'direction'],
      [engine.traverse('a_1', { depth: 12 }), 'depth'],
      [engine.neighbors(42 as never), 'nodeId'],
      [engine.chatMessages('chat_x', { limit: 0 }), 'limit'],
      [engine.nodesMentioning({ entityType: '', label: 'x' }), 'entityType'],
    ] as const) {
      const error = await rejection(promise);
      expect(error.code, field).toBe('INVALID_ARGUMENT');
      expect(error.details.field).toBe(field);
    }
  });
});
