import { join } from 'node:path';
import envPaths from 'env-paths';

const appPaths = envPaths('TabAgent', { suffix: '' });

/**
 * Default data directory: `~/.local/share/TabAgent` on Linux (XDG), the platform's
 * equivalent elsewhere; `TABAGENT_DATA_DIR` overrides it.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['TABAGENT_DATA_DIR'] ?? appPaths.data;
}

/** The database directory inside a data directory. */
export function databaseDir(dataDir: string): string {
  return join(dataDir, 'db');
}
