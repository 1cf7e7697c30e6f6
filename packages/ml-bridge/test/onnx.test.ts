import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbError } from '@tabagent/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMlBridge, OnnxMlBridge } from '../src/index.js';
import { describeMlBridgeConformance } from './conformance.js';
import { SHARED_DATA } from './quality/datasets.js';
import { encoderGraph, encoderWeights, expectedEmbedding, writeTinyModels, type TinyModelDirs } from './fixtures/tiny-models.js';

let models: TinyModelDirs;
const ready = writeTinyModels().then((m) => (models = m));

describeMlBridgeConformance('onnx (test-generated encoder + NER)', {
  create: async () => {
    await ready;
    return OnnxMlBridge.create({ modelDir: models.embedding, nerModelDir: models.ner, maxBatchSize: 4, intraOpThreads: 1 });
  },
});
describeMlBridgeConformance('onnx via createMlBridge (rule NER)', {
  create: async () => {
    await ready;
    return createMlBridge({ provider: 'onnx', modelDir: models.embedding });
  },
});

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (DbError.is(e) ? e.code : `not a DbError: ${String(e)}`),
  );

describe('onnx provider', () => {
  let ml: OnnxMlBridge;
  const id = (token: string): number => models.vocab[token] as number;

  beforeAll(async () => {
    await ready;
    ml = await OnnxMlBridge.create({ modelDir: models.embedding, nerModelDir: models.ner, maxBatchSize: 3 });
  });
  afterAll(async () => {
    await ml?.close();
    await models.cleanup();
  });

  it('reports the model ids from config.json and the hidden size as dimensions', () => {
    expect(ml.info()).toMatchObject({
      provider: 'onnx',
      quality: 'semantic',
      embedding: { model: 'test/tiny-encoder', dimensions: 16, normalized: true },
      entities: { model: 'test/tiny-ner' },
    });
  });

  it('mean-pools over the attention mask and L2-normalises, as computed by hand', async () => {
    const texts = ['hello world', 'The cat sat on the mat today, and the dog ran in the park.', 'cat'];
    const vectors = await ml.embed(texts);
    const expected = [
      expectedEmbedding(models.weights, [id('[CLS]'), id('hello'), id('world'), id('[SEP]')]),
      expectedEmbedding(
        models.weights,
        ['[CLS]', 'the', 'cat', 'sat', 'on', 'the', 'mat', 'today', ',', 'and', 'the', 'dog', 'ran', 'in', 'the', 'park', '.', '[SEP]'].map(id),
      ),
      expectedEmbedding(models.weights, [id('[CLS]'), id('cat'), id('[SEP]')]),
    ];
    vectors.forEach((v, i) => {
      const e = expected[i] as Float32Array;
      for (let d = 0; d < e.length; d++) expect(v[d]).toBeCloseTo(e[d] as number, 5);
    });
  });

  it('gives unknown words [UNK] and still pools them', async () => {
    const [v] = await ml.embed(['hello zebra']);
    const e = expectedEmbedding(models.weights, [id('[CLS]'), id('hello'), id('[UNK]'), id('[SEP]')]);
    for (let d = 0; d < e.length; d++) expect(v?.[d]).toBeCloseTo(e[d] as number, 5);
  });

  it('truncates to the model length (max_position_embeddings 64) instead of failing', async () => {
    const long = Array.from({ length: 200 }, () => 'cat').join(' ');
    const [v] = await ml.embed([long]);
    const e = expectedEmbedding(models.weights, [id('[CLS]'), ...Array.from({ length: 62 }, () => id('cat')), id('[SEP]')]);
    for (let d = 0; d < e.length; d++) expect(v?.[d]).toBeCloseTo(e[d] as number, 5);
  });

  it('aggregates BIO tags into spans with character offsets (sub-words follow their first piece)', async () => {
    const texts = ['John Smith lives in New York and works at Acme Corp.', '😀 Johnson lives in Paris, today.', 'the cat sat'];
    const [a, b, c] = await ml.extractEntities(texts);
    expect(a?.map(({ text, label, start, end }) => ({ text, label, start, end }))).toEqual([
      { text: 'John Smith', label: 'PERSON', start: 0, end: 10 },
      { text: 'New York', label: 'LOCATION', start: 20, end: 28 },
      { text: 'Acme Corp', label: 'ORG', start: 42, end: 51 },
    ]);
    // '😀' is two UTF-16 units: Johnson starts at 3, not at code point 2.
    expect(b?.map(({ text, label, start, end }) => ({ text, label, start, end }))).toEqual([
      { text: 'Johnson', label: 'PERSON', start: 3, end: 10 },
      { text: 'Paris', label: 'LOCATION', start: 20, end: 25 },
    ]);
    expect(c).toEqual([]);
    // Softmax of logit 4 against eight zeros.
    const p = Math.exp(4) / (Math.exp(4) + 8);
    for (const e of [...(a ?? []), ...(b ?? [])]) expect(e.score).toBeCloseTo(p, 6);
  });

  it('summarises extractively within maxLength', async () => {
    const summary = await ml.summarize(['The cat sat on the mat. A dog ran in the park. The cat is big. It rains today.'], { maxLength: 50 });
    expect(summary.length).toBeGreaterThan(0);
    expect(summary.length).toBeLessThanOrEqual(50);
    for (const sentence of summary.split(/(?<=\.)\s/)) {
      expect('The cat sat on the mat. A dog ran in the park. The cat is big. It rains today.').toContain(sentence);
    }
  });

  it('accepts thread and execution-provider settings, falling back to CPU when a provider is missing', async () => {
    const other = await OnnxMlBridge.create({ modelDir: models.embedding, executionProviders: ['cuda', 'cpu'], intraOpThreads: 1 });
    const [a] = await other.embed(['hello world']);
    const [b] = await ml.embed(['hello world']);
    for (let d = 0; d < 16; d++) expect(a?.[d]).toBeCloseTo(b?.[d] as number, 6);
    await other.close();
  });

  it('fails with clear codes: missing dir, missing files, corrupt graph, bad tokenizer, bad options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ml-bridge-bad-'));
    try {
      expect(await codeOf(OnnxMlBridge.create({ modelDir: join(dir, 'nope') }))).toBe('NOT_FOUND');
      expect(await codeOf(OnnxMlBridge.create({ modelDir: dir }))).toBe('NOT_FOUND');
      await writeFile(join(dir, 'model.onnx'), 'this is not protobuf');
      await copyFile(join(models.embedding, 'tokenizer.json'), join(dir, 'tokenizer.json'));
      expect(await codeOf(OnnxMlBridge.create({ modelDir: dir }))).toBe('NOT_FOUND'); // no config.json yet
      await copyFile(join(models.embedding, 'config.json'), join(dir, 'config.json'));
      expect(await codeOf(OnnxMlBridge.create({ modelDir: dir }))).toBe('CORRUPTED');
      await copyFile(join(models.embedding, 'onnx', 'model.onnx'), join(dir, 'model.onnx'));
      await writeFile(join(dir, 'tokenizer.json'), '{"version": "1.0", "model": 42}');
      expect(await codeOf(OnnxMlBridge.create({ modelDir: dir }))).toBe('CORRUPTED');
      await writeFile(join(dir, 'config.json'), '{ not json');
      expect(await codeOf(OnnxMlBridge.create({ modelDir: dir }))).toBe('CORRUPTED');
      expect(await codeOf(OnnxMlBridge.create({ modelDir: models.embedding, maxBatchSize: 0 }))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(OnnxMlBridge.create({ modelDir: models.embedding, nerModelDir: models.embedding }))).toBe('CORRUPTED'); // no id2label
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('onnx provider with the real all-MiniLM-L6-v2 tokenizer', () => {
  let dir: string;
  const hidden = 8;
  const weights = encoderWeights(30522, hidden, 11);

  beforeAll(async () => {
    // The real WordPiece vocabulary (../shared/data) in front of a generated graph
    // with a 30,522-row embedding table: the real tokenisation path end to end.
    dir = await mkdtemp(join(tmpdir(), 'ml-bridge-minilm-'));
    await mkdir(join(dir, 'onnx'));
    await copyFile(join(SHARED_DATA, 'tokenizer-minilm-l6-v2', 'tokenizer.json'), join(dir, 'tokenizer.json'));
    await writeFile(join(dir, 'config.json'), JSON.stringify({ _name_or_path: 'sentence-transformers/all-MiniLM-L6-v2', max_position_embeddings: 512 }));
    await writeFile(join(dir, 'onnx', 'model.onnx'), encoderGraph(weights));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('tokenises "hello world" to 101, 7592, 2088, 102 and pools exactly those rows', async () => {
    const ml = await OnnxMlBridge.create({ modelDir: dir });
    expect(ml.info().embedding.model).toBe('sentence-transformers/all-MiniLM-L6-v2');
    const [v, padded] = await ml.embed(['hello world', 'Hello, World!']);
    const e = expectedEmbedding(weights, [101, 7592, 2088, 102]);
    for (let d = 0; d < hidden; d++) expect(v?.[d]).toBeCloseTo(e[d] as number, 5);
    // tokenizer.json pads to a fixed 128 and truncates at 128; the bridge turns padding
    // off and truncates at that 128, so a 300-word text still embeds.
    const [long] = await ml.embed([Array.from({ length: 300 }, () => 'word').join(' ')]);
    expect(long?.length).toBe(hidden);
    expect(padded).not.toEqual(v);
    await ml.close();
  });
});
