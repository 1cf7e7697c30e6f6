import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DbError } from '@tabagent/common';
import { loadConfig, redactConfig } from './load-config.js';

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

async function configFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tabagent-config-'));
  dirs.push(dir);
  const file = join(dir, 'tabagent.json');
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function failure(promise: Promise<unknown>): Promise<DbError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DbError);
  return err as DbError;
}

const home = { XDG_DATA_HOME: '/xdg' };

describe('loadConfig', () => {
  it('uses the platform defaults when nothing is given', async () => {
    const config = await loadConfig({ env: home });
    expect(config).toMatchObject({ logLevel: 'warn', weaver: true, ml: { provider: 'auto' }, server: { mode: 'http' }, configFile: undefined });
    if (process.platform === 'linux') {
      expect(config.dataDir).toBe('/xdg/TabAgent/tabagent_db');
      expect(config.modelDir).toBe('/xdg/TabAgent/models');
    }
    // Host and port stay the server's own defaults.
    expect(config.server.host).toBeUndefined();
    expect(config.server.port).toBeUndefined();
  });

  it('applies flags over env over the config file over the defaults', async () => {
    const file = await configFile({ dataDir: 'from-file', logLevel: 'error', ml: { provider: 'openai', baseUrl: 'http://127.0.0.1:1/v1' }, server: { port: 1111, host: '127.0.0.2' } });
    const env = { ...home, TABAGENT_PORT: '2222', TABAGENT_LOG_LEVEL: 'info', TABAGENT_WEAVER: 'off' };
    const config = await loadConfig({ env, configFile: file, cwd: '/work', flags: { server: { port: '3333' } } });
    expect(config.server.port).toBe(3333); // flag beats env and file
    expect(config.logLevel).toBe('info'); // env beats file
    expect(config.server.host).toBe('127.0.0.2'); // file beats default
    expect(config.weaver).toBe(false);
    expect(config.ml).toEqual({ provider: 'openai', baseUrl: 'http://127.0.0.1:1/v1' }); // sections merge key by key
    expect(config.dataDir).toBe(join(file, '..', 'from-file')); // relative to the config file
    expect(config.configFile).toBe(file);

    const fromEnv = await loadConfig({ env: { ...env, TABAGENT_DATA_DIR: 'rel' }, configFile: file, cwd: '/work' });
    expect(fromEnv.dataDir).toBe('/work/rel'); // relative to the working directory
    expect(fromEnv.server.port).toBe(2222);
  });

  it('finds the config file through TABAGENT_CONFIG', async () => {
    const file = await configFile({ server: { corsOrigins: ['chrome-extension://abc'] } });
    const config = await loadConfig({ env: { ...home, TABAGENT_CONFIG: file } });
    expect(config.server.corsOrigins).toEqual(['chrome-extension://abc']);
    const listed = await loadConfig({ env: { ...home, TABAGENT_CORS_ORIGINS: 'a://x, b://y' } });
    expect(listed.server.corsOrigins).toEqual(['a://x', 'b://y']);
  });

  it('rejects bad values naming where they came from', async () => {
    const typo = await failure(loadConfig({ env: home, configFile: await configFile({ server: { prot: 1 } }) }));
    expect(typo.code).toBe('INVALID_ARGUMENT');
    expect(typo.details.field).toBe('server.prot');
    expect(typo.message).toMatch(/^config file .*tabagent\.json: server\.prot/);

    const port = await failure(loadConfig({ env: { ...home, TABAGENT_PORT: '70000' } }));
    expect(port.message).toMatch(/^environment: TABAGENT_PORT: /);

    const flag = await failure(loadConfig({ env: home, flags: { server: { port: 'abc' } } }));
    expect(flag.message).toMatch(/^command line: --port: /);

    const bool = await failure(loadConfig({ env: { ...home, TABAGENT_WEAVER: 'maybe' } }));
    expect(bool.details.field).toBe('TABAGENT_WEAVER');

    const json = await failure(loadConfig({ env: home, configFile: await configFile('{ nope') }));
    expect(json.code).toBe('INVALID_ARGUMENT');
    const missing = await failure(loadConfig({ env: home, configFile: '/nonexistent/tabagent.json' }));
    expect(missing.code).toBe('NOT_FOUND');
  });

  it('masks secrets when printed', async () => {
    const config = await loadConfig({ env: { ...home, TABAGENT_TOKEN: 'secret', TABAGENT_ML_API_KEY: 'key' } });
    const shown = JSON.stringify(redactConfig(config));
    expect(shown).not.toContain('secret');
    expect(shown).not.toContain('"key"');
    expect(redactConfig(config).server.token).toBe('***');
  });
});
