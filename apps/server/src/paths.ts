import { existsSync, realpathSync } from 'node:fs';
import { access, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbError } from '@tabagent/common';
import { defaultModelsDir } from '@tabagent/model-cache';

/** Name of the database directory inside the application data directory. */
export const DATABASE_DIR_NAME = 'tabagent_db';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The platform's application data directory of TabAgent, shared with the model cache:
 * `$XDG_DATA_HOME/TabAgent` (`~/.local/share/TabAgent`) on Linux,
 * `~/Library/Application Support/TabAgent` on macOS, `%APPDATA%\TabAgent` on Windows.
 */
export function appDataDir(env: Env = process.env): string {
  // The model cache owns the platform convention; its directory is `<app data>/models`.
  return dirname(defaultModelsDir({ env: { ...env, TABAGENT_MODELS_DIR: undefined } }));
}

/**
 * The default database directory: `~/.local/share/TabAgent/tabagent_db` on Linux, the
 * platform's equivalent elsewhere (see {@link appDataDir}).
 *
 * @example
 * defaultDataDir({ XDG_DATA_HOME: '/data' }) // '/data/TabAgent/tabagent_db' on Linux
 */
export function defaultDataDir(env: Env = process.env): string {
  return join(appDataDir(env), DATABASE_DIR_NAME);
}

/** The default model directory: `TABAGENT_MODELS_DIR`, else `<app data>/models`. */
export function defaultModelDir(env: Env = process.env): string {
  return defaultModelsDir({ env });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Earlier builds kept the default database in `<app data>/db`. When the default
 * directory does not exist yet but that one holds a database, it is moved into place.
 * Returns the directory moved from, or undefined when there was nothing to move.
 */
export async function migrateLegacyDataDir(dataDir: string, env: Env = process.env): Promise<string | undefined> {
  if (dataDir !== defaultDataDir(env)) return undefined;
  const legacy = join(appDataDir(env), 'db');
  if ((await exists(dataDir)) || !(await exists(join(legacy, 'CURRENT')))) return undefined;
  await rename(legacy, dataDir);
  return legacy;
}

/**
 * Absolute path of the CLI's entry script (`dist/main.js`), for commands that register
 * it with other programs (`native-manifest`): the built one beside this module, else
 * the script this process runs.
 */
export function cliMainPath(): string {
  const beside = fileURLToPath(new URL('./main.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const script = process.argv[1];
  if (script !== undefined && existsSync(script)) return realpathSync(script);
  throw new DbError('INTERNAL', 'cannot tell where the tabagent CLI script is (run the built dist/main.js)');
}
