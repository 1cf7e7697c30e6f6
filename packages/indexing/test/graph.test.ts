import { describe, expect, it } from 'vitest';
import type { DbError, Edge } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import type { Direction } from '../src/index.js';
import { openIndexed } from './helpers.js';

function bruteNeighbors(edges: Edge[], id: string, direction: Direction, types?: string[]): string[] {
  const out = direction !== 'in' ? edges.filter((e) => e.from === id && (!types || types.includes(e.type))).map((e) => `out:${e.id}:${e.to}`) : [];
  const inc = direction !== 'out' ? edges.filter((e) => e.to === id && (!types || types.includes(e.type))).map((e) => `in:${e.id}:${e.from}`) : [];
  return [...out, ...inc].sort();
}

describe('graph index', () => {
  it('matches brute force, in memory and from persisted keys, through inserts and deletes', async () => {
    const { storage, indexing, dir } = await openIndexed();
    const random = seededRandom(7);
    const entities = await storage.insertNodes(Array.from({ length: 30 }, (_, i) => ({ type: 'Entity' as const, label: `e${i}`, entityType: 'MISC' })));
    const ids = entities.map((e) => e.id);
    const pick = () => ids[Math.floor(random() * ids.length)]!;
    const types = ['MENTIONS', 'RELATED_TO', 'IS_SEMANTICALLY_SIMILAR_TO'];
    for (let round = 0; round < 5; round++) {
      await storage.insertEdges(Array.from({ length: 40 }, () => ({ from: pick(), to: pick(), type: types[Math.floor(random() * 3)]!, weight: random() })));
      const edgeIds: string[] = [];
      for await (const chunk of storage.scanEdges()) edgeIds.push(...chunk.map((e) => e.id));
      await storage.deleteEdges(edgeIds.filter(() => random() < 0.15));
    }
    // Deleting nodes cascades their edges; the index must follow.
    await storage.deleteNodes([ids[3]!, ids[17]!]);
    await indexing.graph.ready();
    expect(indexing.graph.inMemory).toBe(true);

    const edges: Edge[] = [];
    for await (const chunk of storage.scanEdges()) edges.push(...chunk);
    const live = ids.filter((id) => id !== ids[3] && id !== ids[17]);
    const check = async (label: string): Promise<void> => {
      for (const id of live) {
        for (const direction of ['out', 'in', 'both'] as const) {
          for (const filter of [undefined, ['MENTIONS'], ['RELATED_TO', 'IS_SEMANTICALLY_SIMILAR_TO']]) {
            const got = (await indexing.graph.neighbors(id, { direction, edgeTypes: filter })).map((n) => `${n.direction}:${n.edgeId}:${n.nodeId}`).sort();
            expect(got, `${label} ${id} ${direction} ${filter}`).toEqual(bruteNeighbors(edges, id, direction, filter));
          }
        }
        expect(await indexing.graph.degree(id, { direction: 'both' })).toBe(bruteNeighbors(edges, id, 'both').length);
      }
    };
    await check('memory');
    // Without the mirror, lookups are range scans over the persisted keys.
    indexing.graph.unloadMirror();
    expect(indexing.graph.inMemory).toBe(false);
    await check('keys');
    await storage.close();
    // After a reopen the mirror is loaded from the keys again.
    const reopened = await openIndexed(dir);
    await reopened.indexing.graph.ready();
    expect(reopened.indexing.graph.inMemory).toBe(true);
    for (const report of await reopened.indexing.verify()) expect(report.ok, report.index).toBe(true);
  });

  it('keeps the mirror exact for writes that race its loading', async () => {
    const { storage, indexing, dir } = await openIndexed();
    const nodes = await storage.insertNodes(Array.from({ length: 50 }, (_, i) => ({ type: 'Entity' as const, label: `n${i}`, entityType: 'MISC' })));
    await storage.insertEdges(nodes.slice(1).map((n, i) => ({ from: nodes[i]!.id, to: n.id, type: 'RELATED_TO' })));
    await storage.close();
    const { storage: s2, indexing: i2 } = await openIndexed(dir);
    // Written while the mirror loads in the background.
    const late = await s2.insertEdge({ from: nodes[0]!.id, to: nodes[49]!.id, type: 'MENTIONS' });
    await i2.graph.ready();
    const out = i2.graph.neighborsSync(nodes[0]!.id, { direction: 'out' })!.map((n) => n.edgeId);
    expect(out).toContain(late.id);
    expect(out).toHaveLength(2);
  });

  it('finds the depth-limited neighbourhood like a reference BFS', async () => {
    const { storage, indexing } = await openIndexed();
    const nodes = await storage.insertNodes(Array.from({ length: 8 }, (_, i) => ({ type: 'Entity' as const, label: `n${i}`, entityType: 'MISC' })));
    const id = (i: number) => nodes[i]!.id;
    // 0→1→2→3→4, 0→5, 5→2, 6→0 (incoming), 7 isolated
    await storage.insertEdges([[0, 1], [1, 2], [2, 3], [3, 4], [0, 5], [5, 2], [6, 0]].map(([a, b]) => ({ from: id(a!), to: id(b!), type: 'RELATED_TO' })));
    await indexing.graph.ready();
    const hood = await indexing.graph.neighborhood(id(0), 2, { direction: 'out' });
    expect(Object.fromEntries([...hood].map(([k, v]) => [nodes.findIndex((n) => n.id === k), v]))).toEqual({ 0: 0, 1: 1, 5: 1, 2: 2 });
    const both = await indexing.graph.neighborhood(id(0), 1, { direction: 'both' });
    expect(new Set(both.keys())).toEqual(new Set([id(0), id(1), id(5), id(6)]));
    const code = await indexing.graph.neighborhood(id(0), 99).then(() => 'ok', (e: unknown) => (e as DbError).code);
    expect(code).toBe('INVALID_ARGUMENT');
    const dirCode = await indexing.graph.neighbors(id(0), { direction: 'sideways' as never }).then(() => 'ok', (e: unknown) => (e as DbError).code);
    expect(dirCode).toBe('INVALID_ARGUMENT');
  });
});
