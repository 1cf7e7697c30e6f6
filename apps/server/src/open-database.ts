import { DbError } from '@tabagent/common';
import type { MlBridgeConfig } from '@tabagent/ml-bridge';
import { ModelCache, defaultCatalogModel } from '@tabagent/model-cache';
import { TabAgent } from 'tabagent';
import type { AppConfig } from './config/config-schema.js';
import type { AppLogger } from './logger.js';
import { migrateLegacyDataDir } from './paths.js';

/** Options of {@link openDatabase}. */
export interface OpenDatabaseOptions {
  config: AppConfig;
  logger: AppLogger;
  /**
   * Run the Knowledge Weaver. `serve` runs it when `config.weaver` is on; short commands
   * do not (the weaver catches up from its cursor the next time it runs).
   */
  weaver: boolean;
  /** Run ML in a worker thread (long-running `serve`); short commands run it in-process. */
  mlInWorker: boolean;
}

/** The ML provider settings the facade takes, from the CLI configuration. */
export async function mlConfigFor(config: AppConfig, logger: AppLogger): Promise<MlBridgeConfig> {
  const { provider, baseUrl, address, apiKey, embeddingModel, chatModel } = config.ml;
  switch (provider) {
    case 'builtin':
      return { provider: 'builtin' };
    case 'openai':
      if (baseUrl === undefined) {
        throw new DbError('INVALID_ARGUMENT', 'the openai ML provider needs a base URL (--ml-base-url, TABAGENT_ML_BASE_URL or ml.baseUrl)', {
          details: { field: 'ml.baseUrl' },
        });
      }
      return {
        provider: 'openai',
        baseUrl,
        ...(apiKey === undefined ? {} : { apiKey }),
        ...(embeddingModel === undefined ? {} : { embeddingModel }),
        ...(chatModel === undefined ? {} : { chatModel }),
      };
    case 'onnx': {
      await using cache = new ModelCache({ cacheDir: config.modelDir, offline: true });
      const repoId = embeddingModel ?? defaultCatalogModel('embedding').repoId;
      const modelDir = await cache.resolve(repoId);
      if (modelDir === undefined) {
        throw new DbError('NOT_FOUND', `embedding model ${repoId} is not installed in ${config.modelDir} (run \`tabagent models pull\`)`, {
          details: { field: 'ml.embeddingModel' },
        });
      }
      const nerModelDir = await cache.resolve(defaultCatalogModel('ner').repoId);
      if (nerModelDir === undefined) logger.info('no NER model installed: entities come from the builtin rules');
      return { provider: 'onnx', modelDir, ...(nerModelDir === undefined ? {} : { nerModelDir }) };
    }
    case 'grpc':
      if (address === undefined) {
        throw new DbError('INVALID_ARGUMENT', 'the grpc ML provider needs an address (TABAGENT_ML_ADDRESS or ml.address)', { details: { field: 'ml.address' } });
      }
      return { provider: 'grpc', address, ...(apiKey === undefined ? {} : { token: apiKey }) };
    case 'auto':
      return { provider: 'auto', logger, ...(embeddingModel === undefined ? {} : { embeddingModel }) };
    default:
      return unknownProvider(provider);
  }
}

function unknownProvider(provider: never): never {
  throw new DbError('INVALID_ARGUMENT', `unknown ML provider ${String(provider)}`, { details: { field: 'ml.provider' } });
}

/**
 * Opens the database the configuration points at, with the configured ML provider.
 *
 * @example
 * await using db = await openDatabase({ config, logger, weaver: false, mlInWorker: false });
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<TabAgent> {
  const { config, logger } = options;
  const moved = await migrateLegacyDataDir(config.dataDir);
  if (moved !== undefined) logger.warn(`moved the database from ${moved} to ${config.dataDir}`);
  return TabAgent.open(config.dataDir, {
    ml: await mlConfigFor(config, logger),
    mlInWorker: options.mlInWorker,
    modelDir: config.modelDir,
    weaver: options.weaver ? {} : false,
    logger,
  });
}
