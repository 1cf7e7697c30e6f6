import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentWeaverLogger } from '@tabagent/weaver';
import { SHUTDOWN_CLOSE_CODE, SLOW_CONSUMER_CLOSE_CODE } from '../src/index.js';
import { startHarness, type HttpHarness } from './fixtures/http-server.js';
import { TestSocket } from './fixtures/ws-client.js';

describe('WebSocket events (weaver off)', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHarness({ server: { wsMaxBufferedBytes: 64 * 1024 } });
  });
  afterAll(async () => h.stop());

  it('pushes the changes that pass the subscription filter, until unsubscribed', async () => {
    const a = (await h.request('POST', '/v1/chats', { body: { title: 'a' } })).body;
    const b = (await h.request('POST', '/v1/chats', { body: { title: 'b' } })).body;
    const ws = await TestSocket.connect(h.server.url);
    const ack = await ws.subscribe({ chatId: a.id, nodeKinds: ['Message'] });
    expect(ack).toEqual({ type: 'subscribed', filter: { chatId: a.id, nodeKinds: ['Message'] } });

    await h.request('POST', `/v1/chats/${b.id}/messages`, { body: { sender: 's', role: 'user', content: 'other chat' } });
    const mine = (await h.request('POST', `/v1/chats/${a.id}/messages`, { body: { sender: 's', role: 'user', content: 'hello' } })).body;
    const event = await ws.next((m) => m.type === 'event');
    expect(event.event).toMatchObject({ kind: 'change', change: { op: 'insert', entity: 'node', kind: 'Message', id: mine.id, chatId: a.id } });
    expect(event.event.seq).toBe(event.event.change.seq);
    await h.request('PATCH', `/v1/nodes/${mine.id}`, { body: { content: 'hello again' } });
    expect((await ws.next((m) => m.type === 'event')).event.change).toMatchObject({ op: 'update', id: mine.id, fields: ['content'] });
    expect(ws.received.filter((m) => m.type === 'event')).toEqual([]);

    ws.send({ unsubscribe: true });
    await ws.next((m) => m.type === 'unsubscribed');
    await h.request('POST', `/v1/chats/${a.id}/messages`, { body: { sender: 's', role: 'user', content: 'unheard' } });
    ws.send({ ping: 42 });
    expect(await ws.next((m) => m.type === 'pong')).toEqual({ type: 'pong', ping: 42 });
    expect(ws.received.filter((m) => m.type === 'event')).toEqual([]);
    ws.close();
  });

  it('answers bad messages with an error frame and keeps the connection', async () => {
    const ws = await TestSocket.connect(h.server.url);
    const cases: [unknown, string][] = [
      ['{not json', 'message'],
      [[1, 2], 'message'],
      [{ subscribe: { kinds: ['gossip'] } }, 'subscribe.kinds.0'],
      [{ subscribe: { chatId: 7 } }, 'subscribe.chatId'],
      [{ subscribe: { colour: 'red' } }, 'subscribe'],
      [{ subscribe: {}, extra: 1 }, 'message'],
      [{ unsubscribe: 'yes' }, 'message'],
    ];
    for (const [message, field] of cases) {
      ws.send(message);
      const reply = await ws.next((m) => m.type === 'error');
      expect(reply.error, JSON.stringify(message)).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    }
    ws.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await ws.next((m) => m.type === 'error')).error.field).toBe('message');
    expect(ws.ws.readyState).toBe(ws.ws.OPEN);
    ws.close();
  });

  it('closes a connection that sends a message over the size limit (1009)', async () => {
    const ws = await TestSocket.connect(h.server.url);
    ws.send({ ping: 'x'.repeat(70 * 1024) });
    expect((await ws.closed).code).toBe(1009);
  });

  it('drops a client that stops reading, without ever holding up writes', async () => {
    const chat = (await h.request('POST', '/v1/chats', { body: { title: 'firehose' } })).body;
    const slow = await TestSocket.connect(h.server.url);
    await slow.subscribe({ chatId: chat.id });
    const fast = await TestSocket.connect(h.server.url);
    await fast.subscribe({ chatId: chat.id, kinds: ['change'] });
    slow.ws.pause();

    let written = 0;
    let dropped = 0;
    for (let round = 0; round < 200 && dropped === 0; round++) {
      const nodes = Array.from({ length: 500 }, (_, i) => ({ type: 'Message', chatId: chat.id, sender: 'bulk', role: 'user', content: `message ${round}-${i}` }));
      const res = await h.request('POST', '/v1/nodes/batch', { body: { nodes } });
      expect(res.status).toBe(201);
      written += nodes.length;
      dropped = (await h.request('GET', '/v1/health')).body.components.websocket.dropped;
    }
    expect(dropped).toBe(1);
    slow.ws.resume();
    expect((await slow.closed).code).toBe(SLOW_CONSUMER_CLOSE_CODE);
    // The reader that kept up got every change, in order.
    const last = await fast.next((m) => m.type === 'event' && m.event.change.seq === h.db.lastSeq, 30_000);
    expect(last.event.change.kind).toBe('Message');
    const health = (await h.request('GET', '/v1/health')).body.components.websocket;
    expect(health).toEqual({ clients: 1, dropped: 1 });
    expect((await h.db.chat(chat.id)).id).toBe(chat.id);
    expect((await h.db.chatMessages(chat.id, { limit: 1 })).total).toBe(written);
    fast.close();
  });
});

describe('WebSocket enrichment events (weaver on)', () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHarness({ db: { weaver: { logger: silentWeaverLogger } } });
  });
  afterAll(async () => h.stop());

  it('delivers the enrichment events of a message the client posted', async () => {
    const chat = (await h.request('POST', '/v1/chats', { body: { title: 'Paris trip' } })).body;
    const ws = await TestSocket.connect(h.server.url);
    await ws.subscribe({ chatId: chat.id, kinds: ['enriched'] });
    const message = (await h.request('POST', `/v1/chats/${chat.id}/messages`, { body: { sender: 'alice', role: 'user', content: 'Alice met Bob in Paris last May.' } })).body;

    const embedded = await ws.next((m) => m.event?.module === 'semantic-indexer' && m.event.nodeId === message.id, 30_000);
    expect(embedded.event).toMatchObject({ kind: 'enriched', nodeId: message.id, chatId: chat.id, nodeKind: 'Message' });
    const linked = await ws.next((m) => m.event?.module === 'entity-linker' && m.event.nodeId === message.id, 30_000);
    expect(linked.event.chatId).toBe(chat.id);
    expect(ws.received.every((m) => m.type === 'event' && m.event.kind === 'enriched' && m.event.chatId === chat.id)).toBe(true);

    // What the events announced is there.
    expect((await h.request('GET', `/v1/nodes/${message.id}/embedding`)).status).toBe(200);
    const entities = (await h.request('GET', `/v1/nodes/${message.id}/entities`)).body.items.map((m: { entity: { label: string } }) => m.entity.label);
    expect(entities).toEqual(expect.arrayContaining(['Paris']));
    ws.close();
  });
});

describe('heartbeat', () => {
  it('cuts off a client that stops answering pings, and keeps one that answers', async () => {
    const h = await startHarness({ server: { wsHeartbeatMs: 500 } });
    try {
      const alive = await TestSocket.connect(h.server.url);
      const silent = new WebSocket(`${h.server.url.replace('http', 'ws')}/v1/ws`, { autoPong: false });
      const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
      await new Promise((resolve) => silent.once('open', resolve));
      expect(await closed).toBe(1006);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(alive.ws.readyState).toBe(alive.ws.OPEN);
      expect((await h.request('GET', '/v1/health')).body.components.websocket.clients).toBe(1);
      alive.close();
    } finally {
      await h.stop();
    }
  });
});

describe('shutdown', () => {
  it('closes WebSockets with 1001 and leaves the database open', async () => {
    const h = await startHarness();
    try {
      const ws = await TestSocket.connect(h.server.url);
      await ws.subscribe({});
      await h.server.close();
      expect((await ws.closed).code).toBe(SHUTDOWN_CLOSE_CODE);
      expect(h.db.status).toBe('open');
      await expect(fetch(`${h.server.url}/v1/health`)).rejects.toThrow();
      await h.server.close();
    } finally {
      await h.stop();
    }
  });
});
