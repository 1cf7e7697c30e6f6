import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '@tabagent/common/testing';
import { Storage } from '@tabagent/storage';
import { cosine } from './cosine.js';
import { ExactVectorSearch } from './exact-vector-search.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function storage(): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-query-vec-'));
  const opened = await Storage.open(join(dir, 'db'));
  cleanups.push(async () => {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  });
  return opened;
}

function vector(random: () => number, dims = 12): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: dims }, () => random() - 0.5);
}

describe('ExactVectorSearch', () => {
  it('gives the same answers with vectors in memory, partly in memory, or read from the store', async () => {
    const db = await storage();
    const random = seededRandom(1);
    const chat = await db.insertNode({ type: 'Chat', title: 't' });
    const nodes = await db.insertNodes(Array.from({ length: 120 }, (_, i) => ({ type: 'Message' as const, chatId: chat.id, sender: 's', role: 'user' as const, content: `${i}` })));
    // Two embeddings for some nodes (the best one counts), another model for a few.
    const embeddings = [
      ...nodes.map((n) => ({ nodeId: n.id, model: 'm', vector: vector(random) })),
      ...nodes.slice(0, 20).map((n) => ({ nodeId: n.id, model: 'm', vector: vector(random) })),
      ...nodes.slice(0, 5).map((n) => ({ nodeId: n.id, model: 'other', vector: vector(random, 4) })),
    ];
    await db.putEmbeddings(embeddings);
    const query = vector(random);
    const expected = nodes
      .map((n) => ({ nodeId: n.id, score: Math.max(...embeddings.filter((e) => e.nodeId === n.id && e.model === 'm').map((e) => cosine(query, e.vector))) }))
      .sort((a, b) => b.score - a.score || (a.nodeId < b.nodeId ? -1 : 1));
    for (const cacheBytes of [0, 40 * 12 * 4, 1 << 20]) {
      const search = await ExactVectorSearch.open(db, { cacheBytes });
      await search.ready();
      expect(search.cachedBytes).toBeLessThanOrEqual(Math.max(cacheBytes, 0));
      const { results, mode } = await search.search(query, { k: 7, model: 'm' });
      expect(mode).toBe('exact');
      expect(results.map((r) => r.nodeId)).toEqual(expected.slice(0, 7).map((e) => e.nodeId));
      results.forEach((r, i) => expect(r.score).toBeCloseTo(expected[i]!.score, 12));
      const some = nodes.slice(10, 60).map((n) => n.id);
      const scored = await search.scoreNodes(query, some, { model: 'm' });
      expect(new Map(scored.map((h) => [h.nodeId, h.score]))).toEqual(new Map(expected.filter((e) => some.includes(e.nodeId)).map((e) => [e.nodeId, expect.closeTo(e.score, 12)])));
      const filtered = await search.search(query, { k: 3, model: 'm', filter: (id) => some.includes(id) });
      expect(filtered.results.map((r) => r.nodeId)).toEqual(expected.filter((e) => some.includes(e.nodeId)).slice(0, 3).map((e) => e.nodeId));
      expect(search.dims('m')).toBe(12);
      expect(search.models().sort()).toEqual(['m', 'other']);
      await search.close();
    }
  });

  it('follows commits: new, replaced and deleted embeddings', async () => {
    const db = await storage();
    const chat = await db.insertNode({ type: 'Chat', title: 't' });
    const search = await ExactVectorSearch.open(db);
    await search.ready();
    const [a, b] = await db.insertNodes([
      { type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'a' },
      { type: 'Message', chatId: chat.id, sender: 's', role: 'user', content: 'b' },
    ]);
    const [ea] = await db.putEmbeddings([
      { nodeId: a!.id, model: 'm', vector: new Float32Array([1, 0]) },
      { nodeId: b!.id, model: 'm', vector: new Float32Array([0, 1]) },
    ]);
    const top = async () => (await search.search(new Float32Array([1, 0]), { k: 2, model: 'm' })).results.map((r) => [r.nodeId, Math.round(r.score * 1000) / 1000]);
    expect(await top()).toEqual([[a!.id, 1], [b!.id, 0]]);
    await db.putEmbedding({ id: ea!.id, nodeId: a!.id, model: 'm', vector: new Float32Array([-1, 0]) });
    expect(await top()).toEqual([[b!.id, 0], [a!.id, -1]]);
    await db.deleteNode(b!.id);
    expect(await top()).toEqual([[a!.id, -1]]);
    await search.close();
    await expect(search.search(new Float32Array([1, 0]), { k: 1, model: 'm' })).rejects.toMatchObject({ code: 'NOT_OPEN' });
  });
});
