// Indexing benchmarks: `pnpm --filter @tabagent/indexing bench` → bench/results/indexing.json
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIndexBench } from './indexing.bench.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(HERE, '../../../bench/results/indexing.json');

const results = await runIndexBench();
if (existsSync(join(HERE, 'vector.bench.ts'))) {
  // Imported by path so the index benchmarks also run while the vector part is absent.
  const vectorBench = './vector.bench.js';
  const { runVectorBench } = (await import(vectorBench)) as { runVectorBench: () => Promise<typeof results> };
  results.push(...(await runVectorBench()));
}
await mkdir(dirname(RESULTS), { recursive: true });
await writeFile(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwrote ${RESULTS}`);
