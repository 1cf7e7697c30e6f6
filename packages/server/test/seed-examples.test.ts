import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entityId, type Message } from '@tabagent/common';
import { startHarness, type HttpHarness } from './fixtures/http-server.js';

// The design seed's two examples (seeds/tabagent-embedded-db-architecture.md), sent as written.
describe("the seed's examples, verbatim", () => {
  let h: HttpHarness;
  beforeAll(async () => {
    h = await startHarness({ weaver: true });
  });
  afterAll(async () => h?.stop());

  it('Example 1: POST /chat/{id}/messages {"content"} stores a user message and the weaver links Alice, Bob and Paris', async () => {
    const chat = await h.db.createChat({ title: 'Example 1' });
    const res = await h.request<Message>('POST', `/chat/${chat.id}/messages`, { body: { content: 'Alice met Bob in Paris' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'Message', chatId: chat.id, content: 'Alice met Bob in Paris', role: 'user', sender: 'user' });
    await h.db.whenEnriched();
    const mentioned = (await h.db.entitiesMentionedIn(res.body.id)).map((m) => m.entity.id).sort();
    expect(mentioned).toEqual([entityId('PERSON', 'Alice'), entityId('PERSON', 'Bob'), entityId('LOCATION', 'Paris')].sort());
  });

  it('Example 2: POST /search {"query": "Paris conversations", "limit": 10} finds the messages about Paris first', async () => {
    const chat = await h.db.createChat({ title: 'Example 2' });
    const paris = [
      await chat.addMessage({ content: 'The Louvre in Paris was crowded on Sunday' }),
      await chat.addMessage({ content: 'We should take the night train to Paris next spring' }),
    ];
    const other = await chat.addMessage({ content: 'My bicycle needs new tyres before the race' });
    await h.db.whenEnriched();
    const res = await h.request('POST', '/search', { body: { query: 'Paris conversations', limit: 10 } });
    expect(res.status).toBe(200);
    const ids: string[] = res.body.hits.map((hit: { node: { id: string } }) => hit.node.id);
    for (const message of paris) expect(ids).toContain(message.id);
    // Whatever else ranks, the Paris messages rank above the unrelated one.
    const worstParis = Math.max(...paris.map((m) => ids.indexOf(m.id)));
    if (ids.includes(other.id)) expect(ids.indexOf(other.id)).toBeGreaterThan(worstParis);
  });
});
