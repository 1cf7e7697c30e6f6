import { existsSync, readFileSync } from 'node:fs';
import { SHARED_DATA } from '../../../tools/shared-data.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@tabagent/common/testing';
import { median, percentile, perSecond, type BenchResult } from '@tabagent/common/bench';
import type { NewEdge, NewNodeOf } from '@tabagent/common';
import { Storage } from '@tabagent/storage';
import { openIndexedStorage } from '../src/index.js';

const MESSAGES = 60_000;
const BATCH = 1_000;
const GRAPH_NODES = 100_000;
const GRAPH_DEGREE = 10;
const GRAPH_QUERIES = 300;

const WORDS = ('the a to and we i you it is for on in at with paris train museum alice bob meeting tomorrow project database search vector ' +
  'graph summary weekend dinner flight hotel budget idea question answer reminder music film book coffee lyon berlin ticket price ' +
  'morning evening plan booked cancel review notes draft email call team report deadline').split(' ');

// Real chat turns (Topical-Chat, ../shared/data) when present, else synthetic text.
const TOPICAL_CHAT = join(SHARED_DATA, 'dialogue-topical-chat/test_freq.json');
function corpus(random: () => number): string[] {
  if (existsSync(TOPICAL_CHAT)) {
    const chats = JSON.parse(readFileSync(TOPICAL_CHAT, 'utf8')) as Record<string, { content: { message: string }[] }>;
    return Object.values(chats).flatMap((chat) => chat.content.map((turn) => turn.message));
  }
  return Array.from({ length: 10_000 }, () => Array.from({ length: 20 + Math.floor(random() * 40) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' '));
}

function messages(chatIds: string[], count: number, random: () => number): NewNodeOf<'Message'>[] {
  const texts = corpus(random);
  return Array.from({ length: count }, (_, i) => ({
    type: 'Message',
    chatId: chatIds[Math.floor(i / 20) % chatIds.length]!,
    sender: i % 2 === 0 ? 'agent_1' : 'agent_2',
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: texts[i % texts.length]!,
  }));
}

async function ingestRate(dir: string, indexed: boolean): Promise<number> {
  const storage = indexed ? (await openIndexedStorage(dir, { vectors: false })).storage : await Storage.open(dir);
  const random = seededRandom(3);
  const chats = await storage.insertNodes(Array.from({ length: 100 }, (_, i) => ({ type: 'Chat' as const, title: `chat ${i}` })));
  const input = messages(chats.map((c) => c.id), MESSAGES, random);
  const start = performance.now();
  for (let i = 0; i < input.length; i += BATCH) await storage.insertNodes(input.slice(i, i + BATCH));
  const rate = perSecond(MESSAGES, performance.now() - start);
  await storage.close();
  return rate;
}

export async function runIndexBench(): Promise<BenchResult[]> {
  const root = await mkdtemp(join(tmpdir(), 'tabagent-indexing-bench-'));
  const results: BenchResult[] = [];
  const record = (name: string, value: number, unit: string): void => {
    results.push({ name, value: Number(value.toFixed(4)), unit });
    console.log(`${name.padEnd(34)} ${value.toFixed(unit === 'ms' || unit === 'ratio' ? 3 : 0).padStart(12)} ${unit}`);
  };
  try {
    console.log(existsSync(TOPICAL_CHAT) ? 'ingest corpus: Topical-Chat turns (repeated)' : 'ingest corpus: synthetic');
    // Ingest: storage only vs storage + structural + graph + keyword, alternating runs.
    const plain: number[] = [];
    const indexed: number[] = [];
    for (let run = 0; run < 3; run++) {
      plain.push(await ingestRate(join(root, `plain-${run}`), false));
      indexed.push(await ingestRate(join(root, `indexed-${run}`), true));
    }
    record('storage.insert.batched.baseline', median(plain), 'nodes/s');
    record('indexing.insert.batched', median(indexed), 'nodes/s');
    record('indexing.insert.batched.ratio', median(indexed) / median(plain), 'ratio');

    // Graph: 100k nodes, average out-degree 10, depth-3 neighbourhood (outgoing edges).
    const { storage, indexing } = await openIndexedStorage(join(root, 'graph'), { vectors: false });
    const random = seededRandom(11);
    const ids: string[] = [];
    for (let i = 0; i < GRAPH_NODES; i += BATCH) {
      const nodes = await storage.insertNodes(Array.from({ length: BATCH }, (_, j) => ({ type: 'Entity' as const, label: `node ${i + j}`, entityType: 'MISC' })));
      ids.push(...nodes.map((n) => n.id));
    }
    const edgeStart = performance.now();
    for (let i = 0; i < GRAPH_NODES; i += BATCH / GRAPH_DEGREE) {
      const edges: NewEdge[] = [];
      for (let j = i; j < i + BATCH / GRAPH_DEGREE; j++) {
        for (let k = 0; k < GRAPH_DEGREE; k++) edges.push({ from: ids[j]!, to: ids[Math.floor(random() * GRAPH_NODES)]!, type: k % 2 ? 'MENTIONS' : 'RELATED_TO' });
      }
      await storage.insertEdges(edges);
    }
    record('graph.edges.insert', perSecond(GRAPH_NODES * GRAPH_DEGREE, performance.now() - edgeStart), 'edges/s');
    await indexing.graph.ready();
    const latencies: number[] = [];
    let visited = 0;
    for (let q = 0; q < GRAPH_QUERIES; q++) {
      const start = performance.now();
      const hood = await indexing.graph.neighborhood(ids[Math.floor(random() * GRAPH_NODES)]!, 3, { direction: 'out' });
      latencies.push(performance.now() - start);
      visited += hood.size;
    }
    console.log(`  (average depth-3 neighbourhood: ${Math.round(visited / GRAPH_QUERIES)} nodes)`);
    record('graph.depth3.p50', percentile(latencies, 50), 'ms');
    record('graph.depth3.p99', percentile(latencies, 99), 'ms');
    // The same queries over the persisted keys (range scans), as the baseline.
    indexing.graph.unloadMirror();
    const scanLatencies: number[] = [];
    for (let q = 0; q < 20; q++) {
      const start = performance.now();
      await indexing.graph.neighborhood(ids[Math.floor(random() * GRAPH_NODES)]!, 3, { direction: 'out' });
      scanLatencies.push(performance.now() - start);
    }
    record('graph.depth3.scan.p50', percentile(scanLatencies, 50), 'ms');
    await storage.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return results;
}
