import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCache } from '@tabagent/model-cache';
// The model cache's own Hub-compatible test server (this machine cannot reach the Hub).
import { FakeHub, makeContent } from '../../model-cache/test/fixtures/fake-hub.js';
import { startHarness, type HttpHarness } from './fixtures/http-server.js';

const REPO = 'acme/tiny-embedder';
const SIZE = 1024 * 1024;

let hub: FakeHub;
let cacheDir: string;
let models: ModelCache;
let h: HttpHarness;

beforeAll(async () => {
  hub = new FakeHub();
  await hub.start();
  await hub.addRepo(REPO, {
    'config.json': Buffer.from('{"hidden_size": 8}'),
    'tokenizer.json': Buffer.from('{"version": "1.0"}'),
    'onnx/model.onnx': makeContent(SIZE, 7),
  });
  cacheDir = await mkdtemp(join(tmpdir(), 'tabagent-http-models-'));
  models = new ModelCache({ cacheDir, endpoint: hub.endpoint, env: {}, retries: 1, retryMinDelayMs: 5, retryMaxDelayMs: 10, minChunkBytes: 64 * 1024, progressIntervalMs: 0 });
  h = await startHarness({ server: { models } });
});
afterAll(async () => {
  await h.stop();
  await models.close();
  await hub.close();
  await rm(cacheDir, { recursive: true, force: true });
});

/** Reads an NDJSON response line by line. */
async function ndjson(res: Response): Promise<any[]> {
  return (await res.text())
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
}

describe('models', () => {
  it('lists the catalog and the active provider before anything is installed', async () => {
    const res = await h.request('GET', '/v1/models');
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('list');
    expect(res.body.data).toEqual([]);
    expect(res.body.catalog.map((m: { id: string }) => m.id)).toContain('all-MiniLM-L6-v2');
    expect(res.body.active).toMatchObject({ provider: 'builtin' });
  });

  it('pulls with streamed progress, lists the model, and removes it', async () => {
    const res = await fetch(`${h.server.url}/v1/models/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: REPO }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/u);
    const lines = await ndjson(res);
    expect(lines[0]).toMatchObject({ type: 'start', repoId: REPO, revision: 'main' });
    const progress = lines.filter((l) => l.type === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ repoId: REPO });
    expect(Math.max(...progress.map((p) => p.bytes))).toBeGreaterThanOrEqual(SIZE);
    const done = lines.at(-1);
    expect(done).toMatchObject({ type: 'done', result: { repoId: REPO, fromCache: false } });
    expect(done.result.downloadedBytes).toBeGreaterThanOrEqual(SIZE);

    const listed = await h.request('GET', '/v1/models');
    expect(listed.body.data).toEqual([expect.objectContaining({ id: REPO, object: 'model', owned_by: 'acme', revisions: ['main'], sizeBytes: expect.any(Number) })]);
    expect(await models.resolve(REPO)).toBe(done.result.path);

    // Already installed: a plain JSON answer, served from the cache.
    const again = await h.request('POST', '/v1/models/pull', { body: { model: REPO, stream: false, files: ['config.json'] } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ repoId: REPO, fromCache: true, downloadedBytes: 0 });

    const removed = await h.request('DELETE', `/v1/models/${REPO}`);
    expect(removed.body).toEqual({ removed: true, repoId: REPO });
    expect((await models.list()).length).toBe(0);
    const gone = await h.request('DELETE', `/v1/models/${REPO}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('NOT_FOUND');
  });

  it('reports failures: in the stream once it has started, as an error status before', async () => {
    const stream = await fetch(`${h.server.url}/v1/models/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'acme/does-not-exist' }) });
    const lines = await ndjson(stream);
    expect(lines.at(-1)).toMatchObject({ type: 'error', error: { code: 'NOT_FOUND' } });

    const plain = await h.request('POST', '/v1/models/pull', { body: { model: 'acme/does-not-exist', stream: false } });
    expect(plain.status).toBe(404);
    expect(plain.body.error.code).toBe('NOT_FOUND');
    const badId = await h.request('POST', '/v1/models/pull', { body: { model: '../../etc', stream: false } });
    expect(badId.status).toBe(400);
    expect(badId.body.error.field).toBe('repoId');
    const badBody = await h.request('POST', '/v1/models/pull', { body: { model: REPO, files: 'config.json' } });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.field).toBe('files');
    expect((await h.request('POST', '/v1/models/pull', { body: {} })).body.error.field).toBe('model');
  });

  it('cancels the download when the client disconnects', async () => {
    const release = hub.hold('onnx/model.onnx');
    try {
      const controller = new AbortController();
      const res = await fetch(`${h.server.url}/v1/models/pull`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: REPO }),
        signal: controller.signal,
      });
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      expect(JSON.parse(first.split('\n')[0]!)).toMatchObject({ type: 'start' });
      controller.abort();
    } finally {
      release();
    }
    // The aborted pull releases the repo: a new pull takes the lock and completes.
    const done = await h.request('POST', '/v1/models/pull', { body: { model: REPO, stream: false } });
    expect(done.status).toBe(200);
    expect(done.body.repoId).toBe(REPO);
  });
});
