// Vector index benchmark: clustered, normalised 384-d vectors (like sentence embeddings)
// ingested through the real storage, the index built from the store in its worker, then
// recall@10 against exact search, single-query latency, snapshot save/load, memory per
// vector — and raw usearch on the same graph with the same parameters in the same run,
// so our layer's overhead shows as a ratio.
//
// `runVectorBench()` is the 100k run of `pnpm bench`; `bench/vector-1m.ts` runs 1M.

import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@tabagent/common/testing';
import { percentile, type BenchResult } from '@tabagent/common/bench';
import { Storage } from '@tabagent/storage';
import { unpack } from 'msgpackr';
import { exactSearch, Index, MetricKind, ScalarKind } from 'usearch';
import { VectorIndex, type VectorIndexOptions, type VectorSnapshotInfo } from '../src/index.js';
import { expansionSearchFor } from '../src/vector/protocol.js';

export interface VectorBenchConfig {
  /** Vectors indexed. */
  count: number;
  dims: number;
  /** Gaussian cluster centres. */
  clusters: number;
  /** Queries timed (and searched for recall). */
  queries: number;
  /** Queries with exact ground truth for recall@10. */
  recallQueries: number;
  /** Metric name prefix, e.g. `vector.100k`. */
  prefix: string;
  seed: number;
  index?: VectorIndexOptions;
  /** Also measure recall@10 and p50 of the same graph at these `expansion_search` values (raw usearch). */
  sweep?: number[];
}

const MODEL = 'bench/clustered-384';
const K = 10;
const INGEST_BATCH = 1_000;

/**
 * Vectors shaped like real text embeddings: a shared direction (embeddings are
 * anisotropic), cluster centres around it (topics), and points scattered around their
 * centre with a per-cluster spread — then normalised. Seeded, so runs are comparable.
 */
export function clusteredVectors(count: number, dims: number, clusters: number, seed: number): { data: Float32Array; sample: (n: number) => Float32Array } {
  const random = seededRandom(seed);
  let spare: number | undefined;
  const gauss = (): number => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = random();
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * random();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  const normalise = (v: Float32Array, offset: number): void => {
    let sum = 0;
    for (let i = offset; i < offset + dims; i++) sum += v[i]! * v[i]!;
    const scale = 1 / Math.sqrt(sum);
    for (let i = offset; i < offset + dims; i++) v[i]! *= scale;
  };
  const shared = new Float32Array(dims).map(() => gauss());
  normalise(shared, 0);
  const centres = new Float32Array(clusters * dims);
  const spread = new Float32Array(clusters);
  for (let c = 0; c < clusters; c++) {
    for (let i = 0; i < dims; i++) centres[c * dims + i] = gauss() / Math.sqrt(dims) + 0.5 * shared[i]!;
    normalise(centres, c * dims);
    spread[c] = (0.7 + 0.6 * random()) / Math.sqrt(dims);
  }
  const fill = (target: Float32Array, n: number): void => {
    for (let p = 0; p < n; p++) {
      const c = Math.floor(random() * clusters);
      const s = spread[c]!;
      for (let i = 0; i < dims; i++) target[p * dims + i] = centres[c * dims + i]! + s * gauss();
      normalise(target, p * dims);
    }
  };
  const data = new Float32Array(count * dims);
  fill(data, count);
  return {
    data,
    sample: (n) => {
      const queries = new Float32Array(n * dims);
      fill(queries, n);
      return queries;
    },
  };
}

function waitForSnapshot(index: VectorIndex): Promise<VectorSnapshotInfo> {
  return new Promise((resolve) => index.once('snapshot', resolve));
}

/** One full run at the configured scale. */
export async function runVectorScale(config: VectorBenchConfig): Promise<BenchResult[]> {
  const { count, dims, prefix } = config;
  const results: BenchResult[] = [];
  const record = (name: string, value: number, unit: string): void => {
    results.push({ name, value: Number(value.toFixed(4)), unit });
    console.log(`${name.padEnd(34)} ${value.toFixed(unit === 'ms' || unit === 'ratio' || unit === 'recall' ? 3 : 0).padStart(12)} ${unit}`);
  };
  const note = (text: string): void => console.log(`  (${text})`);
  const root = await mkdtemp(join(tmpdir(), 'tabagent-vector-bench-'));
  const dbDir = join(root, 'db');
  const vectorDir = join(root, 'vector');
  try {
    let started = performance.now();
    const { data, sample } = clusteredVectors(count, dims, config.clusters, config.seed);
    const queries = sample(config.queries);
    note(`generated ${count} × ${dims} clustered vectors (${config.clusters} clusters) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Ground truth: native exact search over whole arrays (never subarrays: see LIBRARY-NOTES).
    started = performance.now();
    const recallQueries = queries.slice(0, config.recallQueries * dims);
    const truth = exactSearch(data, recallQueries, dims, K, MetricKind.IP, 0) as unknown as { keys: BigUint64Array };
    note(`exact ground truth for ${config.recallQueries} queries in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // Ingest through the real storage: a Message node and its embedding per vector.
    const storage = await Storage.open(dbDir);
    const embeddingRow = new Map<string, number>();
    started = performance.now();
    const chats = await storage.insertNodes(Array.from({ length: 100 }, (_, i) => ({ type: 'Chat' as const, title: `chat ${i}` })));
    for (let start = 0; start < count; start += INGEST_BATCH) {
      const batch = storage.batch();
      const end = Math.min(count, start + INGEST_BATCH);
      const rows: number[] = [];
      for (let row = start; row < end; row++) {
        const nodeId = batch.insertNode({ type: 'Message', chatId: chats[row % chats.length]!.id, sender: 'bench', role: 'user', content: `message ${row}` });
        batch.putEmbedding({ nodeId, model: MODEL, vector: data.slice(row * dims, (row + 1) * dims) });
        rows.push(row);
      }
      const { results: written } = await batch.commit();
      written.forEach((result, i) => {
        if (result.kind === 'embedding') embeddingRow.set(result.record.id, rows[(i - 1) / 2]!);
      });
    }
    const ingestSeconds = (performance.now() - started) / 1000;
    note(`storage ingest: ${count} nodes + embeddings in ${ingestSeconds.toFixed(1)} s (${Math.round(count / ingestSeconds)}/s)`);

    // Build: no snapshot yet, so opening builds from the store in the worker.
    started = performance.now();
    const built = await VectorIndex.open(storage, { ...config.index, dir: vectorDir });
    const firstSnapshot = waitForSnapshot(built);
    await built.whenReady();
    const buildSeconds = (performance.now() - started) / 1000;
    record(`${prefix}.build`, count / buildSeconds, 'vectors/s');
    const saved = await firstSnapshot;
    record(`${prefix}.snapshot.save`, saved.ms, 'ms');
    note(`snapshot: ${(saved.bytes / 1e6).toFixed(1)} MB on disk, ${Math.round(saved.bytes / count)} bytes/vector; main thread mapped it in ${saved.mapMs.toFixed(1)} ms`);
    await built.close();

    // Reopen: load the snapshot in a fresh worker; its memory is what this index costs.
    const rssBefore = process.memoryUsage().rss;
    started = performance.now();
    const index = await VectorIndex.open(storage, { ...config.index, dir: vectorDir });
    await index.whenReady();
    const loadMs = performance.now() - started;
    const rssDelta = process.memoryUsage().rss - rssBefore;
    record(`${prefix}.snapshot.load`, loadMs, 'ms');
    if (index.stats().ready?.source !== 'snapshot') throw new Error('the reopened index did not load its snapshot');
    record(`vector.bytes_per_vector`, rssDelta / count, 'bytes');

    // Raw usearch: the very graph our snapshot holds, same parameters, searched in-thread.
    const manifest = JSON.parse(readFileSync(join(vectorDir, 'manifest.json'), 'utf8')) as {
      manifest: { spaces: { index: { file: string }; map: { file: string } }[] };
    };
    const indexFile = join(vectorDir, manifest.manifest.spaces[0]!.index.file);
    const raw = new Index({
      dimensions: dims,
      metric: MetricKind.IP,
      quantization: ScalarKind.F32,
      connectivity: index.options.connectivity,
      expansion_add: index.options.expansionAdd,
      expansion_search: expansionSearchFor(index.options.expansionSearch, count),
      multi: false,
    });
    raw.load(indexFile);

    // Recall and latency: sequential single queries, as an application issues them. Ours
    // and raw usearch alternate query by query (and which goes first), so both see the
    // same machine: on a shared 2-core box the load changes from second to second.
    const query = (q: number): Float32Array => queries.slice(q * dims, (q + 1) * dims);
    const rawQueries = Array.from({ length: config.queries }, (_, q) => query(q));
    for (let q = 0; q < Math.min(200, config.queries); q++) {
      await index.search(query(q), { model: MODEL, k: K });
      raw.search(rawQueries[q]!, K, 1);
    }
    const latencies: number[] = [];
    const rawLatencies: number[] = [];
    let hits = 0;
    for (let q = 0; q < config.queries; q++) {
      const vector = query(q);
      const timeRaw = (): void => {
        const t = performance.now();
        raw.search(rawQueries[q]!, K, 1);
        rawLatencies.push(performance.now() - t);
      };
      if (q % 2 === 1) timeRaw();
      const t = performance.now();
      const { results: found, mode } = await index.search(vector, { model: MODEL, k: K });
      latencies.push(performance.now() - t);
      if (q % 2 === 0) timeRaw();
      if (mode !== 'hnsw') throw new Error(`search answered in ${mode} mode`);
      if (q < config.recallQueries) {
        const expected = new Set(Array.from(truth.keys.subarray(q * K, (q + 1) * K), Number));
        for (const hit of found) if (expected.has(embeddingRow.get(hit.embeddingId)!)) hits++;
      }
    }
    record(`${prefix}.recall10`, hits / (config.recallQueries * K), 'recall');
    const p50 = percentile(latencies, 50);
    record(`${prefix}.search.p50`, p50, 'ms');
    record(`${prefix}.search.p99`, percentile(latencies, 99), 'ms');
    const rawP50 = percentile(rawLatencies, 50);
    record(`${prefix}.raw_usearch.p50`, rawP50, 'ms');
    note(`raw usearch p99 ${percentile(rawLatencies, 99).toFixed(3)} ms`);
    record(`${prefix}.search.ratio`, p50 / rawP50, 'ratio');

    // Recall/latency trade-off of the same graph (search-time parameter only).
    if (config.sweep !== undefined && config.sweep.length > 0) {
      const map = unpack(readFileSync(join(vectorDir, manifest.manifest.spaces[0]!.map.file))) as { keys: number[]; ids: string[] };
      const rowOfKey = new Map(map.keys.map((key, i) => [key, embeddingRow.get(map.ids[i]!)!]));
      for (const ef of config.sweep) {
        const viewed = new Index({ dimensions: dims, metric: MetricKind.IP, quantization: ScalarKind.F32, connectivity: 0, expansion_add: 0, expansion_search: ef, multi: false });
        viewed.view(indexFile);
        for (let q = 0; q < Math.min(200, config.queries); q++) viewed.search(rawQueries[q]!, K, 1);
        const times: number[] = [];
        let found = 0;
        for (let q = 0; q < config.queries; q++) {
          const t = performance.now();
          const { keys } = viewed.search(rawQueries[q]!, K, 1);
          times.push(performance.now() - t);
          if (q < config.recallQueries) {
            const expected = new Set(Array.from(truth.keys.subarray(q * K, (q + 1) * K), Number));
            for (const key of keys) if (expected.has(rowOfKey.get(Number(key))!)) found++;
          }
        }
        record(`${prefix}.ef${ef}.recall10`, found / (config.recallQueries * K), 'recall');
        record(`${prefix}.ef${ef}.p50`, percentile(times, 50), 'ms');
      }
    }

    await index.close();
    await storage.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return results;
}

/** The 100,000 × 384 run of `pnpm bench`. */
export async function runVectorBench(): Promise<BenchResult[]> {
  return runVectorScale({
    count: 100_000,
    dims: 384,
    clusters: 500,
    queries: 1_000,
    recallQueries: 300,
    prefix: 'vector.100k',
    seed: 384,
  });
}
