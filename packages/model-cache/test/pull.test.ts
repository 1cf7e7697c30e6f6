import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DbError } from '@tabagent/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PullProgress } from '../src/index.js';
import { MANIFEST_FILE } from '../src/index.js';
import { CHUNK, Harness, MODEL_SIZE, REPO, sha256, tinyBertFiles } from './fixtures/harness.js';

let h: Harness;
let commit: string;
const files = tinyBertFiles();

beforeEach(async () => {
  h = await new Harness().start();
  commit = await h.hub.addRepo(REPO, files);
});
afterEach(async () => h.stop());

describe('ModelCache.pull', () => {
  it('downloads a repo, verifies it and installs it where resolve finds it', async () => {
    const cache = h.cache();
    expect(await cache.resolve(REPO)).toBeUndefined();
    const events: PullProgress[] = [];
    const result = await cache.pull(REPO, { onProgress: (e) => events.push(e) });

    expect(result).toMatchObject({ repoId: REPO, revision: 'main', commit, fromCache: false, waitedForLock: false });
    expect(result.path).toBe(path.join(h.cacheDir, 'acme--tiny-bert', 'snapshots', commit));
    expect(await cache.resolve(REPO)).toBe(result.path);
    expect(await cache.resolve(REPO, { revision: commit })).toBe(result.path);
    for (const [name, content] of Object.entries(files)) {
      expect((await fs.readFile(path.join(result.path, name))).equals(content)).toBe(true);
    }
    const byPath = Object.fromEntries(result.files.map((f) => [f.path, f]));
    expect(byPath['onnx/model.onnx']).toEqual({ path: 'onnx/model.onnx', size: MODEL_SIZE, sha256: sha256(files['onnx/model.onnx']!), verifiedBy: 'sha256' });
    expect(byPath['config.json']?.verifiedBy).toBe('git-oid');
    expect(result.downloadedBytes).toBe(Object.values(files).reduce((n, b) => n + b.length, 0));

    // Listing with blobs, HEAD on resolve, the LFS file fetched from the CDN in 4 ranged chunks.
    expect(h.hub.requests.find((r) => r.kind === 'listing')?.url).toContain('?blobs=true');
    expect(h.hub.requests.filter((r) => r.method === 'HEAD' && r.kind === 'resolve')).toHaveLength(4);
    const chunks = h.hub.contentRequests('onnx/model.onnx');
    expect(chunks.every((r) => r.kind === 'cdn')).toBe(true);
    expect(chunks.map((r) => r.range).sort()).toEqual(
      [0, 1, 2, 3].map((i) => `bytes=${i * CHUNK}-${(i + 1) * CHUNK - 1}`).sort(),
    );
    expect(h.hub.bytesServed('onnx/model.onnx')).toBe(MODEL_SIZE);

    // Progress: monotonic, per-file completions, final total.
    const totals = events.map((e) => e.bytes);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(events.at(-1)?.bytes).toBe(events.at(-1)?.total);
    expect(events.filter((e) => e.fileDone).map((e) => e.file).sort()).toEqual(Object.keys(files).sort());
    expect(events.some((e) => !e.fileDone && e.file === 'onnx/model.onnx' && e.fileBytes < MODEL_SIZE)).toBe(true);
    expect(events.at(-1)?.bytesPerSecond).toBeGreaterThan(0);

    // Nothing but the snapshot, its ref and the lock directory's parent remain.
    expect(await h.tree()).toEqual(
      [
        `acme--tiny-bert/refs/main`,
        ...Object.keys(files).map((f) => `acme--tiny-bert/snapshots/${commit}/${f}`),
        `acme--tiny-bert/snapshots/${commit}/${MANIFEST_FILE}`,
      ].sort(),
    );
  });

  it('serves a second pull from the cache without downloading', async () => {
    const cache = h.cache();
    const first = await cache.pull(REPO);
    const before = h.hub.requests.length;
    const second = await cache.pull(REPO);
    expect(second).toMatchObject({ path: first.path, fromCache: true, downloadedBytes: 0 });
    const after = h.hub.requests.slice(before);
    expect(after.map((r) => r.kind)).toEqual(['listing']);
  });

  it('pulls only the selected files, and adds more files to the same snapshot later', async () => {
    const cache = h.cache();
    const jsonOnly = await cache.pull(REPO, { files: '*.json' });
    expect(jsonOnly.files.map((f) => f.path).sort()).toEqual(['config.json', 'tokenizer.json']);
    expect(h.hub.contentRequests('onnx/model.onnx')).toHaveLength(0);
    expect(await cache.resolve(REPO, { files: ['config.json'] })).toBe(jsonOnly.path);
    expect(await cache.resolve(REPO, { files: ['onnx/model.onnx'] })).toBeUndefined();

    const withModel = await cache.pull(REPO, { files: ['onnx/**', 'config.json'] });
    expect(withModel.path).toBe(jsonOnly.path);
    expect(withModel.files.map((f) => f.path).sort()).toEqual(['config.json', 'onnx/model.onnx']);
    expect(withModel.downloadedBytes).toBe(MODEL_SIZE);
    expect(await cache.resolve(REPO, { files: ['onnx/model.onnx', 'tokenizer.json'] })).toBe(jsonOnly.path);
    const [installed] = await cache.list();
    expect(installed?.files.map((f) => f.path)).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json']);
  });

  it('resolve reports a model whose file was deleted by hand as not installed', async () => {
    const cache = h.cache();
    const { path: dir } = await cache.pull(REPO);
    await fs.rm(path.join(dir, 'onnx', 'model.onnx'));
    expect(await cache.resolve(REPO)).toBeUndefined();
    expect(await cache.resolve(REPO, { files: ['config.json'] })).toBe(dir);
  });

  it('fails with NOT_FOUND for an unknown repo, revision or file, installing nothing', async () => {
    const cache = h.cache();
    const unknownRepo = await cache.pull('acme/nope').catch((e: unknown) => e);
    expect(DbError.is(unknownRepo, 'NOT_FOUND')).toBe(true);
    expect((unknownRepo as Error).message).toMatch(/RepoNotFound/);
    const unknownRev = await cache.pull(REPO, { revision: 'v9' }).catch((e: unknown) => e);
    expect(DbError.is(unknownRev, 'NOT_FOUND')).toBe(true);
    const unknownFile = await cache.pull(REPO, { files: ['onnx/model.onnx', 'onnx/missing.onnx'] }).catch((e: unknown) => e);
    expect(DbError.is(unknownFile, 'NOT_FOUND')).toBe(true);
    expect((unknownFile as Error).message).toContain('onnx/missing.onnx');
    const noMatch = await cache.pull(REPO, { files: '*.safetensors' }).catch((e: unknown) => e);
    expect(DbError.is(noMatch, 'NOT_FOUND')).toBe(true);
    expect(await cache.list()).toEqual([]);
    expect(await cache.resolve(REPO)).toBeUndefined();
  });

  it('fails with NOT_FOUND when a listed file is missing at resolve time (404 EntryNotFound)', async () => {
    const cache = h.cache();
    h.hub.failRequests('resolve', 404, 1, 'README.md');
    const err = await cache.pull(REPO).catch((e: unknown) => e);
    expect(DbError.is(err, 'NOT_FOUND')).toBe(true);
    expect(await cache.resolve(REPO)).toBeUndefined();
  });

  it('sends the token to the Hub for private repos, never to the CDN, and maps 401 to UNAUTHENTICATED', async () => {
    await h.hub.addRepo('acme/private', tinyBertFiles(7), { token: 'hf_secret' });
    const anonymous = await h.cache().pull('acme/private').catch((e: unknown) => e);
    expect(DbError.is(anonymous, 'UNAUTHENTICATED')).toBe(true);
    expect((anonymous as Error).message).toMatch(/token/);
    const wrong = await h.cache({ token: 'hf_wrong' }).pull('acme/private').catch((e: unknown) => e);
    expect(DbError.is(wrong, 'UNAUTHENTICATED')).toBe(true);

    const result = await h.cache({ env: { HF_TOKEN: 'hf_secret' } }).pull('acme/private');
    expect(result.fromCache).toBe(false);
    const authed = h.hub.requests.filter((r) => r.authorization === 'Bearer hf_secret');
    expect(authed.some((r) => r.kind === 'listing')).toBe(true);
    expect(authed.some((r) => r.kind === 'resolve')).toBe(true);
    expect(h.hub.requests.filter((r) => r.kind === 'cdn').every((r) => r.authorization === undefined)).toBe(true);
  });

  it('falls back to one plain stream when the server ignores Range', async () => {
    h.hub.ignoreRanges = true;
    const result = await h.cache().pull(REPO, { files: ['onnx/model.onnx'] });
    expect((await fs.readFile(path.join(result.path, 'onnx/model.onnx'))).equals(files['onnx/model.onnx']!)).toBe(true);
    expect(h.hub.contentRequests('onnx/model.onnx').some((r) => r.range === undefined)).toBe(true);
  });

  it('rejects a listing with an unsafe path and writes nothing outside the cache', async () => {
    await h.hub.addRepo('acme/evil', { '../../escape.txt': Buffer.from('x'), 'config.json': Buffer.from('{}') });
    const err = await h.cache().pull('acme/evil').catch((e: unknown) => e);
    expect(DbError.is(err, 'CORRUPTED')).toBe(true);
    await expect(fs.access(path.join(h.cacheDir, '..', 'escape.txt'))).rejects.toThrow();
  });

  it('rejects invalid repo ids and revisions with INVALID_ARGUMENT', async () => {
    const cache = h.cache();
    for (const bad of ['', 'a/b/c', '../x', 'a--b/c', 'a/.']) {
      const err = await cache.pull(bad).catch((e: unknown) => e);
      expect(DbError.is(err, 'INVALID_ARGUMENT')).toBe(true);
    }
    expect(DbError.is(await cache.resolve(REPO, { revision: '../main' }).catch((e: unknown) => e), 'INVALID_ARGUMENT')).toBe(true);
  });

  it('lists remote files with sizes and hashes', async () => {
    const listing = await h.cache().listRemoteFiles(REPO);
    expect(listing.commit).toBe(commit);
    const model = listing.files.find((f) => f.path === 'onnx/model.onnx');
    expect(model).toEqual({ path: 'onnx/model.onnx', size: MODEL_SIZE, sha256: sha256(files['onnx/model.onnx']!), lfs: true });
    expect(listing.files.find((f) => f.path === 'config.json')?.gitOid).toMatch(/^[0-9a-f]{40}$/);
  });
});
