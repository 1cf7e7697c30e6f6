import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tabagent/common/testing';
import { QueryEngine } from '../src/index.js';
import { openDb, rejection } from './helpers.js';
import { BruteForce } from './brute-force.js';
import { ExactIndex } from './exact-index.js';
import { buildRandomGraph, MODEL } from './random-graph.js';

describe('cancellation and bounds', () => {
  it('an aborted signal stops a query with ABORTED', async () => {
    const { storage, engine } = await openDb();
    const graph = await buildRandomGraph(storage, seededRandom(1));
    const controller = new AbortController();
    controller.abort();
    const before = await rejection(engine.query({ types: ['Message'] }, { signal: controller.signal }));
    expect(before.code).toBe('ABORTED');
    // Cancelled while the caller's embedder is working.
    const during = new AbortController();
    const error = await rejection(
      engine.query(
        { graph: { start: graph.entities[0]!, direction: 'in' }, semantic: { text: 'paris' } },
        {
          signal: during.signal,
          embed: (_, { signal }) => {
            during.abort();
            expect(signal?.aborted).toBe(true);
            return graph.centers[0]!;
          },
        },
      ),
    );
    expect(error.code).toBe('ABORTED');
  });

  it('a deadline fails a query with TIMEOUT', async () => {
    const { storage, engine } = await openDb();
    const graph = await buildRandomGraph(storage, seededRandom(2));
    const slowEmbed = async (): Promise<Float32Array> => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return graph.centers[0]!;
    };
    const error = await rejection(engine.query({ semantic: { text: 'x' } }, { timeoutMs: 1, embed: slowEmbed }));
    expect(error.code).toBe('TIMEOUT');
  });

  it('candidate sets, scans and traversals are bounded (TOO_LARGE, never unbounded work)', async () => {
    const db = await openDb();
    const graph = await buildRandomGraph(db.storage, seededRandom(3));
    const small = await db.engineWith({ limits: { maxCandidates: 40, maxVisited: 10 } });
    // Only a non-indexed filter: the query would scan all ~190 nodes.
    const scan = await rejection(small.query({ filters: { content: { contains: 'paris' } } }));
    expect(scan.code).toBe('TOO_LARGE');
    // A graph filter reaching more than maxVisited nodes.
    const wide = await rejection(small.query({ graph: { start: graph.messages[0]!, direction: 'both', depth: 6 } }));
    expect(wide.code).toBe('TOO_LARGE');
    expect(wide.details.field).toBe('graph');
    // A selective query still works under the same bounds.
    const narrow = await small.query({ filters: { chatId: { eq: graph.chats[0]! }, role: { eq: 'user' } }, limit: 5 });
    expect(narrow.hits.length).toBeGreaterThan(0);
    // Request sizes are bounded too.
    expect((await rejection(small.query({ limit: 5_000 }))).details.field).toBe('limit');
    const capped = await db.engineWith({ limits: { maxDepth: 2 } });
    expect((await rejection(capped.query({ graph: { start: graph.entities[0]!, depth: 3 } }))).details.field).toBe('graph.depth');
    expect((await rejection(capped.traverse(graph.entities[0]!, { depth: 3 }))).details.field).toBe('depth');
  });

  it('a semantic ranking over a large candidate set searches with a filter and returns limit results when enough match', async () => {
    const db = await openDb();
    await buildRandomGraph(db.storage, seededRandom(4), { chats: 12, messages: 400 });
    const bf = await BruteForce.load(db.storage);
    // Exact scoring only for tiny sets: the kinds become a filter of the vector search.
    const engine = await db.engineWith({ vectorIndex: await new ExactIndex(db.storage).open(), planner: { exactMaxCandidates: 1, oversample: 1 } });
    await engine.ready();
    const vector = new Float32Array([1, 0, 0, 0, 0, 0, 0, 0]);
    const query = { types: ['Summary' as const, 'Chat' as const], semantic: { vector }, limit: 10, explain: true };
    const matching = bf.query(query, MODEL);
    expect(matching.total).toBeGreaterThan(10);
    const { hits, explain } = await engine.query(query);
    expect(hits.map((h) => h.node.id)).toEqual(matching.ids);
    expect(explain!.plan.join('\n')).toMatch(/HNSW of test-model with a filter/u);
  });

  it('fails with NOT_OPEN after close, and close is idempotent', async () => {
    const { storage, indexing } = await openDb();
    const engine = await QueryEngine.open({ storage, indexing });
    expect(engine.status).toBe('open');
    await engine.close();
    await engine.close();
    expect(engine.status).toBe('closed');
    expect((await rejection(engine.query({}))).code).toBe('NOT_OPEN');
    expect((await rejection(engine.chatMessages('chat_x'))).code).toBe('NOT_OPEN');
  });
});
