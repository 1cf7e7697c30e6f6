import { DbError, isNodeType } from '@tabagent/common';
import {
  DEFAULT_RUN_SETTINGS,
  DEFAULT_WEAVER_CONFIG,
  MODULE_NAMES,
  type ImportModeConfig,
  type ModuleRunSettings,
  type WeaverConfig,
  type WeaverModulesConfig,
  type WeaverModulesOverrides,
} from './weaver-config.js';

/** The top-level settings a caller may override (everything but the modules). */
export type WeaverSettingsOverrides = Partial<Omit<WeaverConfig, 'modules' | 'import'>> & {
  modules?: WeaverModulesOverrides;
  import?: Partial<ImportModeConfig>;
};

function invalid(field: string, message: string): DbError {
  return new DbError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Check = (value: unknown, field: string) => void;

const integer =
  (min: number): Check =>
  (value, field) => {
    if (!Number.isInteger(value) || (value as number) < min) throw invalid(field, `expected an integer ≥ ${min}`);
  };
const fraction: Check = (value, field) => {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw invalid(field, 'expected a number from 0 to 1');
};
const positive: Check = (value, field) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(field, 'expected a positive number');
};
const boolean: Check = (value, field) => {
  if (typeof value !== 'boolean') throw invalid(field, 'expected true or false');
};
const priority: Check = (value, field) => {
  if (value !== 'normal' && value !== 'low') throw invalid(field, "expected 'normal' or 'low' (the weaver never submits urgent work)");
};
const nodeTypes: Check = (value, field) => {
  if (!Array.isArray(value) || !value.every((t) => isNodeType(t))) throw invalid(field, 'expected an array of node kinds');
};
const labels: Check = (value, field) => {
  if (!Array.isArray(value) || !value.every((t) => typeof t === 'string' && /^[A-Z][A-Z0-9_]*$/u.test(t))) {
    throw invalid(field, 'expected an array of UPPER_SNAKE_CASE entity labels');
  }
};

const RUN_CHECKS: Record<keyof ModuleRunSettings, Check> = {
  enabled: boolean,
  priority,
  batchSize: integer(1),
  flushMs: integer(0),
  concurrency: integer(1),
  retries: integer(0),
  timeoutMs: integer(1),
};

const MODULE_CHECKS: { [K in keyof WeaverModulesConfig]: Record<Exclude<keyof WeaverModulesConfig[K], keyof ModuleRunSettings>, Check> } = {
  'semantic-indexer': { types: nodeTypes },
  'entity-linker': { types: nodeTypes, entityTypes: labels, minConfidence: fraction, removeOrphans: boolean },
  'associative-linker': { types: nodeTypes, k: integer(1), threshold: fraction, windowDays: positive, minWords: integer(0) },
  summarizer: { everyMessages: integer(1), maxLength: integer(1) },
  'topic-modeler': {
    everyMessages: integer(1),
    window: integer(1),
    maxEntities: integer(0),
    maxKeywords: integer(0),
    respectUserTopic: boolean,
  },
};

const TOP_CHECKS: Record<Exclude<keyof WeaverConfig, 'modules' | 'import'>, Check> = {
  readBatchSize: integer(1),
  maxPendingChanges: integer(1),
  mlTimeoutMs: integer(1),
  maxTextLength: integer(1),
  cursorFlushMs: integer(0),
  progressIntervalMs: integer(0),
};

const IMPORT_CHECKS: Record<keyof ImportModeConfig, Check> = { priority, batchFactor: integer(1), flushMs: integer(0) };

/** Copies `overrides` over `defaults`, checking every given field; unknown fields are errors (typos would otherwise be ignored). */
function merge<T extends object>(defaults: T, overrides: unknown, checks: Record<string, Check>, field: string): T {
  if (overrides === undefined) return structuredClone(defaults);
  if (!isObject(overrides)) throw invalid(field, 'expected an object');
  const result = structuredClone(defaults) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const check = checks[key];
    if (check === undefined) throw invalid(`${field}.${key}`, 'unknown setting');
    check(value, `${field}.${key}`);
    result[key] = Array.isArray(value) ? [...value] : value;
  }
  return result as T;
}

/**
 * The full configuration: `DEFAULT_WEAVER_CONFIG` with the caller's overrides, each
 * checked. Bad values are `INVALID_ARGUMENT` naming the field (`modules.summarizer.everyMessages`).
 */
export function resolveWeaverConfig(overrides: WeaverSettingsOverrides = {}): WeaverConfig {
  const { modules, import: importMode, ...top } = overrides;
  const config = merge(
    { ...DEFAULT_WEAVER_CONFIG, modules: undefined, import: undefined },
    top,
    TOP_CHECKS,
    'options',
  ) as unknown as WeaverConfig;
  if (modules !== undefined && !isObject(modules)) throw invalid('modules', 'expected an object');
  for (const name of Object.keys(modules ?? {})) {
    if (!(MODULE_NAMES as readonly string[]).includes(name)) throw invalid(`modules.${name}`, `unknown module (expected one of ${MODULE_NAMES.join(', ')})`);
  }
  const resolved = {} as Record<string, unknown>;
  for (const name of MODULE_NAMES) {
    resolved[name] = merge(DEFAULT_WEAVER_CONFIG.modules[name], modules?.[name], { ...RUN_CHECKS, ...MODULE_CHECKS[name] }, `modules.${name}`);
  }
  config.modules = resolved as unknown as WeaverModulesConfig;
  config.import = merge(DEFAULT_WEAVER_CONFIG.import, importMode, IMPORT_CHECKS, 'import');
  return config;
}

/** Checks the run settings of a custom module, filling in the defaults of built-in ones. */
export function resolveRunSettings(settings: Partial<ModuleRunSettings> | undefined, field: string): ModuleRunSettings {
  return merge({ ...DEFAULT_RUN_SETTINGS }, settings, RUN_CHECKS, field);
}
