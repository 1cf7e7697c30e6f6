import { describe, expect, it } from 'vitest';
import { embeddingSpace } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import type { Storage } from '@tabagent/storage';
import { expansionSearchFor } from './protocol.js';
import { VectorIndex } from './vector-index.js';
import type { VectorIndexOptions } from './vector-options.js';
import { bruteForce, errorCode, expectSameHits, insertMessages, onCleanup, openStorage, randomVector } from './test-support.js';

// These tests check our layer (mapping, updates, deletes, deltas, merging) against brute
// force, so the graph must find the exact neighbours: a candidate list longer than the
// sets, and one insert thread (concurrent inserts under heavy churn occasionally leave a
// node unreachable: an HNSW recall matter, measured by the benchmark, not a consistency one).
const EXACT: VectorIndexOptions = { expansionSearch: 512, expansionAdd: 128, threads: 1 };

async function openIndex(storage: Storage, options: VectorIndexOptions = {}): Promise<VectorIndex> {
  const index = await VectorIndex.open(storage, { ...EXACT, ...options });
  onCleanup(() => index.close());
  await index.whenReady();
  return index;
}

describe('VectorIndex search', () => {
  it('returns the exact nearest neighbours with cosine scores on a small set', async () => {
    const storage = await openStorage();
    const [a, b, c, d] = await insertMessages(storage, 4);
    await storage.putEmbeddings([
      { nodeId: a!, model: 'tiny', vector: Float32Array.of(1, 0, 0) },
      { nodeId: b!, model: 'tiny', vector: Float32Array.of(2, 2, 0) }, // length does not matter: cosine
      { nodeId: c!, model: 'tiny', vector: Float32Array.of(0, 0, 5) },
      { nodeId: d!, model: 'tiny', vector: Float32Array.of(-1, 0.1, 0) },
    ]);
    const index = await openIndex(storage);
    const { results, mode } = await index.search([3, 1, 0], { model: 'tiny', k: 3 });
    expect(mode).toBe('hnsw');
    expect(results.map((r) => r.nodeId)).toEqual([a, b, c]);
    expect(results[0]!.score).toBeCloseTo(3 / Math.sqrt(10), 5);
    expect(results[1]!.score).toBeCloseTo(4 / Math.sqrt(20), 5);
    expect(results[2]!.score).toBeCloseTo(0, 5);
    expect((await index.search([3, 1, 0], { model: 'tiny', k: 10 })).results.map((r) => r.nodeId)).toEqual([a, b, c, d]);
    expect(index.count(embeddingSpace('tiny', 3))).toBe(4);
    expect(index.spaces()).toEqual([{ space: 'tiny@3', model: 'tiny', dims: 3, count: 4 }]);
  });

  for (const [label, options] of [
    ['searched on the main thread (snapshot + delta)', { snapshotEvery: 25, exactCandidates: 5 }],
    ['searched on the main thread with most of the snapshot shadowed by later changes', { snapshotEvery: 0, exactCandidates: 5 }],
    ['searched in the worker (no delta kept)', { deltaLimit: 0, snapshotEvery: 0, exactCandidates: 5 }],
    ['switching between the two as the delta overflows and snapshots land', { deltaLimit: 6, snapshotEvery: 30, exactCandidates: 5 }],
  ] as const) {
    it(`equals a brute-force scan through random inserts, updates and deletes — ${label}`, async () => {
      const storage = await openStorage();
      const random = seededRandom(label.length * 7919);
      let nodes = await insertMessages(storage, 40);
      const spaces = [
        { model: 'alpha', dims: 16 },
        { model: 'beta', dims: 8 },
      ];
      const live = new Map<string, { nodeId: string; model: string }>();
      const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)]!;
      // Some data before the index exists (built from the store), the rest live.
      const seed = await storage.putEmbeddings(nodes.map((nodeId, i) => ({ nodeId, model: spaces[i % 2]!.model, vector: randomVector(random, spaces[i % 2]!.dims) })));
      for (const e of seed) live.set(e.id, { nodeId: e.nodeId, model: e.model });
      const index = await openIndex(storage, options);

      for (let round = 0; round < 6; round++) {
        for (let op = 0; op < 30; op++) {
          const roll = random();
          if (roll < 0.35 || live.size === 0) {
            const space = pick(spaces);
            const [stored] = await storage.putEmbeddings([{ nodeId: pick(nodes), model: space.model, vector: randomVector(random, space.dims) }]);
            live.set(stored!.id, { nodeId: stored!.nodeId, model: stored!.model });
          } else if (roll < 0.6) {
            // Update in place, sometimes into the other space.
            const id = pick([...live.keys()]);
            const space = random() < 0.2 ? pick(spaces) : spaces.find((s) => s.model === live.get(id)!.model)!;
            await storage.putEmbeddings([{ id, nodeId: live.get(id)!.nodeId, model: space.model, vector: randomVector(random, space.dims) }]);
            live.set(id, { nodeId: live.get(id)!.nodeId, model: space.model });
          } else if (roll < 0.8) {
            const id = pick([...live.keys()]);
            await storage.deleteEmbedding(id);
            live.delete(id);
          } else if (roll < 0.9) {
            // Deleting a node cascades to its embeddings.
            const nodeId = pick(nodes);
            await storage.deleteNode(nodeId);
            nodes = nodes.filter((n) => n !== nodeId);
            for (const [id, e] of live) if (e.nodeId === nodeId) live.delete(id);
          } else {
            nodes.push(...(await insertMessages(storage, 3)));
          }
        }
        for (const space of spaces) {
          for (let q = 0; q < 4; q++) {
            const query = randomVector(random, space.dims);
            for (const k of [1, 5, 200]) {
              const { results, mode } = await index.search(query, { model: space.model, k });
              expect(mode).toBe('hnsw');
              expectSameHits(results, await bruteForce(storage, query, space.model, k));
            }
            // A filter and a candidate list (too large to score exactly) narrow the same search.
            const odd = (nodeId: string): boolean => nodeId.charCodeAt(nodeId.length - 1) % 2 === 1;
            const filtered = await index.search(query, { model: space.model, k: 5, filter: odd });
            expect(filtered.mode).toBe('hnsw');
            expectSameHits(filtered.results, await bruteForce(storage, query, space.model, 5, odd));
            const candidates = new Set(nodes.filter((_, i) => i % 3 === 0));
            const restricted = await index.search(query, { model: space.model, k: 5, candidates });
            expect(restricted.mode).toBe('hnsw');
            expectSameHits(restricted.results, await bruteForce(storage, query, space.model, 5, (id) => candidates.has(id)));
          }
        }
        const counts = new Map<string, number>();
        for (const e of live.values()) counts.set(e.model, (counts.get(e.model) ?? 0) + 1);
        const report = await index.verify();
        expect(report).toMatchObject({ ok: true, missing: 0, extra: 0, mismatched: 0 });
        for (const space of spaces) expect(index.count(embeddingSpace(space.model, space.dims))).toBe(counts.get(space.model) ?? 0);
      }
    });
  }

  it('ranks each node once, by its best embedding', async () => {
    const storage = await openStorage();
    const [a, b] = await insertMessages(storage, 2);
    await storage.putEmbeddings([
      { nodeId: a!, model: 'm', vector: Float32Array.of(1, 0) },
      { nodeId: a!, model: 'm', vector: Float32Array.of(0.9, 0.1) },
      { nodeId: b!, model: 'm', vector: Float32Array.of(0.5, 0.5) },
    ]);
    const index = await openIndex(storage);
    const { results } = await index.search([1, 0], { model: 'm', k: 2 });
    expect(results.map((r) => r.nodeId)).toEqual([a, b]);
    expect(results[0]!.score).toBeCloseTo(1, 5);
  });

  it('scores a candidate set exactly from the store', async () => {
    const storage = await openStorage();
    const random = seededRandom(5);
    const nodes = await insertMessages(storage, 30);
    await storage.putEmbeddings(nodes.map((nodeId) => ({ nodeId, model: 'm', vector: randomVector(random, 12) })));
    await storage.putEmbeddings(nodes.slice(0, 5).map((nodeId) => ({ nodeId, model: 'other', vector: randomVector(random, 12) })));
    const index = await openIndex(storage);
    const query = randomVector(random, 12);
    const subset = new Set(nodes.slice(3, 20));
    const scored = await index.scoreNodes(query, [...subset, 'msg_unknown'], { model: 'm' });
    expectSameHits(scored, await bruteForce(storage, query, 'm', 100, (id) => subset.has(id)));
    const small = await index.search(query, { model: 'm', k: 4, candidates: subset });
    expect(small.mode).toBe('exact');
    expectSameHits(small.results, await bruteForce(storage, query, 'm', 4, (id) => subset.has(id)));
    expect(await index.scoreNodes(query, nodes, { model: 'nobody' })).toEqual([]);
  });

  it('rejects bad input with clear errors and changes nothing', async () => {
    const storage = await openStorage();
    const [a] = await insertMessages(storage, 1);
    await storage.putEmbeddings([{ nodeId: a!, model: 'm', vector: Float32Array.of(1, 2, 3, 4) }]);
    const index = await openIndex(storage);
    const seq = storage.lastSeq;
    const search = (vector: unknown, options: Record<string, unknown> = {}) => () =>
      index.search(vector as Float32Array, { model: 'm', ...options } as never);
    expect(await errorCode(search([1, 2, 3]))).toBe('INVALID_ARGUMENT'); // model m has 4 dimensions
    expect(await errorCode(search([1, 2, 3, 4], { dims: 3 }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([1, Number.NaN, 3, 4]))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search(Float32Array.of(1, Infinity, 3, 4)))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([0, 0, 0, 0]))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([]))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search('1,2,3,4'))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([1, 2, 3, 4], { k: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([1, 2, 3, 4], { k: 2.5 }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([1, 2, 3, 4], { model: '' }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([1, 2, 3, 4], { filter: 'yes' }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([1, 2, 3, 4], { candidates: [1, 2] }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(search([1, 2, 3, 4], { model: 'unknown' }))).toBe('NOT_FOUND');
    expect(await errorCode(search([1, 2, 3, 4], { model: 'unknown', exact: true }))).toBe('NOT_FOUND');
    expect(await errorCode(() => index.scoreNodes([0, 0, 0, 0], [a!], { model: 'm' }))).toBe('INVALID_ARGUMENT');
    // Storage rejects bad vectors before anything is written, so the index never sees them.
    expect(await errorCode(() => storage.putEmbeddings([{ nodeId: a!, model: 'm', vector: Float32Array.of(0, 0, 0, 0) }]))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(() => storage.putEmbeddings([{ nodeId: a!, model: 'm', vector: Float32Array.of(1, Number.NaN, 0, 0) }]))).toBe('INVALID_ARGUMENT');
    expect(storage.lastSeq).toBe(seq);
    expect(index.count()).toBe(1);
    expect((await index.verify()).ok).toBe(true);
    expect(await errorCode(() => new VectorIndex(storage, { connectivity: 1 }))).toBe('INVALID_ARGUMENT');
    expect(await errorCode(() => new VectorIndex(storage, { waitMs: -1 }))).toBe('INVALID_ARGUMENT');
  });

  it('lengthens the search candidate list as a space grows, unless told a fixed one', async () => {
    expect([1, 250_000, 250_001, 2_500_000, 2_500_001].map((n) => expansionSearchFor('auto', n))).toEqual([64, 64, 128, 128, 256]);
    expect(expansionSearchFor(200, 5_000_000)).toBe(200);
    const storage = await openStorage();
    expect(new VectorIndex(storage).options.expansionSearch).toBe('auto');
    expect(new VectorIndex(storage, { expansionSearch: 96 }).options.expansionSearch).toBe(96);
    expect(await errorCode(() => new VectorIndex(storage, { expansionSearch: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('has an idempotent lifecycle and fails with NOT_OPEN once closed', async () => {
    const storage = await openStorage();
    const [a] = await insertMessages(storage, 1);
    await storage.putEmbeddings([{ nodeId: a!, model: 'm', vector: Float32Array.of(1, 0) }]);
    const index = new VectorIndex(storage);
    expect(index.status).toBe('closed');
    expect(await errorCode(() => index.search([1, 0], { model: 'm' }))).toBe('NOT_OPEN');
    await Promise.all([index.open(), index.open()]);
    expect(index.status).toBe('open');
    await index.whenReady();
    await Promise.all([index.close(), index.close()]);
    expect(index.status).toBe('closed');
    expect(await errorCode(() => index.search([1, 0], { model: 'm' }))).toBe('NOT_OPEN');
    expect(await errorCode(() => index.verify())).toBe('NOT_OPEN');
    {
      await using reopened = await VectorIndex.open(storage);
      await reopened.whenReady();
      expect((await reopened.search([1, 0], { model: 'm' })).results.map((r) => r.nodeId)).toEqual([a]);
    }
    const fresh = await VectorIndex.open(storage);
    onCleanup(() => fresh.close());
    expect(await errorCode(() => fresh.whenReady({ timeoutMs: 0 }))).toBe('TIMEOUT');
    const controller = new AbortController();
    controller.abort();
    expect(await errorCode(() => fresh.search([1, 0], { model: 'm', signal: controller.signal }))).toBe('ABORTED');
    await fresh.whenReady();
    const closedStorage = await openStorage();
    await closedStorage.close();
    expect(await errorCode(() => VectorIndex.open(closedStorage))).toBe('NOT_OPEN');
  });
});
