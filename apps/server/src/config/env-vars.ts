import { DbError } from '@tabagent/common';
import type { ConfigLayer } from './config-schema.js';

type Env = Readonly<Record<string, string | undefined>>;

/** How one environment variable maps onto the configuration. */
export interface EnvVar {
  name: string;
  /** Dotted path in {@link ConfigLayer}. */
  key: string;
  kind: 'string' | 'path' | 'boolean' | 'list';
}

/** Every environment variable the CLI reads (besides `TABAGENT_CONFIG`, the config file). */
export const ENV_VARS: readonly EnvVar[] = [
  { name: 'TABAGENT_DATA_DIR', key: 'dataDir', kind: 'path' },
  { name: 'TABAGENT_MODELS_DIR', key: 'modelDir', kind: 'path' },
  { name: 'TABAGENT_LOG_LEVEL', key: 'logLevel', kind: 'string' },
  { name: 'TABAGENT_LOG_FILE', key: 'logFile', kind: 'path' },
  { name: 'TABAGENT_WEAVER', key: 'weaver', kind: 'boolean' },
  { name: 'TABAGENT_ML_PROVIDER', key: 'ml.provider', kind: 'string' },
  { name: 'TABAGENT_ML_BASE_URL', key: 'ml.baseUrl', kind: 'string' },
  { name: 'TABAGENT_ML_ADDRESS', key: 'ml.address', kind: 'string' },
  { name: 'TABAGENT_ML_API_KEY', key: 'ml.apiKey', kind: 'string' },
  { name: 'TABAGENT_ML_EMBEDDING_MODEL', key: 'ml.embeddingModel', kind: 'string' },
  { name: 'TABAGENT_ML_CHAT_MODEL', key: 'ml.chatModel', kind: 'string' },
  { name: 'TABAGENT_MODE', key: 'server.mode', kind: 'string' },
  { name: 'TABAGENT_HOST', key: 'server.host', kind: 'string' },
  { name: 'TABAGENT_PORT', key: 'server.port', kind: 'string' },
  { name: 'TABAGENT_GRPC_PORT', key: 'server.grpcPort', kind: 'string' },
  { name: 'TABAGENT_GRPC_ML', key: 'server.grpcMl', kind: 'boolean' },
  { name: 'TABAGENT_TOKEN', key: 'server.token', kind: 'string' },
  { name: 'TABAGENT_CORS_ORIGINS', key: 'server.corsOrigins', kind: 'list' },
  { name: 'TABAGENT_BODY_LIMIT', key: 'server.bodyLimit', kind: 'string' },
  { name: 'TABAGENT_EXPORTS_DIR', key: 'server.exportsDir', kind: 'string' },
];

function parseBoolean(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new DbError('INVALID_ARGUMENT', `${name}: expected true or false, got ${JSON.stringify(value)}`, { details: { field: name } });
}

/** Sets `value` at a dotted `key` of `target`, creating the objects on the way. */
export function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/** The configuration layer the environment describes (empty variables count as unset). Not yet validated. */
export function envLayer(env: Env): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const v of ENV_VARS) {
    const raw = env[v.name];
    if (raw === undefined || raw.trim() === '') continue;
    const value =
      v.kind === 'boolean'
        ? parseBoolean(v.name, raw)
        : v.kind === 'list'
          ? raw
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : raw;
    setPath(layer, v.key, value);
  }
  return layer;
}

/** Name of the variable behind a config key, for error messages. */
export function envVarFor(key: string): string | undefined {
  return ENV_VARS.find((v) => v.key === key)?.name;
}

export type { ConfigLayer };
