// Indexing benchmarks: `pnpm --filter @tabagent/indexing bench` → bench/results/indexing.json
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeResults } from '@tabagent/common/bench';
import { runIndexBench } from './indexing.bench.js';

const HERE = dirname(fileURLToPath(import.meta.url));

const results = await runIndexBench();
if (existsSync(join(HERE, 'vector.bench.ts'))) {
  // Imported by path so the index benchmarks also run while the vector part is absent.
  const vectorBench = './vector.bench.js';
  const { runVectorBench } = (await import(vectorBench)) as { runVectorBench: () => Promise<typeof results> };
  results.push(...(await runVectorBench()));
}
console.log(`\nwrote ${await writeResults('indexing', results)}`);
