/**
 * Download throughput of ModelCache against a local Hub-compatible server.
 *
 * Serves one large LFS file (generated into a temp dir), then measures, in the same run:
 * - baseline: one plain streaming GET of the same CDN URL written to disk (no checks);
 * - modelcache.download: `ModelCache.pull` with 4 parallel ranged chunks, including the
 *   metadata requests, SHA-256 verification and atomic install.
 * Writes bench/results/model-cache.json at the repo root. MB = 10^6 bytes.
 *
 * Usage: pnpm --filter @tabagent/model-cache bench   (BENCH_MB=512 BENCH_RUNS=5 to change)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { median, perSecond, writeResults } from '@tabagent/common/bench';
import { ModelCache } from '../src/index.js';

const SIZE_MB = Number(process.env['BENCH_MB'] ?? 512);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const SIZE = SIZE_MB * 1024 * 1024;
const REPO = 'bench/large-model';
const FILE = 'onnx/model.onnx';
const benchDir = path.dirname(fileURLToPath(import.meta.url));

/** Starts the Hub in a child process (see serve-hub.ts) and resolves its endpoint. */
async function startHub(work: string): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', path.join(benchDir, 'serve-hub.ts'), work, String(SIZE), REPO, FILE],
    { cwd: path.resolve(benchDir, '..'), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  for await (const data of child.stdout) {
    out += String(data);
    if (out.includes('\n')) break;
  }
  const { endpoint } = JSON.parse(out) as { endpoint: string };
  return {
    endpoint,
    stop: async () => {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

async function main(): Promise<void> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'tabagent-mc-bench-'));
  let stopHub: (() => Promise<void>) | undefined;
  try {
    const hub = await startHub(work);
    stopHub = hub.stop;

    // Where the Hub redirects the LFS file: the baseline fetches exactly that URL.
    const head = await request(`${hub.endpoint}/${REPO}/resolve/main/${FILE}`, { method: 'HEAD' });
    await head.body.dump();
    const cdnUrl = new URL(String(head.headers['location']), hub.endpoint).toString();

    const baseline: number[] = [];
    const pulled: number[] = [];
    const agent = new Agent();
    for (let run = 0; run < RUNS; run++) {
      const target = path.join(work, `baseline-${run}.bin`);
      let started = performance.now();
      const res = await request(cdnUrl, { dispatcher: agent, highWaterMark: 1024 * 1024 });
      await pipeline(res.body, createWriteStream(target));
      baseline.push(perSecond(SIZE / 1e6, performance.now() - started));
      await fs.rm(target);

      const cacheDir = path.join(work, `cache-${run}`);
      const cache = new ModelCache({ cacheDir, endpoint: hub.endpoint, env: {}, parallelChunks: 4 });
      started = performance.now();
      const result = await cache.pull(REPO, { files: [FILE] });
      const seconds = (performance.now() - started) / 1000;
      if (result.files[0]?.verifiedBy !== 'sha256' || result.files[0].size !== SIZE) throw new Error('benchmark download was not verified');
      pulled.push(SIZE / 1e6 / seconds);
      await cache.close();
      await fs.rm(cacheDir, { recursive: true, force: true });
      console.log(`run ${run + 1}/${RUNS}: baseline ${baseline.at(-1)?.toFixed(0)} MB/s, modelcache ${pulled.at(-1)?.toFixed(0)} MB/s`);
    }
    await agent.close();

    const value = Math.round(median(pulled));
    const base = Math.round(median(baseline));
    console.log(`\n${SIZE_MB} MiB file, median of ${RUNS} runs (MB = 10^6 bytes)`);
    console.log(`baseline: single-stream GET to disk, no verification   ${base} MB/s`);
    console.log(`modelcache.download: 4 ranged chunks + SHA-256 + install ${value} MB/s (${(value / base).toFixed(2)}x baseline)`);

    const results = [
      { name: 'modelcache.download', value, unit: 'MB/s' },
      { name: 'modelcache.download.baseline_single_stream', value: base, unit: 'MB/s' },
    ];
    console.log(`wrote ${await writeResults('model-cache', results)}`);
  } finally {
    await stopHub?.();
    await fs.rm(work, { recursive: true, force: true });
  }
}

await main();
