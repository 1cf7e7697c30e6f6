import os from 'node:os';
import path from 'node:path';

/** Inputs of {@link defaultModelsDir}; all default to the current process. */
export interface DefaultModelsDirOptions {
  /** Environment to read `TABAGENT_MODELS_DIR`, `XDG_DATA_HOME`, `APPDATA` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Platform whose convention applies. Default `process.platform`. */
  platform?: NodeJS.Platform;
  /** Home directory. Default `os.homedir()`. */
  homeDir?: string;
}

/**
 * The default model directory: `TABAGENT_MODELS_DIR` when set, else
 * - Linux: `$XDG_DATA_HOME/TabAgent/models` (`~/.local/share/TabAgent/models`)
 * - macOS: `~/Library/Application Support/TabAgent/models`
 * - Windows: `%APPDATA%\TabAgent\models`
 *
 * @example
 * new ModelCache({ cacheDir: defaultModelsDir() });
 */
export function defaultModelsDir(options: DefaultModelsDirOptions = {}): string {
  const env = options.env ?? process.env;
  const override = env['TABAGENT_MODELS_DIR'];
  if (override) return path.resolve(override);
  const platform = options.platform ?? process.platform;
  const home = options.homeDir ?? os.homedir();
  if (platform === 'win32') {
    const appData = env['APPDATA'] ?? path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'TabAgent', 'models');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', 'TabAgent', 'models');
  const dataHome = env['XDG_DATA_HOME'] || path.posix.join(home, '.local', 'share');
  return path.posix.join(dataHome, 'TabAgent', 'models');
}
