import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TIMESTAMP } from '@tabagent/common';
import { openTestDb } from './fixtures/test-db.js';
import { startTransports, type Transports } from './fixtures/transports.js';

/**
 * Issue 16, finding 1: one record dated at or past 2^48 ms made the id generator throw
 * on every later write until restart. Every transport now refuses such times with
 * `INVALID_ARGUMENT`, and the writer keeps working whatever it was sent.
 */
describe('timestamps the system cannot store (issue 16, finding 1)', () => {
  let t: Transports;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const opened = await openTestDb();
    cleanup = opened.cleanup;
    t = await startTransports(opened.db);
  });
  afterAll(async () => {
    await t.close();
    await cleanup();
  });

  /** A write of each kind over each transport still succeeds. */
  async function expectWritesWork(): Promise<void> {
    expect(await t.rest('POST', '/v1/chats', { title: 'after' })).toMatchObject({ ok: true });
    expect(await t.rest('POST', '/v1/nodes', { type: 'Bookmark', url: 'https://example.org/after', title: 'after' })).toMatchObject({ ok: true });
    expect(await t.grpc('CreateChat', { title: 'after' })).toMatchObject({ ok: true });
    expect(await t.native('chats.create', { title: 'after' })).toMatchObject({ ok: true });
    expect(await t.mcp('remember', { content: 'still writing' })).toMatchObject({ ok: true });
  }

  it('refuses a createdAt of 2^48 (and other unstorable times) on every transport, and later writes still succeed', async () => {
    for (const createdAt of [2 ** 48, 2 ** 53 - 1, MAX_TIMESTAMP + 1]) {
      const node = { type: 'Chat', title: 'poison', createdAt };
      expect(await t.rest('POST', '/v1/nodes', node), `REST ${createdAt}`).toEqual({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(await t.rest('POST', '/v1/nodes/batch', { nodes: [node] }), `REST batch ${createdAt}`).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(await t.native('nodes.insert', { nodes: [node] }), `native ${createdAt}`).toEqual({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(
        await t.grpc('InsertNodes', { nodes: [{ type: 'Chat', fields: { fields: { title: { stringValue: 'p' }, createdAt: { numberValue: createdAt } } } }] }),
        `gRPC ${createdAt}`,
      ).toEqual({ ok: false, code: 'INVALID_ARGUMENT' });
      expect(await t.rest('POST', '/v1/edges', { from: 'chat_a', to: 'chat_b', type: 'RELATED_TO', createdAt }), `edge ${createdAt}`).toEqual({
        ok: false,
        code: 'INVALID_ARGUMENT',
      });
      await expectWritesWork();
    }
    // gRPC's Struct carries doubles: Infinity and NaN reach the server as such.
    for (const createdAt of [Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(await t.grpc('InsertNodes', { nodes: [{ type: 'Chat', fields: { fields: { title: { stringValue: 'p' }, createdAt: { numberValue: createdAt } } } }] })).toEqual({
        ok: false,
        code: 'INVALID_ARGUMENT',
      });
      await expectWritesWork();
    }
    // A message's own timestamp is bounded the same way.
    const chat = await t.rest('POST', '/v1/chats', { title: 'c' });
    const id = (chat as { result: { id: string } }).result.id;
    expect(await t.rest('POST', `/v1/chats/${id}/messages`, { sender: 'a', role: 'user', content: 'x', timestamp: 2 ** 48 })).toEqual({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(await t.native('chats.addMessage', { chatId: id, sender: 'a', role: 'user', content: 'x', timestamp: 2 ** 48 })).toEqual({ ok: false, code: 'INVALID_ARGUMENT' });
    await expectWritesWork();
  });

  it('accepts the latest storable time, and ids made afterwards still carry the current time', async () => {
    const latest = await t.rest('POST', '/v1/nodes', { type: 'Chat', title: 'far future', createdAt: MAX_TIMESTAMP });
    expect(latest).toMatchObject({ ok: true, result: { createdAt: MAX_TIMESTAMP } });
    const before = Date.now();
    const next = (await t.rest('POST', '/v1/chats', { title: 'now' })) as { result: { id: string; createdAt: number } };
    expect(next.result.createdAt).toBeGreaterThanOrEqual(before);
    // The id's time part is now, not the year 9999 of the record before it.
    const ids = ((await t.rest('GET', '/v1/chats?limit=100')) as { result: { items: { id: string }[] } }).result.items.map((c) => c.id);
    expect(ids).toContain(next.result.id);
    expect(next.result.id < (latest as { result: { id: string } }).result.id).toBe(true);
  });
});
