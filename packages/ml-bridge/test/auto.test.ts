import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbError } from '@tabagent/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMlBridge, DEFAULT_EMBEDDING_MODEL, DEFAULT_NER_MODEL, type MlLogger, type ModelLocator } from '../src/index.js';
import { describeMlBridgeConformance } from './conformance.js';
import { writeTinyModels, type TinyModelDirs } from './fixtures/tiny-models.js';

/** A real, small locator: a map from repo id to directory (what ModelCache.resolve answers). */
function mapLocator(entries: Record<string, string>): ModelLocator & { asked: Array<[string, { revision?: string } | undefined]> } {
  const asked: Array<[string, { revision?: string } | undefined]> = [];
  return {
    asked,
    resolve: async (repoId, options) => {
      asked.push([repoId, options]);
      return entries[repoId];
    },
  };
}

function recordingLogger(): MlLogger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`) };
}

let models: TinyModelDirs;
const ready = writeTinyModels().then((m) => (models = m));

describeMlBridgeConformance('auto → onnx (models in the cache)', {
  create: async () => {
    await ready;
    return createMlBridge({
      locator: mapLocator({ [DEFAULT_EMBEDDING_MODEL]: models.embedding, [DEFAULT_NER_MODEL]: models.ner }),
      logger: recordingLogger(),
    });
  },
});

describe('auto provider', () => {
  beforeAll(async () => {
    await ready;
  });
  afterAll(async () => {
    await models.cleanup();
  });

  it('is the default and falls back to builtin without a locator, logging once why', async () => {
    const logger = recordingLogger();
    const ml = await createMlBridge({ logger });
    expect(ml.info()).toMatchObject({ provider: 'builtin', quality: 'lexical', reason: 'no model locator configured' });
    await ml.embed(['a']);
    await ml.extractEntities(['Paris']);
    expect(logger.lines).toEqual(['info using builtin (lexical embeddings): no model locator configured']);
    await ml.close();
  });

  it('chooses builtin when the embedding model is not in the cache', async () => {
    const logger = recordingLogger();
    const locator = mapLocator({});
    const ml = await createMlBridge({ provider: 'auto', locator, logger, revision: 'main' });
    expect(ml.info().provider).toBe('builtin');
    expect(ml.info().reason).toContain(`${DEFAULT_EMBEDDING_MODEL} is not in the model cache`);
    expect(locator.asked).toEqual([[DEFAULT_EMBEDDING_MODEL, { revision: 'main' }]]);
    expect(logger.lines).toHaveLength(1);
    await ml.close();
  });

  it('chooses onnx when the models are in the cache, passing onnx settings through', async () => {
    const logger = recordingLogger();
    const ml = await createMlBridge({
      locator: mapLocator({ 'test/encoder': models.embedding, 'test/ner': models.ner }),
      embeddingModel: 'test/encoder',
      nerModel: 'test/ner',
      onnx: { intraOpThreads: 1, executionProviders: ['cpu'], maxBatchSize: 8 },
      logger,
    });
    expect(ml.info()).toMatchObject({ provider: 'onnx', quality: 'semantic', embedding: { model: 'test/encoder', dimensions: 16 }, entities: { model: 'test/ner' } });
    expect(logger.lines).toEqual([`info using onnx: embedding model test/encoder found in the model cache; NER model test/ner found`]);
    const [entities] = await ml.extractEntities(['John Smith lives in Paris.']);
    expect(entities?.map((e) => e.label)).toEqual(['PERSON', 'LOCATION']);
    await ml.close();
  });

  it('uses onnx embeddings with rule NER when only the NER model is missing', async () => {
    const ml = await createMlBridge({ locator: mapLocator({ [DEFAULT_EMBEDDING_MODEL]: models.embedding }), logger: recordingLogger() });
    expect(ml.info()).toMatchObject({ provider: 'onnx', entities: { model: 'builtin/compromise-rules-v1' } });
    expect(ml.info().reason).toContain(`NER model ${DEFAULT_NER_MODEL} is not in the cache`);
    await ml.close();
  });

  it('falls back to builtin, with a warning, when cached models fail to load', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'ml-bridge-broken-'));
    try {
      await mkdir(join(broken, 'onnx'));
      await writeFile(join(broken, 'onnx', 'model.onnx'), 'truncated download');
      await copyFile(join(models.embedding, 'tokenizer.json'), join(broken, 'tokenizer.json'));
      await copyFile(join(models.embedding, 'config.json'), join(broken, 'config.json'));
      const logger = recordingLogger();
      const ml = await createMlBridge({ locator: mapLocator({ [DEFAULT_EMBEDDING_MODEL]: broken }), logger });
      expect(ml.info().provider).toBe('builtin');
      expect(ml.info().reason).toMatch(/failed to load \(CORRUPTED/);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatch(/^warn using builtin/);
      await ml.close();
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('treats a failing locator as "not installed"', async () => {
    const ml = await createMlBridge({
      locator: { resolve: () => Promise.reject(new Error('disk on fire')) },
      logger: recordingLogger(),
    });
    expect(ml.info().provider).toBe('builtin');
    await ml.close();
  });

  it('rejects an unknown provider with INVALID_ARGUMENT', async () => {
    const err = await createMlBridge({ provider: 'tensorflow' } as never).catch((e: unknown) => e);
    expect(DbError.is(err, 'INVALID_ARGUMENT')).toBe(true);
  });
});
