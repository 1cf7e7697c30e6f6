import * as grpc from '@grpc/grpc-js';
import { entityId } from '@tabagent/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseClientConstructor, startGrpcServer, type GrpcServerHandle } from '../src/grpc/index.js';
import { DATABASE_UNARY_RPCS } from '../src/grpc/database-service.js';
import { fromProtoStruct, toProtoStruct } from '../src/grpc/proto-struct.js';
import { databaseClient, statusOf } from './fixtures/grpc-client.js';
import { openTestDb } from './fixtures/test-db.js';
import { until } from './fixtures/until.js';

type TestDb = Awaited<ReturnType<typeof openTestDb>>;
const fieldsOf = (node: { fields?: object }): Record<string, any> => fromProtoStruct(node.fields as never);
const changeListeners = (t: TestDb): number => t.db.subscriberCount;

/** Resolves once the server has the subscription live (it sends initial metadata then). */
const live = (stream: grpc.ClientReadableStream<unknown>): Promise<void> => new Promise((resolve) => stream.once('metadata', () => resolve()));
const ended = (stream: grpc.ClientReadableStream<unknown>): Promise<grpc.StatusObject> => new Promise((resolve) => stream.on('status', resolve));

describe('gRPC Database service', () => {
  let t: TestDb;
  let server: GrpcServerHandle;
  let c: ReturnType<typeof databaseClient>;

  beforeAll(async () => {
    t = await openTestDb({ extra: { storage: { maxRecordBytes: 64 * 1024 } } });
    server = await startGrpcServer(t.db, { port: 0 });
    c = databaseClient(server.address);
  });
  afterAll(async () => {
    c.close();
    await server.close();
    await t.cleanup();
  });

  it('implements every rpc of database.proto, on loopback', () => {
    const methods = Object.values(databaseClientConstructor().service).map((m) => m.originalName);
    expect(methods.sort()).toEqual([...DATABASE_UNARY_RPCS, 'subscribe'].map((n) => n[0]!.toLowerCase() + n.slice(1)).sort());
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('CRUDs nodes of any kind: InsertNodes, GetNode, GetNodes, UpdateNode, DeleteNode', async () => {
    const { nodes } = await c.unary('InsertNodes', {
      nodes: [
        { type: 'Bookmark', fields: toProtoStruct({ url: 'https://example.org', title: 'Example', notes: 'read later', metadata: { stars: 5 } }) },
        { type: 'ScrapedPage', fields: toProtoStruct({ url: 'https://example.org/a', content: 'page text' }) },
      ],
    });
    expect(nodes.map((n: { type: string }) => n.type)).toEqual(['Bookmark', 'ScrapedPage']);
    const [bookmark, page] = nodes;
    const got = await c.unary('GetNode', { id: bookmark.id });
    expect(got).toMatchObject({ id: bookmark.id, type: 'Bookmark', createdAt: bookmark.createdAt });
    expect(fieldsOf(got)).toMatchObject({ url: 'https://example.org', title: 'Example', notes: 'read later', metadata: { stars: 5 } });

    const many = await c.unary('GetNodes', { ids: [page.id, 'bm_01NOPE0000000000000000000', bookmark.id] });
    expect(many.nodes.map((n: { found: boolean; node?: { id: string } }) => [n.found, n.node?.id])).toEqual([
      [true, page.id],
      [false, undefined],
      [true, bookmark.id],
    ]);

    const updated = await c.unary('UpdateNode', { id: bookmark.id, patch: toProtoStruct({ title: 'Renamed', notes: null }) });
    expect(fieldsOf(updated).title).toBe('Renamed');
    expect(fieldsOf(updated)).not.toHaveProperty('notes');
    expect(updated.updatedAt).toBeGreaterThanOrEqual(bookmark.updatedAt);
    expect((await t.db.getNode(bookmark.id)) as { title: string }).toMatchObject({ title: 'Renamed' });

    expect(await c.unary('DeleteNode', { id: page.id })).toEqual({ id: page.id, deleted: true });
    expect((await statusOf(c.unary('GetNode', { id: page.id }))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('CRUDs edges: InsertEdge, GetEdge, ListEdges, DeleteEdge', async () => {
    const a = await c.unary('CreateChat', { title: 'a' });
    const b = await c.unary('CreateChat', { title: 'b' });
    const edge = await c.unary('InsertEdge', { fromId: a.id, toId: b.id, type: 'RELATED_TO', weight: 0.75, metadata: toProtoStruct({ why: 'test' }) });
    expect(edge).toMatchObject({ fromId: a.id, toId: b.id, type: 'RELATED_TO', weight: 0.75 });
    expect(fromProtoStruct(edge.metadata)).toEqual({ why: 'test' });
    expect(await c.unary('GetEdge', { id: edge.id })).toMatchObject({ id: edge.id, fromId: a.id });
    expect((await c.unary('ListEdges', { nodeId: b.id })).edges.map((e: { id: string }) => e.id)).toEqual([edge.id]);
    expect(await c.unary('DeleteEdge', { id: edge.id })).toEqual({ id: edge.id, deleted: true });
    expect((await c.unary('ListEdges', { nodeId: b.id })).edges).toEqual([]);
    expect((await statusOf(c.unary('GetEdge', { id: edge.id }))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('creates chats and messages and pages them: CreateChat, GetChat, ListChats, AddMessage, ListMessages', async () => {
    const chat = await c.unary('CreateChat', { title: 'Trip planning', tags: ['travel'], metadata: toProtoStruct({ source: 'grpc' }) });
    expect(fieldsOf(chat)).toMatchObject({ title: 'Trip planning', tags: ['travel'], metadata: { source: 'grpc' } });
    expect(await c.unary('GetChat', { id: chat.id })).toMatchObject({ id: chat.id, type: 'Chat' });
    for (const [i, content] of ['Paris in May?', 'Yes, Paris!', 'Book the train'].entries()) {
      const msg = await c.unary('AddMessage', { chatId: chat.id, sender: i % 2 ? 'bot' : 'alice', role: i % 2 ? 'assistant' : 'user', content, timestamp: 1_000 + i });
      expect(fieldsOf(msg)).toMatchObject({ chatId: chat.id, content, timestamp: 1_000 + i });
    }
    const first = await c.unary('ListMessages', { chatId: chat.id, limit: 2 });
    expect(first.items.map((m: object) => fieldsOf(m).content)).toEqual(['Paris in May?', 'Yes, Paris!']);
    expect(first).toMatchObject({ total: 3, nextOffset: 2 });
    const desc = await c.unary('ListMessages', { chatId: chat.id, order: 'desc' });
    expect(desc.items.map((m: object) => fieldsOf(m).content)).toEqual(['Book the train', 'Yes, Paris!', 'Paris in May?']);
    expect(desc.nextOffset).toBeUndefined();
    const chats = await c.unary('ListChats', { limit: 50 });
    expect(chats.items[0].id).toBe(chat.id);
    expect(chats.total).toBeGreaterThanOrEqual(1);
  });

  it('answers Search, Query, FindShortestPath, EntitiesMentionedIn, NodesMentioning and RelatedChats', async () => {
    const rome = await c.unary('CreateChat', { title: 'Rome' });
    const other = await c.unary('CreateChat', { title: 'Other' });
    const m1 = await c.unary('AddMessage', { chatId: rome.id, sender: 'a', role: 'user', content: 'Ada visited the colosseum in Rome' });
    const m2 = await c.unary('AddMessage', { chatId: other.id, sender: 'a', role: 'user', content: 'Ada wrote about engines' });
    const ada = entityId('PERSON', 'Ada');
    await c.unary('InsertNodes', { nodes: [{ type: 'Entity', fields: toProtoStruct({ id: ada, label: 'Ada', entityType: 'PERSON' }) }] });
    for (const m of [m1, m2]) await c.unary('InsertEdge', { fromId: m.id, toId: ada, type: 'MENTIONS', weight: 0.9 });

    const search = await c.unary('Search', { text: 'colosseum', mode: 'keyword', types: ['Message'] });
    expect(search.hits.map((h: { node: { id: string } }) => h.node.id)).toEqual([m1.id]);
    expect(search.hits[0].scores.keyword).toBeGreaterThan(0);
    expect(search.total).toBe(1);

    const query = await c.unary('Query', {
      query: toProtoStruct({ types: ['Message'], filters: { chatId: { eq: other.id } }, graph: { start: ada, direction: 'in', edgeTypes: ['MENTIONS'] }, explain: true }),
    });
    expect(query.hits.map((h: { node: { id: string } }) => h.node.id)).toEqual([m2.id]);
    expect(query.hits[0].graphDepth).toBe(1);
    expect(fromProtoStruct(query.explain)).toHaveProperty('stages');

    const path = await c.unary('FindShortestPath', { fromId: m1.id, toId: m2.id, direction: 'both', edgeTypes: ['MENTIONS'] });
    expect(path).toMatchObject({ found: true, nodes: [m1.id, ada, m2.id], length: 2 });
    expect(path.edges.map((e: { fromId: string; toId: string }) => [e.fromId, e.toId])).toEqual([
      [m1.id, ada],
      [m2.id, ada],
    ]);
    expect(await c.unary('FindShortestPath', { fromId: m1.id, toId: m2.id })).toMatchObject({ found: false, nodes: [], length: 0 });

    const mentions = await c.unary('EntitiesMentionedIn', { nodeId: m1.id });
    expect(mentions.mentions.map((m: { entity: { id: string }; mentions: number; weight: number }) => [m.entity.id, m.mentions, m.weight])).toEqual([[ada, 1, 0.9]]);

    const byId = await c.unary('NodesMentioning', { entityId: ada, types: ['Message'] });
    expect(byId.items.map((n: { id: string }) => n.id).sort()).toEqual([m1.id, m2.id].sort());
    const byKey = await c.unary('NodesMentioning', { key: { entityType: 'PERSON', label: 'Ada' }, limit: 1 });
    expect(byKey).toMatchObject({ total: 2, nextOffset: 1 });

    const related = await c.unary('RelatedChats', { chatId: rome.id });
    expect(related.chats[0].chat.id).toBe(other.id);
    expect(related.chats[0].sharedEntities).toEqual([ada]);
    expect(related.chats[0].score).toBeGreaterThan(0);
  });

  it('reports the weaver and sets the activity level', async () => {
    expect(await c.unary('GetWeaverStatus')).toEqual({ enabled: false });
    expect(await c.unary('SetActivityLevel', { level: 'sleep' })).toEqual({ level: 'sleep' });
    expect(t.db.activityLevel).toBe('sleep');
    expect(await c.unary('SetActivityLevel', { level: 'high' })).toEqual({ level: 'high' });
    expect(t.db.activityLevel).toBe('high');
  });

  it('maps DbError codes to status codes, with the exact code and field in trailers', async () => {
    const missing = await statusOf(c.unary('GetNode', { id: 'msg_01NOPE00000000000000000000' }));
    expect(missing).toMatchObject({ code: grpc.status.NOT_FOUND, dbCode: 'NOT_FOUND' });

    const chat = await c.unary('CreateChat', { title: 'errors' });
    const badRole = await statusOf(c.unary('AddMessage', { chatId: chat.id, sender: 'a', role: 'robot', content: 'x' }));
    expect(badRole).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, dbCode: 'INVALID_ARGUMENT', field: 'role' });
    expect(badRole.details).toContain('role');
    expect(await statusOf(c.unary('Search', { text: '   ' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'text' });
    expect(await statusOf(c.unary('Search', { text: 'x', types: ['Planet'] }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'types.0' });
    expect(await statusOf(c.unary('Query', { query: toProtoStruct({ limit: 0 }) }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'limit' });
    expect(await statusOf(c.unary('SetActivityLevel', { level: 'frantic' }))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'level' });
    expect(await statusOf(c.unary('InsertNodes', { nodes: [{ type: 'Chat', fields: toProtoStruct({ title: 7 }) }] }))).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      field: 'nodes.0.title',
    });
    expect(await statusOf(c.unary('GetNode', {}))).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, field: 'id' });

    const dup = await statusOf(c.unary('InsertNodes', { nodes: [{ type: 'Chat', fields: toProtoStruct({ id: chat.id, title: 'again' }) }] }));
    expect(dup).toMatchObject({ code: grpc.status.ALREADY_EXISTS, dbCode: 'CONFLICT' });

    const huge = await statusOf(c.unary('AddMessage', { chatId: chat.id, sender: 'a', role: 'user', content: 'x'.repeat(100_000) }));
    expect(huge).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED, dbCode: 'TOO_LARGE' });
  });

  it('honours deadlines on unary calls', async () => {
    const chat = await c.unary('CreateChat', { title: 'deadline' });
    await t.db.insertNodes(Array.from({ length: 3_000 }, (_, i) => ({ type: 'Message' as const, chatId: chat.id, sender: 'a', role: 'user' as const, content: `note ${i} about trains and travel` })));
    const late = await statusOf(c.unary('Search', { text: 'trains travel note', mode: 'keyword', limit: 1000 }, { deadline: Date.now() + 1 }));
    expect(late.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    // The server is fine afterwards.
    expect((await c.unary('GetChat', { id: chat.id })).id).toBe(chat.id);
  });

  it('streams change events matching the filter, and drops the subscription when the client cancels', async () => {
    const baseline = changeListeners(t);
    const chatA = await c.unary('CreateChat', { title: 'A' });
    const chatB = await c.unary('CreateChat', { title: 'B' });
    const stream = c.subscribe({ kinds: ['change'], chatId: chatA.id });
    const events: any[] = [];
    stream.on('data', (e) => events.push(e));
    stream.on('error', () => {});
    const status = ended(stream);
    await live(stream);
    expect(changeListeners(t)).toBe(baseline + 1);
    await c.unary('AddMessage', { chatId: chatB.id, sender: 'a', role: 'user', content: 'not for A' });
    const msg = await c.unary('AddMessage', { chatId: chatA.id, sender: 'a', role: 'user', content: 'for A' });
    await until(() => events.length >= 1, 'the change event');
    expect(events[0].event).toBe('change');
    expect(events[0].change).toMatchObject({ op: 'insert', entity: 'node', id: msg.id, kind: 'Message', chatId: chatA.id });
    expect(events[0].change.seq).toBeGreaterThan(0);
    expect(events.every((e) => e.change.chatId === chatA.id)).toBe(true);
    stream.cancel();
    expect((await status).code).toBe(grpc.status.CANCELLED);
    await until(() => changeListeners(t) === baseline, 'the server to unsubscribe');
  });

  it('ends a subscription at its deadline and unsubscribes', async () => {
    const baseline = changeListeners(t);
    const stream = c.subscribe({}, { deadline: Date.now() + 400 });
    stream.on('data', () => {});
    stream.on('error', () => {});
    const status = ended(stream);
    await live(stream);
    expect(changeListeners(t)).toBe(baseline + 1);
    expect((await status).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    await until(() => changeListeners(t) === baseline, 'the server to unsubscribe');
  });

  it('rejects a bad filter', async () => {
    const stream = c.subscribe({ kinds: ['gossip'] });
    stream.on('data', () => {});
    stream.on('error', () => {});
    expect(await ended(stream)).toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });
});

describe('gRPC server safety', () => {
  it('needs a token off loopback, and checks it when it has one', async () => {
    const t = await openTestDb();
    try {
      await expect(startGrpcServer(t.db, { host: '0.0.0.0', port: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'token' } });
      await using server = await startGrpcServer(t.db, { port: 0, token: 'open-sesame' });
      const anonymous = databaseClient(server.address);
      const wrong = databaseClient(server.address, 'nope');
      const right = databaseClient(server.address, 'open-sesame');
      expect(await statusOf(anonymous.unary('ListChats'))).toMatchObject({ code: grpc.status.UNAUTHENTICATED, dbCode: 'UNAUTHENTICATED' });
      expect(await statusOf(wrong.unary('ListChats'))).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      const stream = anonymous.subscribe();
      stream.on('data', () => {});
      stream.on('error', () => {});
      expect(await ended(stream)).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      expect(await right.unary('ListChats')).toMatchObject({ total: 0 });
      for (const client of [anonymous, wrong, right]) client.close();
    } finally {
      await t.cleanup();
    }
  });

  it('drops a subscriber that falls too far behind, without holding up writes', async () => {
    const t = await openTestDb();
    try {
      await using server = await startGrpcServer(t.db, { port: 0, maxQueuedEvents: 50 });
      const c = databaseClient(server.address);
      const stream = c.subscribe({ kinds: ['change'] });
      stream.on('error', () => {});
      const status = ended(stream);
      await live(stream);
      const chat = await t.db.createChat({ title: 'burst' });
      await t.db.insertNodes(Array.from({ length: 500 }, (_, i) => ({ type: 'Message' as const, chatId: chat.id, sender: 'a', role: 'user' as const, content: `m${i}` })));
      stream.resume();
      const end = await status;
      expect(end.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(end.details).toContain('too slow');
      c.close();
    } finally {
      await t.cleanup();
    }
  });

  it('answers UNAVAILABLE once the database is closed', async () => {
    const t = await openTestDb();
    await using server = await startGrpcServer(t.db, { port: 0 });
    const c = databaseClient(server.address);
    await t.cleanup();
    expect(await statusOf(c.unary('ListChats'))).toMatchObject({ code: grpc.status.UNAVAILABLE, dbCode: 'NOT_OPEN' });
    c.close();
  });
});
