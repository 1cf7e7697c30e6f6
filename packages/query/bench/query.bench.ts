// Query benchmarks: `pnpm --filter @tabagent/query bench` → bench/results/query.json
//
// 100,000 nodes (1,000 chats × 95 messages, summaries, 3,000 entities), ~170k edges,
// 96k 384-d vectors, real storage + indexes in a temp dir. Latencies per query kind with
// tinybench over pools of different seeded queries; the brute-force baseline (full
// scans, no index) answers the same converged queries in the same run.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import type { Message } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import { median, writeResults, type BenchResult } from '@tabagent/common/bench';
import * as indexingModule from '@tabagent/indexing';
import { openIndexedStorage, type HnswIndex } from '@tabagent/indexing';
import { Storage } from '@tabagent/storage';
import { QueryEngine, type ConvergedQuery } from '../src/index.js';
import { bruteForceConverged, type ConvergedParams } from './brute-force.js';
import { buildDataset, MODEL } from './dataset.js';

const POOL = 256;
/** Messages in the long chat whose latest page is timed. */
const LONG_CHAT = 10_000;
const BRUTE_FORCE_RUNS = 5;
const log = (line: string): void => console.log(line);

/**
 * The HNSW index (usearch) of @tabagent/indexing. Until the package's entry exports it,
 * the bench loads it from the package's source (a path kept out of the type check);
 * without either, unconstrained semantic searches scan exactly.
 */
type VectorIndexClass = { open(storage: Storage, options?: object): Promise<HnswIndex & { whenReady(): Promise<void>; close(): Promise<void> }> };
async function findVectorIndex(): Promise<{ VectorIndex: VectorIndexClass; from: string } | undefined> {
  const exported = (indexingModule as unknown as { VectorIndex?: VectorIndexClass }).VectorIndex;
  if (exported !== undefined) return { VectorIndex: exported, from: '@tabagent/indexing' };
  const source = '../../indexing/src/vector/index.js';
  try {
    const module = (await import(source)) as { VectorIndex?: VectorIndexClass };
    if (module.VectorIndex !== undefined) return { VectorIndex: module.VectorIndex, from: 'packages/indexing/src/vector (not exported yet)' };
  } catch (err) {
    log(`  cannot load the vector index from source: ${(err as Error).message}`);
  }
  return undefined;
}

const root = await mkdtemp(join(tmpdir(), 'tabagent-query-bench-'));
const started = performance.now();
const { storage, indexing } = await openIndexedStorage(join(root, 'db'), { vectors: false });
try {
  log('building 100,000 nodes…');
  const data = await buildDataset(storage, log);
  await indexing.graph.ready();

  let vectorIndex: Awaited<ReturnType<VectorIndexClass['open']>> | undefined;
  const found = await findVectorIndex();
  if (found !== undefined) {
    const t = performance.now();
    vectorIndex = await found.VectorIndex.open(storage);
    await vectorIndex.whenReady();
    log(`  HNSW index (usearch, from ${found.from}) built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  } else {
    log('  no VectorIndex available: unconstrained semantic searches scan exactly');
  }
  const engine = await QueryEngine.open({ storage, indexing, ...(vectorIndex ? { vectorIndex } : {}) });
  await engine.ready();
  log(`dataset ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

  // Query pools: each iteration takes the next query of its pool.
  const random = seededRandom(7);
  const span = data.lastTimestamp - data.firstTimestamp;
  const converged: ConvergedParams[] = Array.from({ length: POOL }, () => ({
    entity: data.entities[Math.floor(random() * data.entities.length)]!,
    since: data.firstTimestamp + Math.floor(random() * span * 0.3),
    vector: data.queryVector(random),
    model: MODEL,
    limit: 10,
  }));
  const convergedQuery = (p: ConvergedParams): ConvergedQuery => ({
    types: ['Message'],
    filters: { timestamp: { gte: p.since } },
    graph: { start: p.entity, direction: 'in', edgeTypes: ['MENTIONS'] },
    semantic: { vector: p.vector },
    limit: p.limit,
  });
  const structural: ConvergedQuery[] = Array.from({ length: POOL }, () => ({
    types: ['Message'],
    filters: { chatId: { eq: data.chats[Math.floor(random() * data.chats.length)]! } },
    orderBy: { field: 'timestamp', direction: 'desc' },
    limit: 20,
  }));
  const paths: [string, string][] = Array.from({ length: POOL }, () => [
    data.messages[Math.floor(random() * data.messages.length)]!,
    data.messages[Math.floor(random() * data.messages.length)]!,
  ]);
  const hybrid: ConvergedQuery[] = Array.from({ length: POOL }, () => {
    const words = data.contentOf(Math.floor(random() * data.messages.length)).toLowerCase().match(/[a-z]{5,}/gu) ?? ['music'];
    const keyword = [words[Math.floor(random() * words.length)]!, words[Math.floor(random() * words.length)]!].join(' ');
    return { types: ['Message'], keyword, semantic: { vector: data.queryVector(random) }, limit: 10 };
  });

  // One long chat: its latest page is what a chat view reads first.
  const [longChat] = await storage.insertNodes([{ type: 'Chat', title: 'a long chat' }]);
  for (let i = 0; i < LONG_CHAT; i += 1_000) {
    await storage.insertNodes(
      Array.from({ length: 1_000 }, (_, j) => ({ type: 'Message' as const, chatId: longChat!.id, sender: 'me', role: 'user' as const, content: data.contentOf((i + j) % data.messages.length), timestamp: data.firstTimestamp + i + j })),
    );
  }
  const longChatIds = await indexing.structural.lookup('chatId', { eq: longChat!.id });
  /** The page as it was read before the (chat, time) order: every message of the chat, sorted. */
  const fullSortPage = (): Message[] =>
    (storage.getNodesSync(longChatIds) as Message[]).sort((a, b) => b.timestamp - a.timestamp || (a.id < b.id ? 1 : -1)).slice(0, 20);
  const latest = await engine.chatMessages(longChat!.id, { order: 'desc', limit: 20 });
  if (JSON.stringify(latest.items.map((m) => m.id)) !== JSON.stringify(fullSortPage().map((m) => m.id))) throw new Error('chat page disagrees with a full sort');

  // The engine must agree with the brute force before it is timed.
  for (const p of converged.slice(0, 3)) {
    const ours = (await engine.query(convergedQuery(p))).hits.map((h) => h.node.id);
    const theirs = await bruteForceConverged(storage, p);
    if (JSON.stringify(ours) !== JSON.stringify(theirs)) throw new Error(`converged query disagrees with brute force for ${p.entity}`);
  }
  const sample = await engine.query({ ...convergedQuery(converged[0]!), explain: true });
  log(`sample converged plan: ${sample.explain!.plan.join(' → ')}\n`);

  const counters = { converged: 0, structural: 0, path: 0, hybrid: 0 };
  const bench = new Bench({ time: 3_000, iterations: 400, warmupIterations: 30, throws: true });
  bench
    .add('converged', async () => {
      await engine.query(convergedQuery(converged[counters.converged++ % POOL]!));
    })
    .add('structural', async () => {
      await engine.query(structural[counters.structural++ % POOL]!);
    })
    .add('path', async () => {
      const [a, b] = paths[counters.path++ % POOL]!;
      await engine.findShortestPath(a, b, { direction: 'both', maxDepth: 6 });
    })
    .add('hybrid', async () => {
      await engine.query(hybrid[counters.hybrid++ % POOL]!);
    })
    .add('chat-page', async () => {
      await engine.chatMessages(longChat!.id, { order: 'desc', limit: 20 });
    })
    .add('chat-page-full-sort', () => {
      fullSortPage();
    });
  await bench.run();
  const latency = (name: string): { p50: number; p99: number; samples: number } => {
    const task = bench.getTask(name)!;
    const result = task.result;
    if (result.state !== 'completed') throw new Error(`${name}: ${result.state}`);
    return { p50: result.latency.p50, p99: result.latency.p99, samples: result.latency.samplesCount };
  };

  const brute: number[] = [];
  for (const p of converged.slice(0, BRUTE_FORCE_RUNS)) {
    const t = performance.now();
    await bruteForceConverged(storage, p);
    brute.push(performance.now() - t);
  }
  const bruteP50 = median(brute);

  const c = latency('converged');
  const s = latency('structural');
  const p = latency('path');
  const h = latency('hybrid');
  const page = latency('chat-page');
  const fullSort = latency('chat-page-full-sort');
  const results: BenchResult[] = [
    { name: 'query.converged.p50', value: c.p50, unit: 'ms' },
    { name: 'query.converged.p99', value: c.p99, unit: 'ms' },
    { name: 'query.structural.p50', value: s.p50, unit: 'ms' },
    { name: 'query.path.p50', value: p.p50, unit: 'ms' },
    { name: 'query.hybrid.p50', value: h.p50, unit: 'ms' },
    { name: 'query.bruteforce.converged.p50', value: bruteP50, unit: 'ms' },
    { name: 'query.chat_page.latest20.p50', value: page.p50, unit: 'ms' },
    { name: 'query.chat_page.latest20.p99', value: page.p99, unit: 'ms' },
    { name: 'query.chat_page.full_sort_baseline.p50', value: fullSort.p50, unit: 'ms' },
  ].map((r) => ({ ...r, value: Number(r.value.toFixed(4)) }));

  const targets: Record<string, number> = {
    'query.converged.p50': 5,
    'query.converged.p99': 15,
    'query.structural.p50': 2,
    'query.path.p50': 10,
    'query.hybrid.p50': 10,
  };
  log('name                               value      target   samples');
  const samples: Record<string, number> = { converged: c.samples, structural: s.samples, path: p.samples, hybrid: h.samples, chat_page: page.samples };
  for (const r of results) {
    const target = targets[r.name];
    const kind = r.name.split('.')[1]!;
    log(`${r.name.padEnd(34)} ${r.value.toFixed(3).padStart(9)} ${r.unit} ${target === undefined ? '        ' : `< ${String(target).padStart(2)} ms`} ${target === undefined ? BRUTE_FORCE_RUNS : samples[kind]}`);
  }
  log(`\nbrute force / converged (p50): ${(bruteP50 / c.p50).toFixed(0)}×`);
  log(`vector search: ${vectorIndex ? `usearch HNSW (VectorIndex from ${found!.from}) + exact scoring of small candidate sets` : 'exact only'}`);
  const written = await writeResults('query', results);
  log(`wrote ${written} (total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
  await engine.close();
  await vectorIndex?.close();
} finally {
  await storage.close();
  await rm(root, { recursive: true, force: true });
}
