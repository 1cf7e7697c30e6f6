import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { DbError } from '@tabagent/common';
import { defaultDataDir, defaultModelDir } from '../paths.js';
import { configLayerSchema, type AppConfig, type ConfigLayer } from './config-schema.js';
import { envLayer, envVarFor } from './env-vars.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Where {@link loadConfig} reads from. */
export interface ConfigSources {
  /** Values given on the command line (highest precedence); validated like the other layers. */
  flags?: Record<string, unknown>;
  /** Environment (`TABAGENT_*`, `TABAGENT_CONFIG`). Default `process.env`. */
  env?: Env;
  /** A JSON config file; default `TABAGENT_CONFIG`. Relative paths inside it resolve against its directory. */
  configFile?: string;
  /** Directory relative paths on the command line and in the environment resolve against. Default `process.cwd()`. */
  cwd?: string;
}

/** The defaults, in one place. Host and ports are left to the servers' own defaults. */
export function defaultConfig(env: Env = process.env): Omit<AppConfig, 'configFile'> {
  return {
    dataDir: defaultDataDir(env),
    modelDir: defaultModelDir(env),
    logLevel: 'warn',
    weaver: true,
    ml: { provider: 'auto' },
    server: { mode: 'http', grpcMl: true },
  };
}

function validate(layer: unknown, source: string, keyName: (path: string) => string): ConfigLayer {
  const parsed = configLayerSchema.safeParse(layer);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = describePath(issue);
  throw new DbError('INVALID_ARGUMENT', `${source}: ${path === '' ? '' : `${keyName(path)}: `}${issue.message}`, {
    cause: parsed.error,
    details: { field: path },
  });
}

function describePath(issue: z.core.$ZodIssue): string {
  const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  return keys.map(String).join('.');
}

/** Expands a leading `~` and resolves against `base`. */
function resolvePath(path: string, base: string): string {
  const expanded = path === '~' ? homedir() : path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path;
  return resolve(base, expanded);
}

function resolvePaths(layer: ConfigLayer, base: string): ConfigLayer {
  return {
    ...layer,
    ...(layer.dataDir === undefined ? {} : { dataDir: resolvePath(layer.dataDir, base) }),
    ...(layer.modelDir === undefined ? {} : { modelDir: resolvePath(layer.modelDir, base) }),
    ...(layer.logFile === undefined ? {} : { logFile: resolvePath(layer.logFile, base) }),
    ...(layer.server?.exportsDir === undefined ? {} : { server: { ...layer.server, exportsDir: resolvePath(layer.server.exportsDir, base) } }),
  };
}

async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new DbError(code === 'ENOENT' ? 'NOT_FOUND' : 'UNAVAILABLE', `cannot read config file ${path}: ${(cause as Error).message}`, {
      cause,
      details: { field: 'config' },
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new DbError('INVALID_ARGUMENT', `config file ${path} is not valid JSON: ${(cause as Error).message}`, { cause, details: { field: 'config' } });
  }
}

function merge(...layers: ConfigLayer[]): ConfigLayer {
  const out: ConfigLayer = {};
  for (const layer of layers) {
    const { ml, server, ...top } = layer;
    Object.assign(out, definedOnly(top));
    if (ml) out.ml = { ...out.ml, ...definedOnly(ml) };
    if (server) out.server = { ...out.server, ...definedOnly(server) };
  }
  return out;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Resolves the effective configuration. Precedence: command-line flags, then
 * environment variables, then the config file, then the defaults. Each layer is
 * validated on its own so an error names where the bad value came from.
 *
 * @example
 * const config = await loadConfig({ flags: { server: { port: '0' } }, env: process.env });
 */
export async function loadConfig(sources: ConfigSources = {}): Promise<AppConfig> {
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  const flags = validate(sources.flags ?? {}, 'command line', (path) => `--${flagName(path)}`);
  const fromEnv = validate(envLayer(env), 'environment', (path) => envVarFor(path) ?? path);
  const configPath = sources.configFile ?? (env['TABAGENT_CONFIG'] || undefined);
  let fromFile: ConfigLayer = {};
  let configFile: string | undefined;
  if (configPath !== undefined) {
    configFile = resolvePath(configPath, cwd);
    fromFile = resolvePaths(validate(await readConfigFile(configFile), `config file ${configFile}`, (path) => path), dirname(configFile));
  }
  const merged = merge(defaultConfig(env), fromFile, resolvePaths(fromEnv, cwd), resolvePaths(flags, cwd)) as Omit<AppConfig, 'configFile'>;
  return { ...merged, configFile };
}

/** `server.corsOrigins` → `cors-origins`: the flag for a config key. */
function flagName(path: string): string {
  const last = path.split('.').at(-1) ?? path;
  const map: Record<string, string> = { provider: 'ml-provider', corsOrigins: 'cors-origin' };
  return map[last] ?? last.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The configuration as `tabagent config` prints it: secrets masked. */
export function redactConfig(config: AppConfig): AppConfig {
  const mask = (v: string | undefined): string | undefined => (v === undefined ? undefined : '***');
  return {
    ...config,
    ml: definedOnly({ ...config.ml, apiKey: mask(config.ml.apiKey) }) as AppConfig['ml'],
    server: definedOnly({ ...config.server, token: mask(config.server.token) }) as AppConfig['server'],
  };
}
