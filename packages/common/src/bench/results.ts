import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbError } from '../errors/index.js';

/** One benchmark number as stored in `bench/results/<name>.json`. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
}

export interface WriteResultsOptions {
  /**
   * Keep the results already in the file except those whose names this accepts, which
   * `results` replace (several benches share one file, e.g. `server.json`). Without it
   * the file is overwritten.
   */
  replace?: (name: string) => boolean;
}

/** The repository root: the nearest folder above this module holding `pnpm-workspace.yaml`. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new DbError('NOT_FOUND', `bench: no pnpm-workspace.yaml above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** Absolute path of `bench/results/<name>.json` at the repository root. */
export function resultsFile(name: string): string {
  return join(repoRoot(), 'bench', 'results', `${name}.json`);
}

/**
 * Writes `results` to `bench/results/<name>.json` (pretty JSON, trailing newline) and
 * returns the file's path.
 *
 * @example
 * await writeResults('storage', [{ name: 'storage.get.single.p50', value: 0.02, unit: 'ms' }]);
 */
export async function writeResults(name: string, results: readonly BenchResult[], options: WriteResultsOptions = {}): Promise<string> {
  const file = resultsFile(name);
  let merged: readonly BenchResult[] = results;
  if (options.replace) {
    const own = options.replace;
    let existing: BenchResult[] = [];
    try {
      existing = JSON.parse(await readFile(file, 'utf8')) as BenchResult[];
    } catch {
      // No file yet, or not JSON: start afresh.
    }
    merged = [...existing.filter((r) => !own(r.name)), ...results];
  }
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(merged, null, 2)}\n`);
  return file;
}
