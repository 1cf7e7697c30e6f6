import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DbError } from '@tabagent/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MODEL_CATALOG } from '../src/index.js';
import { Harness, MODEL_SIZE, REPO, tinyBertFiles } from './fixtures/harness.js';

let h: Harness;
let commit: string;

beforeEach(async () => {
  h = await new Harness().start();
  commit = await h.hub.addRepo(REPO, tinyBertFiles());
});
afterEach(async () => h.stop());

describe('offline mode', () => {
  it('serves installed models without any request, and fails clearly for the rest', async () => {
    const online = await h.cache().pull(REPO, { files: ['config.json', 'onnx/model.onnx'] });
    const before = h.hub.requests.length;

    const offline = h.cache({ offline: true });
    expect(await offline.resolve(REPO)).toBe(online.path);
    const cached = await offline.pull(REPO, { files: ['onnx/model.onnx'] });
    expect(cached).toMatchObject({ path: online.path, commit, fromCache: true, downloadedBytes: 0 });

    const missingRepo = await offline.pull('acme/other').catch((e: unknown) => e);
    expect(DbError.is(missingRepo, 'UNAVAILABLE')).toBe(true);
    expect((missingRepo as Error).message).toMatch(/offline mode.*not in the cache/);
    const missingFile = await offline.pull(REPO, { files: ['tokenizer.json'] }).catch((e: unknown) => e);
    expect(DbError.is(missingFile, 'UNAVAILABLE')).toBe(true);
    expect(DbError.is(await offline.listRemoteFiles(REPO).catch((e: unknown) => e), 'UNAVAILABLE')).toBe(true);

    expect(h.hub.requests.length).toBe(before);
  });

  it('is switched on by HF_HUB_OFFLINE, and HF_ENDPOINT / HF_TOKEN are read from the environment', () => {
    const cache = h.cache({ env: { HF_HUB_OFFLINE: '1', HF_ENDPOINT: 'http://mirror.example:8080/', HF_TOKEN: 'hf_x' }, endpoint: undefined });
    expect(cache.options).toMatchObject({ offline: true, endpoint: 'http://mirror.example:8080', token: 'hf_x' });
    expect(h.cache({ env: { HF_HUB_OFFLINE: '0' } }).options.offline).toBe(false);
    expect(h.cache({ env: {}, endpoint: undefined }).options.endpoint).toBe('https://huggingface.co');
  });

  it('falls back to the installed snapshot when the endpoint is unreachable', async () => {
    const online = await h.cache().pull(REPO);
    const unreachable = h.cache({ endpoint: 'http://127.0.0.1:9', retries: 0 });
    const result = await unreachable.pull(REPO);
    expect(result).toMatchObject({ path: online.path, fromCache: true });
  });
});

describe('list, remove, prune', () => {
  it('lists snapshots with their revisions, prunes superseded ones, removes repos', async () => {
    const cache = h.cache();
    await cache.pull(REPO);
    await h.hub.addRepo('acme/ner', { 'config.json': Buffer.from('{"labels":["PER"]}'), 'onnx/model.onnx': Buffer.alloc(4096, 7) });
    await cache.pull('acme/ner');

    let listed = await cache.list();
    expect(listed.map((m) => [m.repoId, m.revisions])).toEqual([
      ['acme/ner', ['main']],
      ['acme/tiny-bert', ['main']],
    ]);
    expect(listed.find((m) => m.repoId === REPO)?.sizeBytes).toBeGreaterThan(MODEL_SIZE);

    // A new commit on main: the old snapshot stays until pruned.
    const newCommit = await h.hub.addRepo(REPO, tinyBertFiles(2));
    const updated = await cache.pull(REPO);
    expect(updated.commit).toBe(newCommit);
    listed = await cache.list();
    const tiny = listed.filter((m) => m.repoId === REPO);
    expect(tiny.map((m) => [m.commit, m.revisions]).sort()).toEqual([[commit, []], [newCommit, ['main']]].sort());

    // An abandoned partial download of another commit.
    const staging = path.join(h.cacheDir, 'acme--tiny-bert', '.incomplete', 'f'.repeat(40));
    await fs.mkdir(staging, { recursive: true });
    await fs.writeFile(path.join(staging, 'model.onnx.part'), Buffer.alloc(1000));

    const pruned = await cache.prune();
    expect(pruned.removedSnapshots).toEqual([{ repoId: REPO, commit }]);
    expect(pruned.removedIncomplete).toBe(1);
    expect(pruned.freedBytes).toBeGreaterThan(MODEL_SIZE);
    expect(await cache.resolve(REPO)).toBe(updated.path);
    expect((await cache.list()).map((m) => m.commit).sort()).toEqual([newCommit, (await cache.list()).find((m) => m.repoId === 'acme/ner')!.commit].sort());

    expect(await cache.remove('acme/ner')).toBe(true);
    expect(await cache.resolve('acme/ner')).toBeUndefined();
    expect(await cache.remove('acme/ner')).toBe(false);
    expect((await cache.list()).map((m) => m.repoId)).toEqual([REPO]);
    await expect(fs.access(path.join(h.cacheDir, 'acme--ner'))).rejects.toThrow();
  });

  it('removes one revision only', async () => {
    const cache = h.cache();
    const first = await cache.pull(REPO);
    await cache.pull(REPO, { revision: commit });
    expect(await cache.remove(REPO, { revision: 'main' })).toBe(true);
    expect(await cache.resolve(REPO)).toBeUndefined();
    expect(await cache.resolve(REPO, { revision: commit })).toBeUndefined();
    await expect(fs.access(first.path)).rejects.toThrow();
  });

  it('fails with NOT_OPEN after close, and close is idempotent', async () => {
    const cache = h.cache();
    await cache.close();
    await cache.close();
    expect(cache.status).toBe('closed');
    expect(DbError.is(await cache.resolve(REPO).catch((e: unknown) => e), 'NOT_OPEN')).toBe(true);
    expect(DbError.is(await cache.pull(REPO).catch((e: unknown) => e), 'NOT_OPEN')).toBe(true);
  });
});

describe('catalogue', () => {
  it('names an embedding and an NER model, each with an ONNX graph and a tokenizer among its files', () => {
    expect(MODEL_CATALOG.map((m) => m.task).sort()).toEqual(['embedding', 'ner']);
    for (const m of MODEL_CATALOG) {
      expect(m.files).toContain(m.onnxFile);
      expect(m.files).toContain('tokenizer.json');
    }
  });

  it('is pullable by its file list from a Hub that has those repos', async () => {
    const [embedding] = MODEL_CATALOG;
    await h.hub.addRepo(embedding!.repoId, {
      'onnx/model.onnx': Buffer.alloc(5000, 1),
      'onnx/model_quantized.onnx': Buffer.alloc(3000, 2),
      'tokenizer.json': Buffer.from('{}'),
      'config.json': Buffer.from('{}'),
      'pytorch_model.bin': Buffer.alloc(8000, 3),
    });
    const cache = h.cache();
    const result = await cache.pull(embedding!.repoId, { files: [...embedding!.files] });
    expect(result.files.map((f) => f.path).sort()).toEqual([...embedding!.files].sort());
    expect(await cache.resolve(embedding!.repoId, { files: [...embedding!.files] })).toBe(result.path);
  });
});
