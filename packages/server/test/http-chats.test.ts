import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityId } from '@tabagent/common';
import { expectError, startHarness, type HttpHarness } from './fixtures/http-server.js';

const MISSING_CHAT = 'chat_01NOPE000000000000000000';

let h: HttpHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

describe('chats and messages', () => {
  it('creates chats, lists them newest first, and keeps messages in conversation order', async () => {
    const trip = await h.request('POST', '/v1/chats', { body: { title: 'Trip planning', tags: ['travel'] } });
    expect(trip.status).toBe(201);
    expect(trip.body).toMatchObject({ type: 'Chat', title: 'Trip planning', tags: ['travel'] });
    const later = (await h.request('POST', '/v1/chats', { body: { title: 'Later chat' } })).body;

    const list = await h.request('GET', '/v1/chats?limit=1');
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([later.id]);
    expect(list.body.total).toBeGreaterThanOrEqual(2);
    expect(list.body.nextOffset).toBe(1);
    expect((await h.request('GET', `/v1/chats/${trip.body.id}`)).body).toEqual(trip.body);

    const first = await h.request('POST', `/v1/chats/${trip.body.id}/messages`, { body: { sender: 'alice', role: 'user', content: 'Shall we go to Paris in May?', timestamp: 2_000 } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ type: 'Message', chatId: trip.body.id, sender: 'alice', timestamp: 2_000 });
    await h.request('POST', `/v1/chats/${trip.body.id}/messages`, { body: { sender: 'bot', role: 'assistant', content: 'May is lovely in Paris.', timestamp: 1_000 } });

    const asc = await h.request('GET', `/v1/chats/${trip.body.id}/messages`);
    expect(asc.body.items.map((m: { sender: string }) => m.sender)).toEqual(['bot', 'alice']);
    expect(asc.body.total).toBe(2);
    const desc = await h.request('GET', `/v1/chats/${trip.body.id}/messages?order=desc&limit=1&offset=0`);
    expect(desc.body.items.map((m: { sender: string }) => m.sender)).toEqual(['alice']);
    expect(desc.body.nextOffset).toBe(1);
  });

  it('serves summaries, related chats and the digest', async () => {
    const a = (await h.request('POST', '/v1/chats', { body: { title: 'a', topic: 'museums' } })).body;
    const b = (await h.request('POST', '/v1/chats', { body: { title: 'b' } })).body;
    const ma = (await h.request('POST', `/v1/chats/${a.id}/messages`, { body: { sender: 's', role: 'user', content: 'the Louvre in Paris' } })).body;
    const mb = (await h.request('POST', `/v1/chats/${b.id}/messages`, { body: { sender: 's', role: 'user', content: 'Paris again' } })).body;
    const paris = (await h.request('POST', '/v1/nodes', { body: { type: 'Entity', entityType: 'LOCATION', label: 'Paris', id: entityId('LOCATION', 'Paris') } })).body;
    for (const m of [ma, mb]) await h.request('POST', '/v1/edges', { body: { from: m.id, to: paris.id, type: 'MENTIONS', weight: 0.9 } });
    const summary = (
      await h.request('POST', '/v1/nodes', { body: { type: 'Summary', chatId: a.id, content: 'They talk about the Louvre.', messageIds: [ma.id], toTimestamp: 5 } })
    ).body;

    const summaries = await h.request('GET', `/v1/chats/${a.id}/summaries`);
    expect(summaries.body.items.map((s: { id: string }) => s.id)).toEqual([summary.id]);
    const related = await h.request('GET', `/v1/chats/${a.id}/related?limit=5`);
    expect(related.status).toBe(200);
    expect(related.body.items[0]).toMatchObject({ chat: { id: b.id }, sharedEntities: [paris.id] });
    expect(related.body.items[0].score).toBeGreaterThan(0);
    const digest = await h.request('GET', `/v1/chats/${a.id}/digest`);
    expect(digest.body).toMatchObject({ chat: { id: a.id }, topic: 'museums', summary: { id: summary.id } });
    const bare = await h.request('GET', `/v1/chats/${b.id}/digest`);
    expect(bare.body.summary).toBeUndefined();

    // Entities, both ways.
    const mentioned = await h.request('GET', `/v1/nodes/${ma.id}/entities`);
    expect(mentioned.body.items).toEqual([expect.objectContaining({ entity: expect.objectContaining({ id: paris.id }), mentions: 1, weight: 0.9 })]);
    const byId = await h.request('GET', `/v1/entities/${paris.id}/mentions?types=Message`);
    expect(byId.body.items.map((n: { id: string }) => n.id).sort()).toEqual([ma.id, mb.id].sort());
    expect(byId.body.total).toBe(2);
    const byLabel = await h.request('GET', '/v1/entities/mentions?entityType=location&label=%20paris&limit=1');
    expect(byLabel.body.items).toHaveLength(1);
    expect(byLabel.body.nextOffset).toBe(1);
    const repeated = await h.request('GET', `/v1/entities/${paris.id}/mentions?types=Summary&types=Chat`);
    expect(repeated.body.items).toEqual([]);
  });

  it('rejects bad chat requests', async () => {
    const chat = (await h.request('POST', '/v1/chats', { body: { title: 'c' } })).body;
    const message = (await h.request('POST', `/v1/chats/${chat.id}/messages`, { body: { sender: 's', role: 'user', content: 'x' } })).body;
    expectError(await h.request('POST', '/v1/chats', { body: { title: 42 } }), 400, 'INVALID_ARGUMENT', 'title');
    expectError(await h.request('POST', '/v1/chats', { body: { type: 'Chat', title: 't' } }), 400, 'INVALID_ARGUMENT');
    expectError(await h.request('POST', '/v1/chats', { raw: '{"title":' }), 400, 'INVALID_ARGUMENT', 'body');
    expectError(await h.request('GET', '/v1/chats?limit=0'), 400, 'INVALID_ARGUMENT', 'limit');
    expectError(await h.request('GET', '/v1/chats?limit=abc'), 400, 'INVALID_ARGUMENT', 'limit');
    expectError(await h.request('GET', `/v1/chats/${MISSING_CHAT}`), 404, 'NOT_FOUND');
    expectError(await h.request('GET', `/v1/chats/${message.id}`), 400, 'INVALID_ARGUMENT', 'id');
    expectError(await h.request('POST', `/v1/chats/${MISSING_CHAT}/messages`, { body: { sender: 's', role: 'user', content: 'x' } }), 404, 'NOT_FOUND');
    expectError(await h.request('POST', `/v1/chats/${message.id}/messages`, { body: { sender: 's', role: 'user', content: 'x' } }), 400, 'INVALID_ARGUMENT');
    expectError(await h.request('POST', `/v1/chats/${chat.id}/messages`, { body: { sender: 's', role: 'robot', content: 'x' } }), 400, 'INVALID_ARGUMENT', 'role');
    expectError(await h.request('POST', `/v1/chats/${chat.id}/messages`, { body: { sender: 's', role: 'user' } }), 400, 'INVALID_ARGUMENT', 'content');
    expectError(await h.request('POST', `/v1/chats/${chat.id}/messages`, { body: { sender: 's', role: 'user', content: 'x', timestamp: -1 } }), 400, 'INVALID_ARGUMENT', 'timestamp');
    expectError(await h.request('GET', `/v1/chats/${MISSING_CHAT}/messages`), 404, 'NOT_FOUND');
    expectError(await h.request('GET', `/v1/chats/${chat.id}/messages?order=sideways`), 400, 'INVALID_ARGUMENT', 'order');
    expectError(await h.request('GET', `/v1/chats/${MISSING_CHAT}/summaries`), 404, 'NOT_FOUND');
    expectError(await h.request('GET', `/v1/chats/${MISSING_CHAT}/related`), 404, 'NOT_FOUND');
    expectError(await h.request('GET', `/v1/chats/${chat.id}/related?limit=1000`), 400, 'INVALID_ARGUMENT', 'limit');
    expectError(await h.request('GET', `/v1/chats/${MISSING_CHAT}/digest`), 404, 'NOT_FOUND');
    expectError(await h.request('GET', `/v1/nodes/${MISSING_CHAT}/entities`), 404, 'NOT_FOUND');
    expectError(await h.request('GET', `/v1/entities/${chat.id}/mentions`), 404, 'NOT_FOUND');
    expectError(await h.request('GET', `/v1/entities/${entityId('PERSON', 'Nobody')}/mentions`), 404, 'NOT_FOUND');
    expectError(await h.request('GET', `/v1/entities/mentions?label=Paris`), 400, 'INVALID_ARGUMENT', 'entityType');
    expectError(await h.request('GET', `/v1/entities/${entityId('PERSON', 'Nobody')}/mentions?types=Spaceship`), 400, 'INVALID_ARGUMENT', 'types.0');
  });
});

describe('search, query and paths', () => {
  let chatId: string;
  let museum: { id: string };
  let bike: { id: string };
  beforeAll(async () => {
    chatId = (await h.request('POST', '/v1/chats', { body: { title: 'search' } })).body.id;
    museum = (await h.request('POST', `/v1/chats/${chatId}/messages`, { body: { sender: 'a', role: 'user', content: 'the museum in lisbon was wonderful' } })).body;
    bike = (await h.request('POST', `/v1/chats/${chatId}/messages`, { body: { sender: 'a', role: 'user', content: 'my bicycle needs new tyres' } })).body;
  });

  it('searches by keyword, and by meaning once embeddings exist', async () => {
    const keyword = await h.request('POST', '/v1/search', { body: { text: 'lisbon museum', mode: 'keyword', chatId } });
    expect(keyword.status).toBe(200);
    expect(keyword.body.hits[0].node.id).toBe(museum.id);
    expect(keyword.body.hits[0].scores.keyword).toBeGreaterThan(0);

    const model = h.db.inference.info().embedding.model;
    const vectors = await h.db.inference.embed(['the museum in lisbon was wonderful', 'my bicycle needs new tyres']);
    await h.db.putEmbeddings([
      { nodeId: museum.id, model, vector: new Float32Array(vectors[0]!), contentHash: 'a' },
      { nodeId: bike.id, model, vector: new Float32Array(vectors[1]!), contentHash: 'b' },
    ]);
    const semantic = await h.request('POST', '/v1/search', { body: { text: 'museum in lisbon', mode: 'semantic', types: ['Message'], chatId, explain: true } });
    expect(semantic.body.hits[0].node.id).toBe(museum.id);
    expect(semantic.body.hits[0].scores.semantic).toBeGreaterThan(semantic.body.hits[1]?.scores.semantic ?? -1);
    expect(semantic.body.explain.stages.length).toBeGreaterThan(0);
    // The seed's call: `query` as the alias of `text`.
    const aliased = await h.request('POST', '/v1/search', { body: { query: 'lisbon museum', limit: 10, mode: 'keyword', chatId } });
    expect(aliased.status).toBe(200);
    expect(aliased.body.hits.map((hit: { node: { id: string } }) => hit.node.id)).toEqual(keyword.body.hits.map((hit: { node: { id: string } }) => hit.node.id));
    const hybrid = await h.request('POST', '/v1/search', { body: { text: 'bicycle', chatId } });
    expect(hybrid.body.hits[0].node.id).toBe(bike.id);
    expect(hybrid.body.hits[0].scores.fused).toBeGreaterThan(0);
  });

  it('answers converged queries and explains them', async () => {
    const res = await h.request('POST', '/v1/query', {
      body: { types: ['Message'], filters: { chatId: { eq: chatId } }, keyword: 'tyres', limit: 5, explain: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.hits.map((hit: { node: { id: string } }) => hit.node.id)).toEqual([bike.id]);
    expect(res.body.explain.plan.length).toBeGreaterThan(0);
    const ordered = await h.request('POST', '/v1/query', { body: { types: ['Message'], filters: { chatId: { eq: chatId } }, orderBy: { field: 'timestamp', direction: 'desc' } } });
    expect(ordered.body.hits.map((hit: { node: { id: string } }) => hit.node.id)).toEqual([bike.id, museum.id]);
  });

  it('finds shortest paths, and says null when there is none', async () => {
    const other = (await h.request('POST', '/v1/chats', { body: { title: 'island' } })).body;
    await h.request('POST', '/v1/edges', { body: { from: museum.id, to: bike.id, type: 'RELATED_TO' } });
    const path = await h.request('POST', '/v1/paths', { body: { from: museum.id, to: bike.id } });
    expect(path.status).toBe(200);
    expect(path.body.path).toMatchObject({ nodes: [museum.id, bike.id], length: 1, edges: [{ from: museum.id, to: bike.id, type: 'RELATED_TO' }] });
    const none = await h.request('POST', '/v1/paths', { body: { from: museum.id, to: other.id, maxDepth: 2 } });
    expect(none.body).toEqual({ path: null });
    const typed = await h.request('POST', '/v1/paths', { body: { from: museum.id, to: bike.id, edgeTypes: ['MENTIONS'] } });
    expect(typed.body.path).toBeNull();
  });

  it('rejects bad queries with the offending field', async () => {
    expectError(await h.request('POST', '/v1/search', { body: { text: '   ' } }), 400, 'INVALID_ARGUMENT', 'text');
    expectError(await h.request('POST', '/v1/search', { body: { text: 'x', mode: 'psychic' } }), 400, 'INVALID_ARGUMENT', 'mode');
    expectError(await h.request('POST', '/v1/search', { body: { text: 'x', limit: '10' } }), 400, 'INVALID_ARGUMENT', 'limit');
    // `query` is an alias of `text`: one of the two, not both.
    expectError(await h.request('POST', '/v1/search', { body: { limit: 3 } }), 400, 'INVALID_ARGUMENT', 'text');
    expectError(await h.request('POST', '/v1/search', { body: { text: 'x', query: 'y' } }), 400, 'INVALID_ARGUMENT', 'query');
    expectError(await h.request('POST', '/v1/search', { raw: 'paris' }), 400, 'INVALID_ARGUMENT', 'body');
    expectError(await h.request('POST', '/v1/query', { body: { filters: { timestamp: { gt: 'yesterday' } } } }), 400, 'INVALID_ARGUMENT', 'filters.timestamp.gt');
    expectError(await h.request('POST', '/v1/query', { body: { graph: { start: chatId, depth: 99 } } }), 400, 'INVALID_ARGUMENT', 'graph.depth');
    expectError(await h.request('POST', '/v1/query', { body: { types: ['Spaceship'] } }), 400, 'INVALID_ARGUMENT', 'types.0');
    expectError(await h.request('POST', '/v1/query', { body: { limit: 5, colour: 'red' } }), 400, 'INVALID_ARGUMENT', 'colour');
    expectError(await h.request('POST', '/v1/query', { body: 'everything' }), 400, 'INVALID_ARGUMENT');
    expectError(await h.request('POST', '/v1/query', { raw: '{"types": [' }), 400, 'INVALID_ARGUMENT', 'body');
    expectError(await h.request('POST', '/v1/paths', { body: { from: museum.id } }), 400, 'INVALID_ARGUMENT', 'to');
    expectError(await h.request('POST', '/v1/paths', { body: { from: museum.id, to: bike.id, maxDepth: 0 } }), 400, 'INVALID_ARGUMENT', 'maxDepth');
    expectError(await h.request('POST', '/v1/paths', { body: { from: MISSING_CHAT, to: bike.id } }), 404, 'NOT_FOUND', 'from');
    expectError(await h.request('POST', '/v1/paths', { body: { from: museum.id, to: MISSING_CHAT } }), 404, 'NOT_FOUND', 'to');
  });
});
