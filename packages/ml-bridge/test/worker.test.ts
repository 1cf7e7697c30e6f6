import { DbError } from '@tabagent/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinMlBridge, createWorkerMlBridge, DEFAULT_EMBEDDING_MODEL, OnnxMlBridge, type MlBridge, type MlLogger } from '../src/index.js';
import { describeMlBridgeConformance } from './conformance.js';
import { writeTinyModels, type TinyModelDirs } from './fixtures/tiny-models.js';

const silent: MlLogger = { info: () => undefined, warn: () => undefined };
let models: TinyModelDirs;
const ready = writeTinyModels().then((m) => (models = m));

describeMlBridgeConformance('worker thread running builtin', {
  create: () => createWorkerMlBridge({ provider: 'builtin' }),
});
describeMlBridgeConformance('worker thread running onnx', {
  create: async () => {
    await ready;
    return createWorkerMlBridge({ provider: 'onnx', modelDir: models.embedding, nerModelDir: models.ner, intraOpThreads: 1 });
  },
});

describe('worker ml bridge', () => {
  let worker: MlBridge;

  beforeAll(async () => {
    await ready;
    worker = await createWorkerMlBridge({ provider: 'onnx', modelDir: models.embedding, nerModelDir: models.ner });
  });
  afterAll(async () => {
    await worker?.close();
    await models.cleanup();
  });

  it('returns exactly what the same provider returns in-thread', async () => {
    const local = await OnnxMlBridge.create({ modelDir: models.embedding, nerModelDir: models.ner });
    const texts = ['hello world', 'John Smith lives in New York.', 'the cat sat on the mat'];
    expect(await worker.embed(texts)).toEqual(await local.embed(texts));
    expect(await worker.extractEntities(texts)).toEqual(await local.extractEntities(texts));
    expect(await worker.summarize(texts, { maxLength: 40 })).toBe(await local.summarize(texts, { maxLength: 40 }));
    expect(worker.info()).toEqual(local.info());
    await local.close();
  });

  it('hands back vectors that own their (transferred) buffers', async () => {
    const vectors = await worker.embed(['a', 'b', 'c']);
    const buffers = new Set(vectors.map((v) => v.buffer));
    expect(buffers.size).toBe(3);
    for (const v of vectors) expect(v.byteLength).toBe(v.buffer.byteLength);
  });

  it('aborts a call in the worker with ABORTED', async () => {
    const controller = new AbortController();
    const call = worker.embed(
      Array.from({ length: 5000 }, (_, i) => `the cat ${i}`),
      { signal: controller.signal },
    );
    controller.abort();
    const err = await call.catch((e: unknown) => e);
    expect(DbError.is(err, 'ABORTED')).toBe(true);
    // The worker stays usable afterwards.
    expect(await worker.embed(['hello'])).toHaveLength(1);
  });

  it('reports load failures of the worker provider with their code', async () => {
    const err = await createWorkerMlBridge({ provider: 'onnx', modelDir: '/nonexistent/model' }).catch((e: unknown) => e);
    expect(DbError.is(err, 'NOT_FOUND')).toBe(true);
  });

  it('resolves auto on the calling thread and runs the chosen provider in the worker', async () => {
    const lines: string[] = [];
    const ml = await createWorkerMlBridge(
      { locator: { resolve: async (id) => (id === DEFAULT_EMBEDDING_MODEL ? models.embedding : undefined) } },
      { logger: { info: (m) => lines.push(m), warn: (m) => lines.push(m) } },
    );
    expect(ml.info().provider).toBe('onnx');
    expect(ml.info().reason).toContain('found in the model cache');
    expect(lines).toHaveLength(1);
    await ml.close();
    const builtin = await createWorkerMlBridge({}, { logger: silent });
    expect(builtin.info()).toMatchObject({ provider: 'builtin', reason: 'no model locator configured' });
    expect(await builtin.embed(['x'])).toEqual(await new BuiltinMlBridge().embed(['x']));
    await builtin.close();
  });
});
