import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DbError, throwIfAborted } from '@tabagent/common';
import lockfile from 'proper-lockfile';
import { sleep } from '../hub/retry.js';

export interface RepoLockOptions {
  /** The `.lock` directory to create. */
  lockPath: string;
  staleMs: number;
  waitMs: number;
  signal?: AbortSignal;
  /** Called once when the lock starts being waited for (someone else holds it). */
  onWait?: () => void;
}

/** A held lock. `compromised` aborts when the lock is lost (e.g. taken over as stale). */
export interface HeldLock {
  readonly compromised: AbortSignal;
  release(): Promise<void>;
}

/**
 * Takes an inter-process lock (proper-lockfile's atomic `mkdir`, its mtime refreshed
 * while held), waiting for another holder to finish. A lock whose mtime is older than
 * `staleMs` belongs to a crashed process and is taken over.
 */
export async function acquireRepoLock(options: RepoLockOptions): Promise<HeldLock> {
  const { lockPath, staleMs, waitMs, signal } = options;
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const deadline = performance.now() + waitMs;
  let delay = 50;
  let waited = false;
  for (;;) {
    throwIfAborted(signal, 'waiting for the download lock: aborted');
    const compromised = new AbortController();
    try {
      const release = await lockfile.lock(lockPath, {
        lockfilePath: lockPath,
        realpath: false,
        stale: staleMs,
        update: Math.max(1_000, Math.floor(staleMs / 3)),
        retries: 0,
        // The default throws from a timer and would crash the process.
        onCompromised: (err) => compromised.abort(err),
      });
      return {
        compromised: compromised.signal,
        release: async () => {
          try {
            await release();
          } catch {
            // Already released or compromised: nothing left to undo.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new DbError('UNAVAILABLE', `cannot take the download lock ${lockPath}: ${(err as Error).message}`, { cause: err });
      }
    }
    if (!waited) {
      waited = true;
      options.onWait?.();
    }
    if (performance.now() + delay > deadline) {
      throw new DbError('TIMEOUT', `another process has been downloading this model for longer than ${waitMs} ms (lock ${lockPath})`);
    }
    await sleep(delay, signal, 'waiting for the download lock');
    delay = Math.min(1_000, delay * 2);
  }
}

/** True when a live (non-stale) lock is held on `lockPath`. */
export async function isLocked(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    return await lockfile.check(lockPath, { lockfilePath: lockPath, realpath: false, stale: staleMs });
  } catch {
    return false;
  }
}
