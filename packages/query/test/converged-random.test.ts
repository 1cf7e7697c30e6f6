import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tabagent/common/testing';
import type { ConvergedQuery, QueryEngine, QueryResult } from '../src/index.js';
import { BruteForce } from './brute-force.js';
import { ExactIndex } from './exact-index.js';
import { openDb } from './helpers.js';
import { buildRandomGraph, MODEL } from './random-graph.js';
import { randomQuery } from './random-query.js';

const QUERIES_PER_GRAPH = 250;

function describeQuery(q: ConvergedQuery): string {
  return JSON.stringify(q, (_, v: unknown) => (v instanceof Float32Array ? `[${v.length} floats]` : v));
}

function check(result: QueryResult, expected: ReturnType<BruteForce['query']>, q: ConvergedQuery, label: string): void {
  const context = `${label}: ${describeQuery(q)}`;
  expect(result.hits.map((h) => h.node.id), context).toEqual(expected.ids);
  if (result.total !== undefined) expect(result.total, context).toBe(expected.total);
  for (const hit of result.hits) {
    const want = expected.scores.get(hit.node.id) ?? {};
    for (const key of ['keyword', 'semantic', 'fused'] as const) {
      if (want[key] !== undefined) expect(hit.scores[key], `${context} ${key} of ${hit.node.id}`).toBeCloseTo(want[key]!, 9);
    }
  }
}

describe('converged queries against a brute-force evaluator', () => {
  for (const seed of [11, 29, 47]) {
    it(`agrees on ${QUERIES_PER_GRAPH} random queries over random graph #${seed}, under four planner settings`, async () => {
      const db = await openDb();
      const { engine } = db;
      const random = seededRandom(seed);
      const graph = await buildRandomGraph(db.storage, random);
      const bf = await BruteForce.load(db.storage);
      // Same data, different strategies: every plan must give the same answers.
      const engines: [string, QueryEngine][] = [
        ['default', engine],
        ['vector search with filter', await db.engineWith({ vectorIndex: await new ExactIndex(db.storage).open(), planner: { exactMaxCandidates: 0 } })],
        ['check on records', await db.engineWith({ planner: { intersectFactor: 0 } })],
        ['always intersect', await db.engineWith({ planner: { intersectFactor: 1e9, oversample: 1 } })],
      ];
      await db.indexing.graph.ready();
      for (const [, engine] of engines) await engine.ready();
      const operators = new Set<string>();
      let nonEmpty = 0;
      for (let i = 0; i < QUERIES_PER_GRAPH; i++) {
        const q = randomQuery(graph);
        for (const c of Object.values(q.filters ?? {})) for (const op of Object.keys(c)) operators.add(op);
        const expected = bf.query(q, MODEL);
        if (expected.ids.length > 0) nonEmpty++;
        for (const [label, engine] of engines) check(await engine.query(q), expected, q, label);
      }
      expect([...operators].sort()).toEqual(['contains', 'eq', 'exists', 'gt', 'gte', 'in', 'lt', 'lte', 'ne', 'prefix']);
      // The generator must produce meaningful queries, not mostly empty ones.
      expect(nonEmpty).toBeGreaterThan(QUERIES_PER_GRAPH * 0.3);
    });
  }

  it('covers each operator on an indexed and a non-indexed field, alone and combined with a graph filter and a ranking', async () => {
    const db = await openDb();
    const { engine } = db;
    const graph = await buildRandomGraph(db.storage, seededRandom(5));
    const bf = await BruteForce.load(db.storage);
    const cases: ConvergedQuery['filters'][] = [
      { timestamp: { eq: 10_100 } }, { 'metadata.score': { eq: 3 } },
      { sender: { ne: 'bob' } }, { 'metadata.lang': { ne: 'en' } },
      { timestamp: { gt: 10_200 } }, { 'metadata.score': { gt: 5 } },
      { timestamp: { gte: 10_200 } }, { toTimestamp: { gte: 10_100 } },
      { timestamp: { lt: 10_200 } }, { 'metadata.score': { lt: 5 } },
      { timestamp: { lte: 10_200 } }, { 'metadata.score': { lte: 5 } },
      { sender: { in: ['alice', 'carol'] } }, { content: { in: ['paris'] } },
      { sender: { prefix: 'ali' } }, { content: { prefix: 'paris' } },
      { sender: { contains: 'li' } }, { content: { contains: 'louvre' } },
      { tags: { exists: true } }, { topic: { exists: false } },
    ];
    for (const filters of cases) {
      for (const extra of [{}, { graph: { start: graph.entities[0]!, direction: 'in' as const, edgeTypes: ['MENTIONS'] } }, { keyword: 'paris' }, { semantic: { vector: graph.centers[0]! } }]) {
        const q: ConvergedQuery = { filters, ...extra, limit: 1000 };
        check(await engine.query(q), bf.query(q, MODEL), q, 'operator');
      }
    }
  });
});
