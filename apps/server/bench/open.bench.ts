// `TabAgent.open` on a 100,000-node database with 384-d embeddings:
// `pnpm --filter @tabagent/app bench` → bench/results/server.json (only the open.* names).
//
// - open.100k.first_query: from calling `TabAgent.open` to the first query answered
//   (messages of a chat) — the database is usable before the vector index is loaded.
// - open.100k.vector_ready: from calling `TabAgent.open` to the vector index loaded from
//   its snapshot and caught up (`vectors.whenReady()`).
// Baselines measured in the same run: the bare `Storage.open`, a semantic
// query once the index is ready, and both times with ML in this thread (as short CLI
// commands open it) instead of a worker. Runs against the built packages (`dist/`, what users
// run): the script builds them first.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewNode } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import { median, writeResults } from '@tabagent/common/bench';
import { Storage } from '@tabagent/storage';
import { TabAgent, type TabAgentOptions } from 'tabagent';

const NODES = 100_000;
const CHATS = 1_000;
const DIMS = 384;
const RUNS = 5;
/** Bump when the generated data changes, so a kept database is rebuilt. */
const DATASET_VERSION = 1;
const MARKER = 'open-bench.json';
const quiet = { info: () => undefined, warn: () => undefined };
/** As `tabagent serve` opens it (ML in a worker), minus the weaver: it would start enriching the 100k-node backlog. */
const OPTIONS: TabAgentOptions = { ml: { provider: 'builtin', dimensions: DIMS }, mlInWorker: true, weaver: false, logger: quiet };

const WORDS = (
  'trip paris museum louvre train ticket hotel booking dinner restaurant recipe pasta garden tomato bicycle tyre repair ' +
  'meeting project deadline budget report invoice doctor appointment flu vaccine school homework math exam football ' +
  'match score weather rain sunny weekend hike mountain lake camera photo birthday gift party music concert guitar ' +
  'movie cinema book novel author coffee bakery market apple banana laptop battery phone charger router network code'
).split(' ');

function sentence(random: () => number): string {
  const n = 6 + Math.floor(random() * 14);
  return Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
const log = (message: string): void => void process.stderr.write(`[open.bench] ${message}\n`);

/** 1,000 chats and 99,000 messages, each with a 384-d embedding of its text; closed with a vector snapshot. */
async function buildDatabase(dir: string): Promise<string> {
  const started = performance.now();
  const db = await TabAgent.open(dir, { ...OPTIONS, mlInWorker: false });
  try {
    const random = seededRandom(42);
    const chats = await db.insertNodes(Array.from({ length: CHATS }, (_, i) => ({ type: 'Chat', title: `chat ${i}: ${sentence(random)}` }) as NewNode));
    const model = db.inference.info().embedding.model;
    const embed = async (nodes: { id: string; text: string }[]): Promise<void> => {
      const vectors = await db.inference.embed(nodes.map((n) => n.text));
      await db.putEmbeddings(nodes.map((n, i) => ({ nodeId: n.id, model, vector: Float32Array.from(vectors[i]!), contentHash: `h${n.id}` })));
    };
    await embed(chats.map((c) => ({ id: c.id, text: (c as { title: string }).title })));
    const batch = 1_000;
    for (let done = CHATS; done < NODES; done += batch) {
      const messages = Array.from({ length: Math.min(batch, NODES - done) }, (_, i) => ({
        type: 'Message',
        chatId: chats[(done + i) % CHATS]!.id,
        sender: i % 2 === 0 ? 'user' : 'assistant',
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: sentence(random),
      })) as NewNode[];
      const inserted = await db.insertNodes(messages);
      await embed(inserted.map((m) => ({ id: m.id, text: (m as { content: string }).content })));
      if ((done + batch) % 20_000 === 0) log(`${done + batch} nodes written (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
    log('waiting for the vector index to take all 100,000 embeddings');
    await db.whenVectorsReady({ timeoutMs: 600_000 });
    while (db.vectorStats().vectors < NODES || db.vectorStats().lag > 0) await new Promise((r) => setTimeout(r, 200));
    log(`built in ${((performance.now() - started) / 1000).toFixed(0)} s; saving the snapshot`);
    return chats[0]!.id;
  } finally {
    await db.close();
  }
}

/** The first chat of a database this benchmark built earlier, or undefined when `dir` holds none. */
async function existingDatabase(dir: string): Promise<string | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(dir, MARKER), 'utf8')) as { version: number; chatId: string };
    return marker.version === DATASET_VERSION ? marker.chatId : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  // Building the database takes minutes (mostly the HNSW build), so it is kept for the
  // next run: in TABAGENT_BENCH_DB, else in the temp directory. TABAGENT_BENCH_FRESH=1 rebuilds it.
  const dir = process.env['TABAGENT_BENCH_DB'] ?? join(tmpdir(), `tabagent-open-bench-v${DATASET_VERSION}`);
  try {
    let chatId = process.env['TABAGENT_BENCH_FRESH'] === '1' ? undefined : await existingDatabase(dir);
    if (chatId === undefined) {
      await rm(dir, { recursive: true, force: true });
      chatId = await buildDatabase(dir);
      await writeFile(join(dir, MARKER), JSON.stringify({ version: DATASET_VERSION, chatId }));
    } else log(`reusing the database in ${dir}`);
    const firstQuery = { types: ['Message' as const], filters: { chatId: { eq: chatId } }, limit: 10 };

    const storageOnly: number[] = [];
    const firstQueryMs: number[] = [];
    const vectorReadyMs: number[] = [];
    const semanticMs: number[] = [];
    const inProcessFirstQueryMs: number[] = [];
    const inProcessVectorReadyMs: number[] = [];
    /** Opens, queries at once, waits for the vector index, checks a semantic search; returns the two times. */
    const measure = async (options: TabAgentOptions): Promise<{ firstQuery: number; vectorReady: number; semantic: number }> => {
      const t0 = performance.now();
      const db = await TabAgent.open(dir, options);
      try {
        const { hits } = await db.query(firstQuery);
        const firstQueryAt = performance.now() - t0;
        if (hits.length !== 10) throw new Error(`first query returned ${hits.length} hits`);
        await db.whenVectorsReady({ timeoutMs: 600_000 });
        const vectorReadyAt = performance.now() - t0;
        const stats = db.vectorStats();
        if (stats.vectors !== NODES) throw new Error(`vector index holds ${stats.vectors} vectors after ready`);
        const s0 = performance.now();
        const semantic = await db.search('museum trip to paris', { mode: 'semantic', limit: 10 });
        const semanticTook = performance.now() - s0;
        if (semantic.hits.length !== 10) throw new Error(`semantic query returned ${semantic.hits.length} hits`);
        return { firstQuery: firstQueryAt, vectorReady: vectorReadyAt, semantic: semanticTook };
      } finally {
        await db.close();
      }
    };
    for (let run = 0; run < RUNS; run++) {
      {
        const t0 = performance.now();
        const storage = await Storage.open(dir);
        storageOnly.push(performance.now() - t0);
        await storage.close();
      }
      const served = await measure(OPTIONS);
      firstQueryMs.push(served.firstQuery);
      vectorReadyMs.push(served.vectorReady);
      semanticMs.push(served.semantic);
      // As short CLI commands open it: ML in this thread.
      const inProcess = await measure({ ...OPTIONS, mlInWorker: false });
      inProcessFirstQueryMs.push(inProcess.firstQuery);
      inProcessVectorReadyMs.push(inProcess.vectorReady);
      log(
        `run ${run + 1}: first query ${served.firstQuery.toFixed(1)} ms, vector ready ${served.vectorReady.toFixed(1)} ms ` +
          `(ML in process: ${inProcess.firstQuery.toFixed(1)} / ${inProcess.vectorReady.toFixed(1)} ms)`,
      );
    }

    const metrics = [
      { name: 'open.100k.first_query', value: round(median(firstQueryMs)), unit: 'ms' },
      { name: 'open.100k.vector_ready', value: round(median(vectorReadyMs)), unit: 'ms' },
      { name: 'open.100k.baseline.storage_open', value: round(median(storageOnly)), unit: 'ms' },
      { name: 'open.100k.semantic_query_after_ready', value: round(median(semanticMs)), unit: 'ms' },
      { name: 'open.100k.first_query_vs_storage_open', value: round(median(firstQueryMs) / median(storageOnly)), unit: 'ratio' },
      { name: 'open.100k.ml_in_process.first_query', value: round(median(inProcessFirstQueryMs)), unit: 'ms' },
      { name: 'open.100k.ml_in_process.vector_ready', value: round(median(inProcessVectorReadyMs)), unit: 'ms' },
    ];
    // Others write their http.* / grpc.* metrics into the same file: replace only ours.
    await writeResults('server', metrics, { replace: (name) => name.startsWith('open.100k.') });
    for (const m of metrics) log(`${m.name} = ${m.value} ${m.unit}`);
  } catch (err) {
    // A half-built or damaged database must not be reused.
    await rm(join(dir, MARKER), { force: true });
    throw err;
  }
}

await main();
