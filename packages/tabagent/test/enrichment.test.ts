import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TabAgent, type TabAgentEvent } from '../src/index.js';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('TabAgent with the weaver (builtin ML in a worker thread)', () => {
  it('enriches a new message: embedding, entities with MENTIONS, events, status', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tabagent-enrich-'));
    dirs.push(dir);
    await using db = await TabAgent.open(dir, { ml: { provider: 'builtin' }, logger: { info: () => {}, warn: () => {} } });
    db.setActivityLevel('sleep');
    const events: TabAgentEvent[] = [];
    db.subscribe((e) => events.push(e), { kinds: ['enriched'] });
    const chat = await db.createChat({ title: 'travel' });
    const msg = await chat.addMessage({ sender: 'me', role: 'user', content: 'Alice met Bob in Paris last week.' });
    await db.whenEnriched({ timeoutMs: 60_000 });

    const embedding = await db.embeddingFor(msg.id);
    expect(embedding?.dims).toBe(db.inference.info().embedding.dimensions);
    const labels = (await db.entitiesMentionedIn(msg.id)).map((m) => m.entity.label).sort();
    expect(labels).toEqual(expect.arrayContaining(['Alice', 'Bob', 'Paris']));
    expect(events.some((e) => e.kind === 'enriched' && e.nodeId === msg.id)).toBe(true);
    const status = db.weaverStatus();
    expect(status?.lag).toBe(0);
    const semantic = await db.search('Alice and Bob in Paris', { mode: 'semantic', types: ['Message'] });
    expect(semantic.hits[0]?.node.id).toBe(msg.id);
  });
});
