import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { abortedError, DbError } from '@tabagent/common';
import type { HubClient } from '../hub/hub-client.js';
import { header, RetryableError, statusError } from '../hub/http-errors.js';
import type { RetryPolicy } from '../hub/retry.js';
import { withRetry } from '../hub/retry.js';
import { OrderedHasher } from './ordered-hasher.js';
import type { ChunkState, ResumeState } from './resume-state.js';
import { planChunks, readResumeState, writeResumeState } from './resume-state.js';

/** What to download and where. */
export interface FileDownload {
  /** Repo path, for messages. */
  label: string;
  url: string;
  /** Send the token (the URL is on the endpoint's origin). */
  withToken: boolean;
  size: number;
  /** Content identity (SHA-256, etag…) a resume state must match. */
  identity: string;
  /** The partial file bytes are written to. */
  partPath: string;
  /** The resume state beside it. */
  statePath: string;
  parallelChunks: number;
  minChunkBytes: number;
}

export interface DownloadEnv {
  hub: HubClient;
  retry: RetryPolicy;
  signal: AbortSignal | undefined;
  /** Bytes already on disk when the download (re)starts. */
  onResumed: (bytes: number) => void;
  /** New bytes written. */
  onBytes: (bytes: number) => void;
  /** The partial file was discarded; the file restarts from zero. */
  onReset: () => void;
  /** Compute the SHA-256 while downloading (saves re-reading the file to verify it). */
  hash: boolean;
}

/** The server ignored `Range` (answered 200 to a ranged request). */
class RangeUnsupported extends Error {}
/** The server rejected the range (416): the partial file does not belong to this content. */
class RangeRejected extends Error {}

const WRITE_BATCH_BYTES = 1024 * 1024;
/** Larger body reads than undici's 64 KiB default: fewer wake-ups per megabyte. */
const BODY_HIGH_WATER_MARK = 1024 * 1024;
const STATE_SAVE_INTERVAL_MS = 1_000;

/**
 * Downloads `spec.url` into `spec.partPath`: in parallel ranged chunks for large files,
 * resuming whatever an earlier attempt left (per the resume state), retrying each chunk
 * from where it stopped. Resolves when all bytes are on disk; verification is the
 * caller's job.
 */
export async function downloadFile(spec: FileDownload, env: DownloadEnv): Promise<{ sha256?: string }> {
  if (spec.size === 0) {
    await fs.writeFile(spec.partPath, '');
    return {};
  }
  let state = await loadOrCreate(spec, env);
  let sha256: string | undefined;
  try {
    sha256 = await runChunks(spec, env, state);
  } catch (err) {
    if (err instanceof RangeUnsupported || err instanceof RangeRejected) {
      // Start over as one plain stream: no ranges, no resume.
      env.onReset();
      state = await fresh(spec, [{ start: 0, end: spec.size - 1, done: 0 }]);
      sha256 = await runChunks(spec, env, state, true);
    } else throw err;
  }
  await fs.rm(spec.statePath, { force: true });
  return sha256 === undefined ? {} : { sha256 };
}

async function loadOrCreate(spec: FileDownload, env: DownloadEnv): Promise<ResumeState> {
  const saved = await readResumeState(spec.statePath);
  const stat = await fs.stat(spec.partPath).catch(() => undefined);
  if (saved && saved.identity === spec.identity && saved.size === spec.size && stat?.size === spec.size) {
    env.onResumed(saved.chunks.reduce((n, c) => n + c.done, 0));
    return saved;
  }
  return fresh(spec, planChunks(spec.size, spec.parallelChunks, spec.minChunkBytes));
}

async function fresh(spec: FileDownload, chunks: ChunkState[]): Promise<ResumeState> {
  const handle = await fs.open(spec.partPath, 'w');
  try {
    // Sized up front so every chunk can write at its own offset.
    await handle.truncate(spec.size);
  } finally {
    await handle.close();
  }
  const state: ResumeState = { version: 1, identity: spec.identity, size: spec.size, chunks };
  await writeResumeState(spec.statePath, state);
  return state;
}

async function runChunks(spec: FileDownload, env: DownloadEnv, state: ResumeState, plain = false): Promise<string | undefined> {
  const handle = await fs.open(spec.partPath, 'r+');
  const hasher = env.hash ? new OrderedHasher(handle, spec.size, state.chunks) : undefined;
  // One failing chunk stops its siblings; their progress is kept in the state.
  const siblings = new AbortController();
  const onOuterAbort = (): void => siblings.abort(env.signal?.reason);
  env.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let lastSave = performance.now();
  let saving: Promise<void> = Promise.resolve();
  const save = (force: boolean): Promise<void> => {
    const now = performance.now();
    if (!force && now - lastSave < STATE_SAVE_INTERVAL_MS) return saving;
    lastSave = now;
    saving = saving.then(() => writeResumeState(spec.statePath, state)).catch(() => undefined);
    return saving;
  };
  try {
    const results = await Promise.allSettled(
      state.chunks.map((chunk) =>
        chunk.done > chunk.end - chunk.start
          ? Promise.resolve()
          : fetchChunk(spec, env, handle, chunk, siblings.signal, plain, hasher, () => void save(false)).catch((err: unknown) => {
              siblings.abort(err);
              throw err;
            }),
      ),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
      // Prefer the root cause over the siblings' "aborted" errors.
      throw errors.find((e) => !DbError.is(e, 'ABORTED')) ?? failed.reason;
    }
    return await hasher?.digest();
  } finally {
    hasher?.stop();
    env.signal?.removeEventListener('abort', onOuterAbort);
    await save(true);
    await handle.close();
  }
}

async function fetchChunk(
  spec: FileDownload,
  env: DownloadEnv,
  handle: FileHandle,
  chunk: ChunkState,
  signal: AbortSignal,
  plain: boolean,
  hasher: OrderedHasher | undefined,
  onProgress: () => void,
): Promise<void> {
  const what = `downloading ${spec.label}`;
  await withRetry(what, env.retry, signal, async (markProgress) => {
    const length = chunk.end - chunk.start + 1;
    if (chunk.done >= length) return;
    const from = chunk.start + chunk.done;
    const headers: Record<string, string> = { 'accept-encoding': 'identity' };
    if (!plain) headers['range'] = `bytes=${from}-${chunk.end}`;
    const res = await env.hub.send(spec.url, 'GET', headers, signal, spec.withToken, BODY_HIGH_WATER_MARK);
    if (res.statusCode === 416) {
      await res.body.dump();
      throw new RangeRejected(`${what}: range ${from}-${chunk.end} not satisfiable`);
    }
    if (res.statusCode === 200 && !plain) {
      // Ranges ignored: fine only when we asked for the whole file anyway.
      if (!(from === 0 && chunk.end === spec.size - 1)) {
        res.body.destroy();
        throw new RangeUnsupported(`${what}: the server ignores Range requests`);
      }
    } else if (res.statusCode === 206) {
      const start = Number(/bytes (\d+)-/.exec(header(res.headers, 'content-range') ?? '')?.[1]);
      if (start !== from) {
        res.body.destroy();
        throw new RetryableError(`${what}: server answered range starting at ${start}, asked ${from}`);
      }
    } else if (res.statusCode !== 200) {
      const text = await res.body.text().catch(() => '');
      throw statusError(res.statusCode, res.headers, what, text.slice(0, 200));
    }

    // Bytes are batched into ~1 MiB positional writes; on any stream error what was
    // received is still written, so the retry resumes exactly where the drop happened.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const buffers = pending;
      const n = pendingBytes;
      pending = [];
      pendingBytes = 0;
      const at = chunk.start + chunk.done;
      await handle.writev(buffers, at);
      chunk.done += n;
      hasher?.offer(at, buffers);
      env.onBytes(n);
      markProgress();
      onProgress();
    };
    try {
      for await (const data of res.body as AsyncIterable<Buffer>) {
        const room = length - chunk.done - pendingBytes;
        if (room <= 0) break;
        const piece = data.length > room ? data.subarray(0, room) : data;
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= WRITE_BATCH_BYTES) await flush();
      }
    } catch (err) {
      await flush();
      if (signal.aborted) throw abortedError(signal, `${what}: aborted`);
      throw err;
    }
    await flush();
    if (chunk.done < length) {
      throw new RetryableError(`${what}: connection closed at byte ${chunk.start + chunk.done} of range ending ${chunk.end}`);
    }
  });
}
