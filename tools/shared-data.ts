// Where the public test data sets live (`../shared/data` next to the repository).
// Tests and benchmarks may read them; the product never does. A clone elsewhere can
// point at them with TABAGENT_SHARED_DATA.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

function findSharedData(): string {
  const candidates = [
    process.env['TABAGENT_SHARED_DATA'],
    join(REPO_ROOT, '..', 'shared', 'data'),
    '/work/shared/data',
  ].filter((c): c is string => c !== undefined && c !== '');
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

/** Absolute path of the shared data directory, with a trailing separator. */
export const SHARED_DATA: string = `${findSharedData()}/`;
