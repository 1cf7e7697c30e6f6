import { describe, expect, it } from 'vitest';
import type { Edge, NewEdge } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import type { GraphPath } from '../src/index.js';
import { openDb } from './helpers.js';

const TYPES = ['RELATED_TO', 'REPLIES_TO', 'MENTIONS'];
type Direction = 'out' | 'in' | 'both';

/** Plain one-sided BFS over the edge list: hop distance from `from` to every node. */
function referenceDistances(edges: Edge[], from: string, direction: Direction, types: readonly string[] | undefined): Map<string, number> {
  const dist = new Map([[from, 0]]);
  let frontier = [from];
  for (let d = 1; frontier.length > 0; d++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of edges) {
        if (types && !types.includes(e.type)) continue;
        const others = [...(direction !== 'in' && e.from === id ? [e.to] : []), ...(direction !== 'out' && e.to === id ? [e.from] : [])];
        for (const o of others) if (!dist.has(o)) dist.set(o, d), next.push(o);
      }
    }
    frontier = next;
  }
  return dist;
}

function expectValidPath(path: GraphPath, from: string, to: string, edges: Map<string, Edge>, direction: Direction, types: readonly string[] | undefined): void {
  expect(path.nodes[0]).toBe(from);
  expect(path.nodes.at(-1)).toBe(to);
  expect(path.edges).toHaveLength(path.length);
  expect(new Set(path.nodes).size).toBe(path.nodes.length);
  path.edges.forEach((step, i) => {
    const edge = edges.get(step.id)!;
    expect(edge).toBeDefined();
    expect(step).toMatchObject({ type: edge.type, from: edge.from, to: edge.to });
    if (types) expect(types).toContain(edge.type);
    const [a, b] = [path.nodes[i]!, path.nodes[i + 1]!];
    const forward = edge.from === a && edge.to === b;
    const backward = edge.from === b && edge.to === a;
    expect(direction === 'out' ? forward : direction === 'in' ? backward : forward || backward).toBe(true);
  });
}

async function randomGraph(seed: number, nodes = 300, edgeCount = 900) {
  const db = await openDb();
  const random = seededRandom(seed);
  const chat = await db.storage.insertNode({ type: 'Chat', title: 'graph' });
  const stored = await db.storage.insertNodes(Array.from({ length: nodes }, (_, i) => ({ type: 'Message' as const, chatId: chat.id, sender: 's', role: 'user' as const, content: `node ${i}` })));
  const ids = stored.map((n) => n.id);
  const input: NewEdge[] = Array.from({ length: edgeCount }, () => ({
    from: ids[Math.floor(random() * nodes)]!,
    to: ids[Math.floor(random() * nodes)]!,
    type: TYPES[Math.floor(random() * TYPES.length)]!,
  }));
  const edges = await db.storage.insertEdges(input);
  await db.indexing.graph.ready();
  return { ...db, ids, edges, random };
}

describe('findShortestPath (bidirectional BFS)', () => {
  it('finds paths exactly as long as a reference BFS, for random pairs, directions, types and depth limits', async () => {
    const { engine, ids, edges, random } = await randomGraph(3);
    const byId = new Map(edges.map((e) => [e.id, e]));
    let found = 0;
    let missing = 0;
    for (let i = 0; i < 300; i++) {
      const from = ids[Math.floor(random() * ids.length)]!;
      const to = i % 25 === 0 ? from : ids[Math.floor(random() * ids.length)]!;
      const direction = (['out', 'in', 'both'] as const)[i % 3]!;
      const edgeTypes = random() < 0.4 ? [TYPES[Math.floor(random() * TYPES.length)]!, TYPES[0]!] : undefined;
      const maxDepth = 1 + Math.floor(random() * 6);
      const reference = referenceDistances(edges, from, direction, edgeTypes).get(to);
      const path = await engine.findShortestPath(from, to, { direction, edgeTypes, maxDepth });
      const context = `${from} → ${to} ${direction} ${edgeTypes?.join('|')} ≤${maxDepth}`;
      if (reference === undefined || reference > maxDepth) {
        expect(path, context).toBeUndefined();
        missing++;
      } else {
        expect(path?.length, context).toBe(reference);
        expectValidPath(path!, from, to, byId, direction, edgeTypes);
        found++;
      }
    }
    expect(found).toBeGreaterThan(80);
    expect(missing).toBeGreaterThan(20);
  });

  it('is bounded by maxVisited and cancellable', async () => {
    const { engine, ids, edges } = await randomGraph(4);
    const distances = referenceDistances(edges, ids[0]!, 'both', undefined);
    const far = [...distances].find(([, d]) => d >= 3)![0];
    await expect(engine.findShortestPath(ids[0]!, far, { direction: 'both', maxVisited: 5 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect((await engine.findShortestPath(ids[0]!, far, { direction: 'both' }))?.length).toBe(distances.get(far));
    const controller = new AbortController();
    controller.abort();
    await expect(engine.findShortestPath(ids[0]!, far, { signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('traverse and neighbors', () => {
  it('traverse returns every node within depth with its BFS depth and a valid edge path', async () => {
    const { engine, ids, edges, random } = await randomGraph(5);
    const byId = new Map(edges.map((e) => [e.id, e]));
    for (let i = 0; i < 30; i++) {
      const start = ids[Math.floor(random() * ids.length)]!;
      const direction = (['out', 'in', 'both'] as const)[i % 3]!;
      const depth = 1 + (i % 4);
      const edgeTypes = i % 2 === 0 ? undefined : ['RELATED_TO', 'MENTIONS'];
      const reference = referenceDistances(edges, start, direction, edgeTypes);
      const expected = [...reference].filter(([id, d]) => id !== start && d <= depth);
      const { steps, truncated } = await engine.traverse(start, { depth, direction, edgeTypes });
      expect(truncated).toBe(false);
      expect(new Map(steps.map((s) => [s.node.id, s.depth]))).toEqual(new Map(expected));
      // Breadth-first: depths never decrease.
      for (let j = 1; j < steps.length; j++) expect(steps[j]!.depth).toBeGreaterThanOrEqual(steps[j - 1]!.depth);
      for (const step of steps) {
        expect(step.path).toHaveLength(step.depth);
        const nodes = [start, ...step.path.map((_, k) => walk(start, step.path, k + 1, direction))];
        expectValidPath({ nodes, edges: step.path, length: step.depth }, start, step.node.id, byId, direction, edgeTypes);
      }
    }
    // maxNodes truncates.
    const wide = await engine.traverse(ids[0]!, { depth: 6, direction: 'both', maxNodes: 7 });
    expect(wide.steps.length).toBeLessThanOrEqual(7);
    expect(wide.truncated).toBe(true);
  });

  it('neighbors lists adjacent nodes with the joining edges, filtered by type and kind', async () => {
    const { engine, ids, edges } = await randomGraph(6);
    for (const id of ids.slice(0, 40)) {
      const both = await engine.neighbors(id, { direction: 'both' });
      const expected = edges.filter((e) => e.from === id || e.to === id);
      // A self-loop appears once per side.
      const expectedCount = expected.reduce((n, e) => n + (e.from === id ? 1 : 0) + (e.to === id ? 1 : 0), 0);
      expect(both).toHaveLength(expectedCount);
      for (const n of both) {
        const edge = expected.find((e) => e.id === n.edge.id)!;
        expect(n.edge).toMatchObject({ from: edge.from, to: edge.to, type: edge.type });
        expect(n.node.id).toBe(n.direction === 'out' ? edge.to : edge.from);
      }
      const mentions = await engine.neighbors(id, { edgeTypes: ['MENTIONS'] });
      expect(mentions.map((n) => n.edge.id).sort()).toEqual(expected.filter((e) => e.from === id && e.type === 'MENTIONS').map((e) => e.id).sort());
      expect(await engine.neighbors(id, { direction: 'both', types: ['Chat'] })).toEqual([]);
    }
  });
});

/** The node at position k along a path of edges from start, following each edge's far end. */
function walk(start: string, path: { from: string; to: string }[], k: number, direction: Direction): string {
  let at = start;
  for (let i = 0; i < k; i++) {
    const e = path[i]!;
    at = direction === 'out' ? e.to : direction === 'in' ? e.from : e.from === at ? e.to : e.from;
  }
  return at;
}
