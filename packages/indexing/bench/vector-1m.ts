// The optional 1,000,000 × 384 vector benchmark (not part of `pnpm bench`: it takes
// ~25–35 minutes on 2 cores, mostly the HNSW build, and ~7 GB of memory).
//
//   pnpm --filter @tabagent/indexing bench:1m   → bench/results/indexing-1m.json
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runVectorScale } from './vector.bench.js';

const RESULTS = join(dirname(fileURLToPath(import.meta.url)), '../../../bench/results/indexing-1m.json');

const started = performance.now();
const results = await runVectorScale({
  count: 1_000_000,
  dims: 384,
  clusters: 5_000,
  queries: 1_000,
  recallQueries: 200,
  prefix: 'vector.1m',
  seed: 1_000_384,
  sweep: [64, 128, 256],
});
await mkdir(dirname(RESULTS), { recursive: true });
await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${RESULTS} in ${((performance.now() - started) / 60_000).toFixed(1)} min`);
