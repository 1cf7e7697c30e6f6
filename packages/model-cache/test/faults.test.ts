import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DbError } from '@tabagent/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHUNK, Harness, MODEL_SIZE, REPO, tinyBertFiles } from './fixtures/harness.js';

let h: Harness;
let commit: string;
const files = tinyBertFiles();
const MODEL = 'onnx/model.onnx';

beforeEach(async () => {
  h = await new Harness().start();
  commit = await h.hub.addRepo(REPO, files);
});
afterEach(async () => h.stop());

const rangeStart = (range: string | undefined): number => Number(/bytes=(\d+)-/.exec(range ?? '')?.[1]);
const chunkStarts = [0, 1, 2, 3].map((i) => i * CHUNK);
const stagingDir = () => path.join(h.cacheDir, 'acme--tiny-bert', '.incomplete', commit);

async function expectNothingInstalled(): Promise<void> {
  const cache = h.cache();
  expect(await cache.resolve(REPO)).toBeUndefined();
  expect(await cache.list()).toEqual([]);
  await expect(fs.access(path.join(h.cacheDir, 'acme--tiny-bert', 'snapshots', commit))).rejects.toThrow();
}

describe('connection dropped mid-file', () => {
  it('is retried from the byte where it stopped, within the same pull', async () => {
    h.hub.dropConnection(MODEL, 100_000);
    const result = await h.cache().pull(REPO);
    expect((await fs.readFile(path.join(result.path, MODEL))).equals(files[MODEL]!)).toBe(true);

    const requests = h.hub.contentRequests(MODEL);
    expect(requests).toHaveLength(5);
    const resumed = requests.filter((r) => !chunkStarts.includes(rangeStart(r.range)));
    expect(resumed).toHaveLength(1);
    expect(chunkStarts.map((s) => s + 100_000)).toContain(rangeStart(resumed[0]?.range));
    // Not one byte fetched twice.
    expect(h.hub.bytesServed(MODEL)).toBe(MODEL_SIZE);
  });

  it('is resumed by the next pull (another cache instance) after this one gave up', async () => {
    h.hub.dropConnection(MODEL, 300_000);
    const failed = await h.cache({ retries: 0 }).pull(REPO).catch((e: unknown) => e);
    expect(DbError.is(failed, 'UNAVAILABLE')).toBe(true);
    expect((failed as Error).message).toMatch(/onnx\/model\.onnx/);
    await expectNothingInstalled();
    // The partial file and its resume state are kept for the next attempt.
    const staged = await fs.readdir(path.join(stagingDir(), 'onnx'));
    expect(staged.sort()).toEqual(['model.onnx.part', 'model.onnx.part.json']);
    const droppedAt = h.hub.contentRequests(MODEL).map((r) => rangeStart(r.range)).find((s) => s !== undefined)!;

    const servedBefore = h.hub.bytesServed(MODEL);
    const requestsBefore = h.hub.contentRequests(MODEL).length;
    const result = await h.cache().pull(REPO);
    expect((await fs.readFile(path.join(result.path, MODEL))).equals(files[MODEL]!)).toBe(true);
    const second = h.hub.contentRequests(MODEL).slice(requestsBefore);
    // The dropped range continues at droppedAt + 300 000, not from its start.
    expect(second.map((r) => rangeStart(r.range))).toContain(droppedAt + 300_000);
    expect(second.map((r) => rangeStart(r.range))).not.toContain(droppedAt);
    const servedNow = h.hub.bytesServed(MODEL) - servedBefore;
    expect(servedNow).toBeLessThanOrEqual(MODEL_SIZE - 300_000);
    expect(result.downloadedBytes).toBeLessThan(Object.values(files).reduce((n, b) => n + b.length, 0));
    await expect(fs.access(stagingDir())).rejects.toThrow();
  });
});

describe('corruption', () => {
  it('rejects a corrupted chunk by SHA-256 with CORRUPTED, installs nothing, and the next pull starts clean', async () => {
    h.hub.corrupt(MODEL, CHUNK * 2 + 12_345);
    const err = await h.cache().pull(REPO).catch((e: unknown) => e);
    expect(DbError.is(err, 'CORRUPTED')).toBe(true);
    expect((err as DbError).details['path']).toBe(MODEL);
    await expectNothingInstalled();
    // The bad bytes are not kept for resuming.
    const leftovers = await fs.readdir(path.join(stagingDir(), 'onnx')).catch(() => []);
    expect(leftovers).toEqual([]);

    h.hub.clearFaults();
    const servedBefore = h.hub.bytesServed(MODEL);
    const result = await h.cache().pull(REPO);
    expect(h.hub.bytesServed(MODEL) - servedBefore).toBe(MODEL_SIZE);
    expect((await fs.readFile(path.join(result.path, MODEL))).equals(files[MODEL]!)).toBe(true);
  });

  it('rejects a corrupted small (non-LFS) file by its git blob id', async () => {
    h.hub.corrupt('config.json', 3);
    const err = await h.cache().pull(REPO).catch((e: unknown) => e);
    expect(DbError.is(err, 'CORRUPTED')).toBe(true);
    expect((err as Error).message).toMatch(/git blob id mismatch/);
    await expectNothingInstalled();
  });
});

describe('HTTP errors and retries', () => {
  it('retries 5xx with backoff and succeeds', async () => {
    h.hub.failRequests('listing', 503, 2);
    h.hub.failRequests('cdn', 500, 2);
    const result = await h.cache().pull(REPO);
    expect(result.fromCache).toBe(false);
    expect(h.hub.requests.filter((r) => r.kind === 'listing').map((r) => r.status)).toEqual([503, 503, 200]);
    expect(h.hub.contentRequests(MODEL).filter((r) => r.status === 500)).toHaveLength(2);
    expect(h.hub.bytesServed(MODEL)).toBe(MODEL_SIZE);
  });

  it('gives up with UNAVAILABLE after the configured retries on a persistent 5xx', async () => {
    h.hub.failRequests('listing', 502, 100);
    const err = await h.cache({ retries: 2 }).pull(REPO).catch((e: unknown) => e);
    expect(DbError.is(err, 'UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toMatch(/gave up after 2 retries.*502/);
    expect(h.hub.requests.filter((r) => r.kind === 'listing')).toHaveLength(3);
    await expectNothingInstalled();
  });

  it('gives up with UNAVAILABLE when the CDN keeps failing mid-download, installing nothing', async () => {
    h.hub.failRequests('cdn', 503, 1000);
    const err = await h.cache({ retries: 1 }).pull(REPO).catch((e: unknown) => e);
    expect(DbError.is(err, 'UNAVAILABLE')).toBe(true);
    await expectNothingInstalled();
  });

  it('does not retry 401/404', async () => {
    h.hub.failRequests('listing', 401, 1);
    const err = await h.cache().pull(REPO).catch((e: unknown) => e);
    expect(DbError.is(err, 'UNAUTHENTICATED')).toBe(true);
    expect(h.hub.requests.filter((r) => r.kind === 'listing')).toHaveLength(1);
  });

  it('gives up with UNAVAILABLE when nothing listens at the endpoint', async () => {
    const err = await h.cache({ endpoint: 'http://127.0.0.1:9', retries: 1 }).pull(REPO).catch((e: unknown) => e);
    expect(DbError.is(err, 'UNAVAILABLE')).toBe(true);
  });
});

describe('cancellation', () => {
  it('aborts a running download with ABORTED and installs nothing', async () => {
    const release = h.hub.hold(MODEL);
    const controller = new AbortController();
    h.hub.on('request', (r: { file?: string; method: string }) => {
      if (r.file === MODEL && r.method === 'GET') controller.abort(new Error('user cancelled'));
    });
    const err = await h.cache().pull(REPO, { signal: controller.signal }).catch((e: unknown) => e);
    release();
    expect(DbError.is(err, 'ABORTED')).toBe(true);
    await expectNothingInstalled();
  });

  it('rejects at once when the signal is already aborted', async () => {
    const err = await h.cache().pull(REPO, { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(DbError.is(err, 'ABORTED')).toBe(true);
    expect(h.hub.requests).toHaveLength(0);
  });
});
