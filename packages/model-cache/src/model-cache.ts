import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { abortedError, DbError, throwIfAborted } from '@tabagent/common';
import type { Dispatcher } from 'undici';
import { Agent, EnvHttpProxyAgent } from 'undici';
import { CacheLayout } from './cache/cache-layout.js';
import type { ManifestFile, SnapshotManifest } from './cache/manifest.js';
import { readManifest, writeManifest } from './cache/manifest.js';
import type { HeldLock } from './cache/repo-lock.js';
import { acquireRepoLock, isLocked } from './cache/repo-lock.js';
import { downloadFile } from './download/download-file.js';
import type { PullProgress } from './download/progress.js';
import { ProgressTracker } from './download/progress.js';
import { hashFile } from './download/verify-file.js';
import type { FileFilter } from './file-filter.js';
import { compileFileFilter, literalPatterns } from './file-filter.js';
import type { RemoteFile, RepoListing } from './hub/hub-client.js';
import { HubClient } from './hub/hub-client.js';
import type { ModelCacheOptions, ResolvedModelCacheOptions } from './model-cache-options.js';
import { resolveModelCacheOptions } from './model-cache-options.js';
import { assertRepoId, assertRevision, assertSafeRepoPath, COMMIT_SHA } from './repo-id.js';

/** Options of {@link ModelCache.pull}. */
export interface PullOptions {
  /** Branch, tag or commit. Default `main`. */
  revision?: string;
  /** Which files to pull (globs or a predicate). Default: all. Exact names must exist. */
  files?: FileFilter;
  /** Cancels the pull (→ `ABORTED`); partial files stay and resume next time. */
  signal?: AbortSignal;
  /** Progress events: bytes, rate and ETA, per file and overall. */
  onProgress?: (event: PullProgress) => void;
  /** Called once if another downloader (this or another process) holds the repo and this pull waits for it. */
  onLockWait?: () => void;
}

/** Outcome of {@link ModelCache.pull}. */
export interface PullResult {
  repoId: string;
  revision: string;
  commit: string;
  /** The installed snapshot directory (what {@link ModelCache.resolve} returns). */
  path: string;
  /** The files selected by the pull, as installed. */
  files: ManifestFile[];
  /** Bytes transferred by this call (0 when everything was cached). */
  downloadedBytes: number;
  /** Nothing had to be downloaded: served from the cache (offline, unreachable endpoint, or already installed). */
  fromCache: boolean;
  /** Another downloader held the repo's lock and this call waited for it. */
  waitedForLock: boolean;
}

/** Options of {@link ModelCache.resolve}. */
export interface ResolveOptions {
  /** Branch, tag or commit. Default `main`. */
  revision?: string;
  /** Files that must be installed (globs or a predicate); exact names must all be there. */
  files?: FileFilter;
}

/** One installed snapshot, as {@link ModelCache.list} reports it. */
export interface InstalledModel {
  repoId: string;
  commit: string;
  /** Revisions (branches, tags) pointing at this commit. */
  revisions: string[];
  path: string;
  files: ManifestFile[];
  sizeBytes: number;
  installedAt: string;
}

/** What {@link ModelCache.prune} removed. */
export interface PruneResult {
  /** Snapshots no revision points to any more. */
  removedSnapshots: Array<{ repoId: string; commit: string }>;
  /** Abandoned partial downloads (their repo was not being downloaded). */
  removedIncomplete: number;
  freedBytes: number;
}

export type ModelCacheStatus = 'open' | 'closed';

/**
 * A Hugging Face Hub–compatible model cache: lists repo files, downloads them in
 * parallel ranged chunks with resume, verifies size and SHA-256 (or the git blob id),
 * and installs each snapshot atomically — a model directory is either complete and
 * verified, or absent. One downloader per repo across processes (a lock file with
 * stale-lock takeover); the others wait and then find the model installed.
 *
 * @example
 * const cache = new ModelCache({ cacheDir: defaultModelsDir() });
 * const { path } = await cache.pull('sentence-transformers/all-MiniLM-L6-v2', {
 *   files: ['onnx/model.onnx', 'tokenizer.json', 'config.json'],
 *   onProgress: (p) => console.log(`${p.bytes}/${p.total} bytes, ETA ${p.etaSeconds ?? '?'} s`),
 * });
 * await cache.resolve('sentence-transformers/all-MiniLM-L6-v2'); // same path, no network
 */
export class ModelCache implements AsyncDisposable {
  readonly options: Readonly<ResolvedModelCacheOptions>;
  private readonly layout: CacheLayout;
  private readonly hub: HubClient;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private state: ModelCacheStatus = 'open';

  constructor(options: ModelCacheOptions = {}) {
    this.options = resolveModelCacheOptions(options);
    this.layout = new CacheLayout(path.resolve(this.options.cacheDir));
    this.ownsDispatcher = this.options.dispatcher === undefined;
    this.dispatcher = this.options.dispatcher ?? defaultDispatcher(options.env ?? process.env);
    this.hub = new HubClient({
      endpoint: this.options.endpoint,
      token: this.options.token,
      dispatcher: this.dispatcher,
      retry: { retries: this.options.retries, minDelayMs: this.options.retryMinDelayMs, maxDelayMs: this.options.retryMaxDelayMs },
      requestTimeoutMs: this.options.requestTimeoutMs,
    });
  }

  get status(): ModelCacheStatus {
    return this.state;
  }

  /** The cache directory. */
  get cacheDir(): string {
    return this.layout.root;
  }

  /**
   * The local directory of an installed snapshot of `repoId` at `revision` (default
   * `main`), or undefined when it is not installed (or lacks a required file). Never
   * touches the network.
   *
   * @example
   * const dir = await cache.resolve('sentence-transformers/all-MiniLM-L6-v2', { files: ['onnx/model.onnx'] });
   * if (dir) loadOnnx(path.join(dir, 'onnx/model.onnx'));
   */
  async resolve(repoId: string, options: ResolveOptions = {}): Promise<string | undefined> {
    this.assertOpen();
    assertRepoId(repoId);
    const revision = options.revision ?? 'main';
    assertRevision(revision);
    const found = await this.findInstalled(repoId, revision, options.files);
    return found?.dir;
  }

  /**
   * Lists the files of a repo at a revision, from the endpoint.
   *
   * @example
   * const { commit, files } = await cache.listRemoteFiles('Xenova/bert-base-NER');
   */
  async listRemoteFiles(repoId: string, options: { revision?: string; signal?: AbortSignal } = {}): Promise<RepoListing> {
    this.assertOpen();
    assertRepoId(repoId);
    const revision = options.revision ?? 'main';
    assertRevision(revision);
    if (this.options.offline) throw offlineError(repoId, revision, 'cannot list remote files');
    return this.hub.listFiles(repoId, revision, options.signal);
  }

  /**
   * Downloads (the selected files of) a repo snapshot and installs it, unless it is
   * already installed. Errors are DbErrors: `NOT_FOUND` (404), `UNAUTHENTICATED`
   * (401/403), `UNAVAILABLE` (network/5xx after retries, offline and not cached),
   * `CORRUPTED` (checksum or size mismatch), `ABORTED` (signal).
   *
   * @example
   * const result = await cache.pull('Xenova/bert-base-NER', { files: ['onnx/*.onnx', '*.json'], signal });
   */
  async pull(repoId: string, options: PullOptions = {}): Promise<PullResult> {
    try {
      return await this.pullOnce(repoId, options);
    } catch (err) {
      if (DbError.is(err)) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // Disk trouble (full, read-only, permissions) is an unavailable dependency, not a bug.
      const diskCode = code && ['ENOSPC', 'EROFS', 'EACCES', 'EPERM', 'EDQUOT', 'EIO'].includes(code);
      throw DbError.from(err, diskCode ? 'UNAVAILABLE' : 'INTERNAL', `pulling ${repoId}: ${(err as Error).message ?? String(err)}`);
    }
  }

  private async pullOnce(repoId: string, options: PullOptions): Promise<PullResult> {
    this.assertOpen();
    assertRepoId(repoId);
    const revision = options.revision ?? 'main';
    assertRevision(revision);
    const { signal } = options;
    throwIfAborted(signal, `pulling ${repoId}: aborted`);

    if (this.options.offline) {
      const local = await this.findInstalled(repoId, revision, options.files);
      if (!local) throw offlineError(repoId, revision, 'it is not in the cache');
      return this.cachedResult(repoId, revision, local, false);
    }

    let listing: RepoListing;
    try {
      listing = await this.hub.listFiles(repoId, revision, signal);
    } catch (err) {
      // Endpoint unreachable but the model is here: use it, like huggingface_hub does.
      if (DbError.is(err, 'UNAVAILABLE')) {
        const local = await this.findInstalled(repoId, revision, options.files);
        if (local) return this.cachedResult(repoId, revision, local, false);
      }
      throw err;
    }
    const selected = selectFiles(listing, options.files);

    const ready = await this.installedCovering(repoId, listing.commit, selected);
    if (ready) {
      await this.writeRef(repoId, revision, listing.commit);
      return this.cachedResult(repoId, revision, ready, false);
    }

    let waitedForLock = false;
    const lock = await acquireRepoLock({
      lockPath: this.layout.lockPath(repoId),
      staleMs: this.options.lockStaleMs,
      waitMs: this.options.lockWaitMs,
      ...(signal ? { signal } : {}),
      onWait: () => {
        waitedForLock = true;
        options.onLockWait?.();
      },
    });
    try {
      // Whoever held the lock may have installed exactly this.
      const installedMeanwhile = await this.installedCovering(repoId, listing.commit, selected);
      if (installedMeanwhile) {
        await this.writeRef(repoId, revision, listing.commit);
        return this.cachedResult(repoId, revision, installedMeanwhile, waitedForLock);
      }
      const { dir, files, downloadedBytes } = await this.downloadAndInstall(listing, selected, lock, options);
      await this.writeRef(repoId, revision, listing.commit);
      return { repoId, revision, commit: listing.commit, path: dir, files, downloadedBytes, fromCache: false, waitedForLock };
    } finally {
      await lock.release();
    }
  }

  /**
   * Every installed snapshot.
   *
   * @example
   * for (const m of await cache.list()) console.log(m.repoId, m.revisions, m.sizeBytes);
   */
  async list(): Promise<InstalledModel[]> {
    this.assertOpen();
    const out: InstalledModel[] = [];
    for (const folder of await listDirs(this.layout.root)) {
      const repoDir = path.join(this.layout.root, folder);
      const refs = await readRefs(path.join(repoDir, 'refs'));
      for (const commit of await listDirs(path.join(repoDir, 'snapshots'))) {
        const dir = path.join(repoDir, 'snapshots', commit);
        const manifest = await readManifest(dir);
        if (!manifest) continue;
        out.push({
          repoId: manifest.repoId,
          commit,
          revisions: [...refs].filter(([, c]) => c === commit).map(([r]) => r).sort(),
          path: dir,
          files: manifest.files,
          sizeBytes: manifest.files.reduce((n, f) => n + f.size, 0),
          installedAt: manifest.installedAt,
        });
      }
    }
    return out.sort((a, b) => a.repoId.localeCompare(b.repoId) || a.installedAt.localeCompare(b.installedAt));
  }

  /**
   * Removes a repo (every snapshot, ref and partial download), or with `revision` only
   * the snapshot it points to. Waits for a running download of the repo. Resolves true
   * when something was removed.
   *
   * @example
   * await cache.remove('Xenova/bert-base-NER');
   */
  async remove(repoId: string, options: { revision?: string; signal?: AbortSignal } = {}): Promise<boolean> {
    this.assertOpen();
    assertRepoId(repoId);
    if (options.revision !== undefined) assertRevision(options.revision);
    const lock = await acquireRepoLock({
      lockPath: this.layout.lockPath(repoId),
      staleMs: this.options.lockStaleMs,
      waitMs: this.options.lockWaitMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      if (options.revision === undefined) return await this.discard(this.layout.repoDir(repoId));
      const commit = await this.commitOf(repoId, options.revision);
      if (!commit) return false;
      const refs = await readRefs(this.layout.refsDir(repoId));
      for (const [revision, c] of refs) if (c === commit) await fs.rm(this.layout.refPath(repoId, revision), { force: true });
      const removed = await this.discard(this.layout.snapshotDir(repoId, commit));
      await fs.rm(this.layout.stagingDir(repoId, commit), { recursive: true, force: true });
      return removed;
    } finally {
      await lock.release();
    }
  }

  /**
   * Frees space: removes snapshots no revision points to, dangling refs, abandoned
   * partial downloads (skipping repos being downloaded right now) and leftovers of
   * interrupted removals.
   *
   * @example
   * const { freedBytes } = await cache.prune();
   */
  async prune(options: { signal?: AbortSignal } = {}): Promise<PruneResult> {
    this.assertOpen();
    const result: PruneResult = { removedSnapshots: [], removedIncomplete: 0, freedBytes: 0 };
    for (const folder of await listDirs(this.layout.root)) {
      throwIfAborted(options.signal, 'prune: aborted');
      const repoDir = path.join(this.layout.root, folder);
      const repoId = await repoIdOfFolder(repoDir, folder);
      if (!repoId) continue;
      if (await isLocked(this.layout.lockPath(repoId), this.options.lockStaleMs)) continue;
      let lock: HeldLock;
      try {
        lock = await acquireRepoLock({ lockPath: this.layout.lockPath(repoId), staleMs: this.options.lockStaleMs, waitMs: 0 });
      } catch {
        continue; // being downloaded: leave it alone
      }
      try {
        const refs = await readRefs(path.join(repoDir, 'refs'));
        const snapshots = await listDirs(path.join(repoDir, 'snapshots'));
        const live = new Set<string>();
        for (const [revision, commit] of refs) {
          if (snapshots.includes(commit) && (await readManifest(path.join(repoDir, 'snapshots', commit)))) live.add(commit);
          else await fs.rm(this.layout.refPath(repoId, revision), { force: true });
        }
        for (const commit of snapshots) {
          if (live.has(commit)) continue;
          const dir = path.join(repoDir, 'snapshots', commit);
          result.freedBytes += await dirSize(dir);
          await this.discard(dir);
          result.removedSnapshots.push({ repoId, commit });
        }
        const incomplete = path.join(repoDir, '.incomplete');
        for (const commit of await listDirs(incomplete)) {
          result.freedBytes += await dirSize(path.join(incomplete, commit));
          result.removedIncomplete++;
        }
        await fs.rm(incomplete, { recursive: true, force: true });
        if (live.size === 0) await this.discard(repoDir);
      } finally {
        await lock.release();
      }
    }
    result.freedBytes += await dirSize(this.layout.trashDir());
    await fs.rm(this.layout.trashDir(), { recursive: true, force: true });
    return result;
  }

  /** Closes the HTTP connections. Later calls fail with `NOT_OPEN`. Idempotent. */
  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.state !== 'open') throw new DbError('NOT_OPEN', 'the model cache is closed');
  }

  private async commitOf(repoId: string, revision: string): Promise<string | undefined> {
    try {
      const commit = (await fs.readFile(this.layout.refPath(repoId, revision), 'utf8')).trim();
      if (COMMIT_SHA.test(commit)) return commit;
    } catch {
      // no ref: a commit sha may still be asked for directly
    }
    return COMMIT_SHA.test(revision) ? revision : undefined;
  }

  /** The installed snapshot for a revision that has every file `filter` requires, on disk. */
  private async findInstalled(
    repoId: string,
    revision: string,
    filter: FileFilter | undefined,
  ): Promise<{ dir: string; manifest: SnapshotManifest; files: ManifestFile[] } | undefined> {
    const commit = await this.commitOf(repoId, revision);
    if (!commit) return undefined;
    const dir = this.layout.snapshotDir(repoId, commit);
    const manifest = await readManifest(dir);
    if (!manifest) return undefined;
    const match = compileFileFilter(filter);
    const files = manifest.files.filter((f) => match(f.path));
    const have = new Set(manifest.files.map((f) => f.path));
    if (files.length === 0 || literalPatterns(filter).some((p) => !have.has(p))) return undefined;
    // Someone may have deleted a file by hand: then the model is not usable.
    for (const f of files) {
      const stat = await fs.stat(path.join(dir, f.path)).catch(() => undefined);
      if (!stat || stat.size !== f.size) return undefined;
    }
    return { dir, manifest, files };
  }

  /** The installed snapshot of `commit` when it already holds every selected file. */
  private async installedCovering(
    repoId: string,
    commit: string,
    selected: RemoteFile[],
  ): Promise<{ dir: string; manifest: SnapshotManifest; files: ManifestFile[] } | undefined> {
    const dir = this.layout.snapshotDir(repoId, commit);
    const manifest = await readManifest(dir);
    if (!manifest) return undefined;
    const byPath = new Map(manifest.files.map((f) => [f.path, f]));
    const files: ManifestFile[] = [];
    for (const s of selected) {
      const f = byPath.get(s.path);
      if (!f) return undefined;
      files.push(f);
    }
    return { dir, manifest, files };
  }

  private cachedResult(
    repoId: string,
    revision: string,
    local: { dir: string; manifest: SnapshotManifest; files: ManifestFile[] },
    waitedForLock: boolean,
  ): PullResult {
    return { repoId, revision, commit: local.manifest.commit, path: local.dir, files: local.files, downloadedBytes: 0, fromCache: true, waitedForLock };
  }

  private async writeRef(repoId: string, revision: string, commit: string): Promise<void> {
    const file = this.layout.refPath(repoId, revision);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await fs.writeFile(tmp, commit);
    await fs.rename(tmp, file);
  }

  private async downloadAndInstall(
    listing: RepoListing,
    selected: RemoteFile[],
    lock: HeldLock,
    options: PullOptions,
  ): Promise<{ dir: string; files: ManifestFile[]; downloadedBytes: number }> {
    const { repoId, commit } = listing;
    const snapshotDir = this.layout.snapshotDir(repoId, commit);
    const staging = this.layout.stagingDir(repoId, commit);
    await fs.mkdir(staging, { recursive: true });
    const existing = await readManifest(snapshotDir);
    const have = new Set(existing?.files.map((f) => f.path));
    const todo = selected.filter((f) => !have.has(f.path));

    // Stop on the caller's signal, and also if our lock is lost (taken over as stale).
    const controller = new AbortController();
    const stop = (reason: unknown): void => controller.abort(reason);
    options.signal?.addEventListener('abort', () => stop(options.signal?.reason), { once: true });
    lock.compromised.addEventListener('abort', () => stop(new Error('download lock lost')), { once: true });
    const signal = controller.signal;
    const retry = { retries: this.options.retries, minDelayMs: this.options.retryMinDelayMs, maxDelayMs: this.options.retryMaxDelayMs };

    const located = await mapLimit(todo, this.options.concurrentFiles * 2, async (file) => {
      const where = await this.hub.locateFile(repoId, commit, file.path, signal);
      return { file, where, ...expectedContent(repoId, file, where) };
    });

    const totalBytes = located.reduce((n, f) => n + f.size, 0);
    await assertFreeSpace(staging, totalBytes);
    const tracker = new ProgressTracker(
      repoId,
      totalBytes,
      new Map(located.map((f) => [f.file.path, f.size])),
      this.options.progressIntervalMs,
      options.onProgress,
    );

    let installed: ManifestFile[];
    try {
      installed = await mapLimit(located, this.options.concurrentFiles, async (item) => {
        const { file, where, size, sha256 } = item;
        const finalPath = path.join(staging, ...file.path.split('/'));
        await fs.mkdir(path.dirname(finalPath), { recursive: true });
        const partPath = `${finalPath}.part`;
        const statePath = `${finalPath}.part.json`;
        const alreadyStaged = (await fs.stat(finalPath).catch(() => undefined))?.size === size;
        let streamedSha256: string | undefined;
        if (!alreadyStaged) {
          ({ sha256: streamedSha256 } = await downloadFile(
            {
              label: `${repoId}/${file.path}`,
              url: where.url,
              withToken: where.sameOrigin,
              size,
              identity: sha256 ?? file.gitOid ?? `${commit}:${file.path}:${size}`,
              partPath,
              statePath,
              parallelChunks: this.options.parallelChunks,
              minChunkBytes: this.options.minChunkBytes,
            },
            {
              hub: this.hub,
              retry,
              signal,
              onResumed: (n) => tracker.resumed(file.path, n),
              onBytes: (n) => tracker.add(file.path, n),
              onReset: () => tracker.reset(file.path),
              hash: sha256 !== undefined,
            },
          ));
        }
        const candidate = alreadyStaged ? finalPath : partPath;
        const verified = await verify(repoId, file, candidate, size, sha256, streamedSha256, signal);
        if (!alreadyStaged) await fs.rename(partPath, finalPath);
        tracker.fileDone(file.path);
        return verified;
      }, controller);
    } catch (err) {
      if (signal.aborted && !DbError.is(err)) throw abortedError(signal, `pulling ${repoId}: aborted`);
      if (DbError.is(err, 'ABORTED') && lock.compromised.aborted) {
        throw new DbError('UNAVAILABLE', `pulling ${repoId}: the download lock was taken over by another process`, { cause: err });
      }
      throw err;
    }

    const manifest: SnapshotManifest = {
      version: 1,
      repoId,
      commit,
      endpoint: this.hub.endpoint,
      files: [...(existing?.files ?? []), ...installed].sort((a, b) => a.path.localeCompare(b.path)),
      installedAt: existing?.installedAt ?? new Date().toISOString(),
    };
    if (!existing) {
      // The commit point: one rename makes the complete, verified snapshot visible.
      await writeManifest(staging, manifest);
      await fs.mkdir(path.dirname(snapshotDir), { recursive: true });
      await this.discard(snapshotDir); // a manifest-less leftover, if any
      await fs.rename(staging, snapshotDir);
    } else {
      // Adding files to an installed snapshot: each appears whole (rename), then the manifest lists them.
      for (const f of installed) {
        const target = path.join(snapshotDir, ...f.path.split('/'));
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.rename(path.join(staging, ...f.path.split('/')), target);
      }
      await writeManifest(snapshotDir, manifest);
      await fs.rm(staging, { recursive: true, force: true });
    }
    await fs.rm(this.layout.incompleteDir(repoId), { recursive: false }).catch(() => undefined);
    const byPath = new Map(manifest.files.map((f) => [f.path, f]));
    return {
      dir: snapshotDir,
      files: selected.map((s) => byPath.get(s.path)).filter((f): f is ManifestFile => f !== undefined),
      downloadedBytes: tracker.bytesTransferred,
    };
  }

  /** Moves a directory into the trash (atomic), then deletes it. */
  private async discard(dir: string): Promise<boolean> {
    const trash = this.layout.trashDir();
    await fs.mkdir(trash, { recursive: true });
    const target = path.join(trash, `${path.basename(dir)}-${randomBytes(6).toString('hex')}`);
    try {
      await fs.rename(dir, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    await fs.rm(target, { recursive: true, force: true });
    return true;
  }
}

function defaultDispatcher(env: Readonly<Record<string, string | undefined>>): Dispatcher {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some((k) => env[k]);
  const options = { connections: 32, keepAliveTimeout: 10_000 };
  return proxied ? new EnvHttpProxyAgent(options) : new Agent(options);
}

function offlineError(repoId: string, revision: string, why: string): DbError {
  return new DbError(
    'UNAVAILABLE',
    `offline mode (HF_HUB_OFFLINE / offline option): ${repoId}@${revision} ${why}; pull it while online first`,
    { details: { id: repoId, offline: true } },
  );
}

function selectFiles(listing: RepoListing, filter: FileFilter | undefined): RemoteFile[] {
  for (const f of listing.files) assertSafeRepoPath(f.path);
  const match = compileFileFilter(filter);
  const selected = listing.files.filter((f) => match(f.path));
  const listed = new Set(listing.files.map((f) => f.path));
  const missing = literalPatterns(filter).filter((p) => !listed.has(p));
  if (missing.length > 0) {
    throw new DbError('NOT_FOUND', `${listing.repoId}@${listing.revision} has no file ${missing.map((m) => `"${m}"`).join(', ')}`, {
      details: { id: listing.repoId, missing },
    });
  }
  if (selected.length === 0) {
    throw new DbError('NOT_FOUND', `no file of ${listing.repoId}@${listing.revision} matches the requested files`, { details: { id: listing.repoId } });
  }
  return selected;
}

/** Expected size and SHA-256, cross-checked between the listing and the resolve headers. */
function expectedContent(repoId: string, file: RemoteFile, where: { size?: number; sha256?: string }): { size: number; sha256?: string } {
  const size = file.size ?? where.size;
  if (size === undefined) throw new DbError('CORRUPTED', `${repoId}/${file.path}: the endpoint reports no size`);
  if (file.size !== undefined && where.size !== undefined && file.size !== where.size) {
    throw new DbError('CORRUPTED', `${repoId}/${file.path}: listing says ${file.size} bytes, resolve says ${where.size}`);
  }
  const sha256 = file.sha256 ?? where.sha256;
  if (file.sha256 && where.sha256 && file.sha256 !== where.sha256) {
    throw new DbError('CORRUPTED', `${repoId}/${file.path}: listing and resolve disagree on the SHA-256`);
  }
  return sha256 ? { size, sha256 } : { size };
}

/** Checks size and hash; a mismatching file is deleted so the next pull starts clean. */
async function verify(
  repoId: string,
  file: RemoteFile,
  candidate: string,
  size: number,
  sha256: string | undefined,
  streamedSha256: string | undefined,
  signal: AbortSignal,
): Promise<ManifestFile> {
  const discard = async (): Promise<void> => {
    await fs.rm(candidate, { force: true });
    await fs.rm(`${candidate.replace(/\.part$/, '')}.part.json`, { force: true });
  };
  const actualSize = (await fs.stat(candidate)).size;
  if (actualSize !== size) {
    await discard();
    throw new DbError('CORRUPTED', `${repoId}/${file.path}: expected ${size} bytes, got ${actualSize}`, { details: { path: file.path } });
  }
  const wantGit = !sha256 && file.gitOid !== undefined;
  // The SHA-256 computed during the download covers exactly the bytes written; else hash the file.
  const hashes = streamedSha256 && !wantGit ? { sha256: streamedSha256 } : await hashFile(candidate, size, wantGit, signal);
  if (sha256 && hashes.sha256 !== sha256) {
    await discard();
    throw new DbError('CORRUPTED', `${repoId}/${file.path}: SHA-256 mismatch (expected ${sha256}, got ${hashes.sha256}); the download was discarded`, {
      details: { path: file.path, expected: sha256, actual: hashes.sha256 },
    });
  }
  if (wantGit && hashes.gitOid !== file.gitOid) {
    await discard();
    throw new DbError('CORRUPTED', `${repoId}/${file.path}: git blob id mismatch (expected ${file.gitOid}, got ${hashes.gitOid}); the download was discarded`, {
      details: { path: file.path, expected: file.gitOid, actual: hashes.gitOid },
    });
  }
  return { path: file.path, size, sha256: hashes.sha256, verifiedBy: sha256 ? 'sha256' : wantGit ? 'git-oid' : 'size' };
}

async function assertFreeSpace(dir: string, bytes: number): Promise<void> {
  try {
    const stats = await fs.statfs(dir);
    const free = stats.bavail * stats.bsize;
    if (free < bytes) {
      throw new DbError('UNAVAILABLE', `not enough disk space in ${dir}: ${bytes} bytes needed, ${free} free`);
    }
  } catch (err) {
    if (DbError.is(err)) throw err;
    // statfs unsupported here: the write itself will report ENOSPC.
  }
}

/** Maps with at most `limit` in flight; the first failure aborts `controller` and rejects. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>, controller?: AbortController): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const outcome: { failure?: { err: unknown } } = {};
  const worker = async (): Promise<void> => {
    while (next < items.length && !outcome.failure) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (err) {
        // Keep the root cause, not a sibling's "aborted" that it triggered.
        const first = outcome.failure as { err: unknown } | undefined;
        if (!first || (DbError.is(first.err, 'ABORTED') && !DbError.is(err, 'ABORTED'))) outcome.failure = { err };
        controller?.abort(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (outcome.failure) throw outcome.failure.err;
  return results;
}

async function listDirs(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function readRefs(refsDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[] = [];
  try {
    names = await fs.readdir(refsDir);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.endsWith('.tmp')) continue;
    const commit = (await fs.readFile(path.join(refsDir, name), 'utf8').catch(() => '')).trim();
    if (COMMIT_SHA.test(commit)) out.set(decodeURIComponent(name), commit);
  }
  return out;
}

async function repoIdOfFolder(repoDir: string, folder: string): Promise<string | undefined> {
  for (const commit of await listDirs(path.join(repoDir, 'snapshots'))) {
    const manifest = await readManifest(path.join(repoDir, 'snapshots', commit));
    if (manifest) return manifest.repoId;
  }
  const guess = folder.replace('--', '/');
  try {
    assertRepoId(guess);
    return guess;
  } catch {
    return undefined;
  }
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else total += (await fs.stat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

