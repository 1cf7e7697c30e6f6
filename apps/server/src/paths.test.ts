import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDataDir, defaultModelDir, migrateLegacyDataDir } from './paths.js';

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

describe('paths (Linux conventions)', () => {
  it('puts the database in ~/.local/share/TabAgent/tabagent_db, beside the models', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/x' })).toBe('/x/TabAgent/tabagent_db');
    expect(defaultModelDir({ XDG_DATA_HOME: '/x' })).toBe('/x/TabAgent/models');
    expect(defaultModelDir({ XDG_DATA_HOME: '/x', TABAGENT_MODELS_DIR: '/m' })).toBe('/m');
    // TABAGENT_MODELS_DIR moves the models only, never the database.
    expect(defaultDataDir({ XDG_DATA_HOME: '/x', TABAGENT_MODELS_DIR: '/m' })).toBe('/x/TabAgent/tabagent_db');
  });

  it('moves a database from the old default location once', async () => {
    const xdg = await mkdtemp(join(tmpdir(), 'tabagent-paths-'));
    dirs.push(xdg);
    const env = { XDG_DATA_HOME: xdg };
    const legacy = join(xdg, 'TabAgent', 'db');
    await mkdir(legacy, { recursive: true });
    await writeFile(join(legacy, 'CURRENT'), 'MANIFEST-000001\n');
    expect(await migrateLegacyDataDir('/somewhere/else', env)).toBeUndefined();
    expect(await migrateLegacyDataDir(defaultDataDir(env), env)).toBe(legacy);
    expect(await readdir(defaultDataDir(env))).toEqual(['CURRENT']);
    expect(await migrateLegacyDataDir(defaultDataDir(env), env)).toBeUndefined();
  });
});
