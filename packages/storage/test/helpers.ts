import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { DbError } from '@tabagent/common';

const dirs: string[] = [];

/** A fresh temp directory, removed after the test. */
export async function tempDir(prefix = 'tabagent-storage-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** The DbError code a promise rejects with (fails the test if it resolves). */
export async function rejectionCode(promise: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    if (DbError.is(err)) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}
