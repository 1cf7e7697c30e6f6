// The optional 1,000,000 × 384 vector benchmark (not part of `pnpm bench`: it takes
// ~25–35 minutes on 2 cores, mostly the HNSW build, and ~7 GB of memory).
//
//   pnpm --filter @tabagent/indexing bench:1m   → bench/results/indexing-1m.json
import { writeResults } from '@tabagent/common/bench';
import { runVectorScale } from './vector.bench.js';

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
const written = await writeResults('indexing-1m', results);
console.log(`\nwrote ${written} in ${((performance.now() - started) / 60_000).toFixed(1)} min`);
