import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbError } from '@tabagent/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PullResult } from '../src/index.js';
import { Harness, MODEL_SIZE, REPO, tinyBertFiles } from './fixtures/harness.js';

let h: Harness;
const files = tinyBertFiles();
const MODEL = 'onnx/model.onnx';
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

beforeEach(async () => {
  h = await new Harness().start();
  await h.hub.addRepo(REPO, files);
});
afterEach(async () => h.stop());

function expectOneDownloadOneWait(a: PullResult, b: PullResult): void {
  expect(a.path).toBe(b.path);
  const [downloader, waiter] = a.fromCache ? [b, a] : [a, b];
  expect(downloader.fromCache).toBe(false);
  expect(downloader.downloadedBytes).toBe(Object.values(files).reduce((n, f) => n + f.length, 0));
  expect(waiter).toMatchObject({ fromCache: true, waitedForLock: true, downloadedBytes: 0 });
  // The model's bytes crossed the wire exactly once.
  expect(h.hub.bytesServed(MODEL)).toBe(MODEL_SIZE);
}

describe('two downloaders of the same repo', () => {
  it('in one process: one downloads, the other waits for the lock and then sees the installed model', async () => {
    // The download is held until the second downloader is known to be waiting.
    const release = h.hub.hold(MODEL);
    const [a, b] = await Promise.all([
      h.cache().pull(REPO, { onLockWait: release }),
      h.cache().pull(REPO, { onLockWait: release }),
    ]);
    expectOneDownloadOneWait(a, b);
    expect((await fs.readFile(path.join(a.path, MODEL))).equals(files[MODEL]!)).toBe(true);
  });

  it('in two processes: the same, across a real process boundary', async () => {
    const release = h.hub.hold(MODEL);
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', path.join(packageDir, 'test/fixtures/pull-child.ts'), h.hub.endpoint, h.cacheDir, REPO],
      { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('WAITING')) release();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));

    // Start our pull once the child is running and has listed the repo.
    await new Promise<void>((resolve) => {
      const ready = (): void => {
        if (h.hub.requests.some((r) => r.kind === 'listing')) resolve();
        else setTimeout(ready, 20);
      };
      ready();
    });
    const mine = await h.cache().pull(REPO, { onLockWait: release });
    expect(await exited, stderr).toBe(0);
    const theirs = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as PullResult;
    expectOneDownloadOneWait(mine, theirs);
  });

  it('takes over a stale lock left by a crashed process', async () => {
    const lockDir = path.join(h.cacheDir, '.locks', 'acme--tiny-bert.lock');
    await fs.mkdir(lockDir, { recursive: true });
    const longAgo = new Date(Date.now() - 60_000);
    await fs.utimes(lockDir, longAgo, longAgo);
    const result = await h.cache().pull(REPO);
    expect(result).toMatchObject({ fromCache: false, waitedForLock: false });
    // Released afterwards.
    await expect(fs.access(lockDir)).rejects.toThrow();
  });

  it('waits for a live lock, and gives up with TIMEOUT after lockWaitMs', async () => {
    const lockDir = path.join(h.cacheDir, '.locks', 'acme--tiny-bert.lock');
    await fs.mkdir(lockDir, { recursive: true });
    let waited = false;
    const err = await h
      .cache({ lockWaitMs: 300, lockStaleMs: 30_000 })
      .pull(REPO, { onLockWait: () => (waited = true) })
      .catch((e: unknown) => e);
    expect(waited).toBe(true);
    expect(DbError.is(err, 'TIMEOUT')).toBe(true);
    expect(h.hub.contentRequests(MODEL)).toHaveLength(0);
  });
});
