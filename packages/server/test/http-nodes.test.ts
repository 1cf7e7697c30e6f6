import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type HttpHarness } from './fixtures/http-server.js';

const MISSING_NODE = 'msg_01NOPE0000000000000000000';
const MISSING_EDGE = 'edge_01NOPE000000000000000000';

let h: HttpHarness;
let chatId: string;

beforeAll(async () => {
  h = await startHarness({ server: { bodyLimit: 64 * 1024 } });
  chatId = (await h.request('POST', '/v1/chats', { body: { title: 'nodes' } })).body.id;
});
afterAll(async () => h.stop());

describe('nodes', () => {
  it('creates, reads, patches and deletes a node of any kind', async () => {
    const created = await h.request('POST', '/v1/nodes', { body: { type: 'Bookmark', url: 'https://example.com', title: 'Example', tags: ['web'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'Bookmark', title: 'Example', tags: ['web'] });
    const id = created.body.id as string;
    expect(id).toMatch(/^bm/u);

    expect((await h.request('GET', `/v1/nodes/${id}`)).body).toEqual(created.body);

    const patched = await h.request('PATCH', `/v1/nodes/${id}`, { body: { title: 'Renamed', notes: 'kept for later' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id, title: 'Renamed', notes: 'kept for later' });
    const removed = await h.request('PATCH', `/v1/nodes/${id}`, { body: { notes: null } });
    expect(removed.body.notes).toBeUndefined();
    expect((await h.db.getNode(id)).type).toBe('Bookmark');

    const deleted = await h.request('DELETE', `/v1/nodes/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBe('');
    expect((await h.request('GET', `/v1/nodes/${id}`)).status).toBe(404);
    await expect(h.db.getNode(id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('inserts a batch atomically and looks nodes up by id in order', async () => {
    const batch = await h.request('POST', '/v1/nodes/batch', {
      body: {
        nodes: [
          { type: 'Message', chatId, sender: 'a', role: 'user', content: 'first', timestamp: 1 },
          { type: 'Entity', entityType: 'PERSON', label: 'Ada' },
        ],
      },
    });
    expect(batch.status).toBe(201);
    const [message, entity] = batch.body.items;
    expect(message).toMatchObject({ type: 'Message', content: 'first', chatId });
    expect(entity).toMatchObject({ type: 'Entity', label: 'Ada' });

    const lookup = await h.request('POST', '/v1/nodes/lookup', { body: { ids: [entity.id, MISSING_NODE, message.id] } });
    expect(lookup.status).toBe(200);
    expect(lookup.body.items.map((n: { id: string } | null) => n?.id ?? null)).toEqual([entity.id, null, message.id]);

    // One bad node fails the whole batch and stores nothing.
    const before = h.db.lastSeq;
    const bad = await h.request('POST', '/v1/nodes/batch', {
      body: { nodes: [{ type: 'Chat', title: 'ok' }, { type: 'Message', chatId: MISSING_NODE.replace('msg', 'chat'), sender: 'a', role: 'user', content: 'orphan' }] },
    });
    expect(bad.status).toBe(404);
    expect(bad.body.error.code).toBe('NOT_FOUND');
    expect(h.db.lastSeq).toBe(before);
  });

  it('lists the edges of a node and returns its embedding once it has one', async () => {
    const [a, b] = (await h.request('POST', '/v1/nodes/batch', { body: { nodes: [{ type: 'Chat', title: 'a' }, { type: 'Chat', title: 'b' }] } })).body.items;
    const edge = (await h.request('POST', '/v1/edges', { body: { from: a.id, to: b.id, type: 'RELATED_TO', weight: 0.5 } })).body;
    expect((await h.request('GET', `/v1/nodes/${a.id}/edges`)).body.items.map((e: { id: string }) => e.id)).toEqual([edge.id]);
    expect((await h.request('GET', `/v1/nodes/${a.id}/edges?direction=in`)).body.items).toEqual([]);
    expect((await h.request('GET', `/v1/nodes/${b.id}/edges?direction=in&type=RELATED_TO`)).body.items).toHaveLength(1);
    expect((await h.request('GET', `/v1/nodes/${b.id}/edges?type=MENTIONS`)).body.items).toEqual([]);

    const none = await h.request('GET', `/v1/nodes/${a.id}/embedding`);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('NOT_FOUND');
    const model = h.db.inference.info().embedding.model;
    const [vector] = await h.db.inference.embed(['chat a']);
    await h.db.putEmbeddings([{ nodeId: a.id, model, vector: new Float32Array(vector!), contentHash: 'x' }]);
    const embedding = await h.request('GET', `/v1/nodes/${a.id}/embedding`);
    expect(embedding.status).toBe(200);
    expect(embedding.body).toMatchObject({ nodeId: a.id, model, dims: vector!.length });
    expect(embedding.body.vector).toHaveLength(vector!.length);
    expect(embedding.body.vector[0]).toBeCloseTo(vector![0]!, 6);
  });

  it('rejects bad input with a 4xx JSON body naming the code and field', async () => {
    const cases: { method: string; path: string; body?: unknown; raw?: string; headers?: Record<string, string>; status: number; code: string; field?: string }[] = [
      { method: 'POST', path: '/v1/nodes', raw: '{"type": "Chat", ', status: 400, code: 'INVALID_ARGUMENT', field: 'body' },
      { method: 'POST', path: '/v1/nodes', raw: '', status: 400, code: 'INVALID_ARGUMENT', field: 'body' },
      { method: 'POST', path: '/v1/nodes', body: [1, 2], status: 400, code: 'INVALID_ARGUMENT', field: 'body' },
      { method: 'POST', path: '/v1/nodes', body: { type: 'Spaceship' }, status: 400, code: 'INVALID_ARGUMENT', field: 'type' },
      { method: 'POST', path: '/v1/nodes', body: { type: 'Chat', title: 42 }, status: 400, code: 'INVALID_ARGUMENT', field: 'title' },
      { method: 'POST', path: '/v1/nodes', body: { type: 'Chat', title: 't', colour: 'red' }, status: 400, code: 'INVALID_ARGUMENT' },
      { method: 'POST', path: '/v1/nodes', body: { type: 'Message', chatId, sender: 'a', role: 'robot', content: 'x' }, status: 400, code: 'INVALID_ARGUMENT', field: 'role' },
      { method: 'POST', path: '/v1/nodes', raw: 'type=Chat', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415, code: 'UNSUPPORTED', field: 'body' },
      { method: 'POST', path: '/v1/nodes/batch', body: { nodes: [] }, status: 400, code: 'INVALID_ARGUMENT', field: 'nodes' },
      { method: 'POST', path: '/v1/nodes/batch', body: { nodes: [{ type: 'Chat', title: 'ok' }, { type: 'Chat' }] }, status: 400, code: 'INVALID_ARGUMENT', field: 'nodes.1.title' },
      { method: 'POST', path: '/v1/nodes/lookup', body: { ids: 'abc' }, status: 400, code: 'INVALID_ARGUMENT', field: 'ids' },
      { method: 'GET', path: `/v1/nodes/${MISSING_NODE}`, status: 404, code: 'NOT_FOUND' },
      { method: 'PATCH', path: `/v1/nodes/${MISSING_NODE}`, body: { content: 'x' }, status: 404, code: 'NOT_FOUND' },
      { method: 'PATCH', path: `/v1/nodes/${chatId}`, body: { title: 7 }, status: 400, code: 'INVALID_ARGUMENT', field: 'title' },
      { method: 'PATCH', path: `/v1/nodes/${chatId}`, body: { id: 'other' }, status: 400, code: 'INVALID_ARGUMENT', field: 'id' },
      { method: 'PATCH', path: `/v1/nodes/${chatId}`, body: 'title', status: 400, code: 'INVALID_ARGUMENT', field: 'body' },
      { method: 'DELETE', path: `/v1/nodes/${MISSING_NODE}`, status: 404, code: 'NOT_FOUND' },
      { method: 'GET', path: `/v1/nodes/${MISSING_NODE}/edges`, status: 404, code: 'NOT_FOUND' },
      { method: 'GET', path: `/v1/nodes/${chatId}/edges?direction=sideways`, status: 400, code: 'INVALID_ARGUMENT', field: 'direction' },
      { method: 'GET', path: `/v1/nodes/${MISSING_NODE}/embedding`, status: 404, code: 'NOT_FOUND' },
      { method: 'GET', path: `/v1/nodes/${'x'.repeat(300)}`, status: 400, code: 'INVALID_ARGUMENT', field: 'id' },
      { method: 'POST', path: '/v1/nodes', body: { type: 'ScrapedPage', url: 'https://a.b', content: 'x'.repeat(70 * 1024) }, status: 413, code: 'TOO_LARGE', field: 'body' },
    ];
    for (const c of cases) {
      const res = await h.request(c.method, c.path, { ...(c.body === undefined ? {} : { body: c.body }), ...(c.raw === undefined ? {} : { raw: c.raw }), ...(c.headers ? { headers: c.headers } : {}) });
      const label = `${c.method} ${c.path.slice(0, 60)} ${JSON.stringify(c.body ?? c.raw ?? '').slice(0, 60)}`;
      expect(res.status, label).toBe(c.status);
      expect(res.headers.get('content-type'), label).toMatch(/^application\/json/u);
      expect(res.body.error.code, label).toBe(c.code);
      expect(typeof res.body.error.message, label).toBe('string');
      if (c.field !== undefined) expect(res.body.error.field, label).toBe(c.field);
    }
  });
});

describe('edges', () => {
  it('creates, reads and deletes an edge', async () => {
    const [a, b] = (await h.request('POST', '/v1/nodes/batch', { body: { nodes: [{ type: 'Chat', title: 'x' }, { type: 'Chat', title: 'y' }] } })).body.items;
    const created = await h.request('POST', '/v1/edges', { body: { from: a.id, to: b.id, type: 'RELATED_TO', metadata: { why: 'test' } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ from: a.id, to: b.id, type: 'RELATED_TO', metadata: { why: 'test' } });
    const got = await h.request('GET', `/v1/edges/${created.body.id}`);
    expect(got.body).toEqual(created.body);
    expect((await h.request('DELETE', `/v1/edges/${created.body.id}`)).status).toBe(204);
    expect((await h.request('GET', `/v1/edges/${created.body.id}`)).status).toBe(404);
    expect(await h.db.edgesOf(a.id)).toEqual([]);
  });

  it('rejects bad edges', async () => {
    const cases: { method: string; path: string; body?: unknown; status: number; code: string; field?: string }[] = [
      { method: 'POST', path: '/v1/edges', body: { from: chatId, to: MISSING_NODE, type: 'RELATED_TO' }, status: 404, code: 'NOT_FOUND' },
      { method: 'POST', path: '/v1/edges', body: { from: chatId, to: chatId, type: 'lower case' }, status: 400, code: 'INVALID_ARGUMENT', field: 'type' },
      { method: 'POST', path: '/v1/edges', body: { from: chatId, type: 'RELATED_TO' }, status: 400, code: 'INVALID_ARGUMENT', field: 'to' },
      { method: 'POST', path: '/v1/edges', body: { from: chatId, to: chatId, type: 'RELATED_TO', weight: 'heavy' }, status: 400, code: 'INVALID_ARGUMENT', field: 'weight' },
      { method: 'GET', path: `/v1/edges/${MISSING_EDGE}`, status: 404, code: 'NOT_FOUND' },
      { method: 'DELETE', path: `/v1/edges/${MISSING_EDGE}`, status: 404, code: 'NOT_FOUND' },
    ];
    for (const c of cases) {
      const res = await h.request(c.method, c.path, c.body === undefined ? {} : { body: c.body });
      const label = `${c.method} ${c.path} ${JSON.stringify(c.body ?? '')}`;
      expect(res.status, label).toBe(c.status);
      expect(res.body.error.code, label).toBe(c.code);
      if (c.field !== undefined) expect(res.body.error.field, label).toBe(c.field);
    }
  });
});
