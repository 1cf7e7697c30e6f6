import { DbError } from '@tabagent/common';

const REPO_PART = /^[A-Za-z0-9][\w.-]*$/;
export const COMMIT_SHA = /^[0-9a-f]{40}$/;

/**
 * Validates a Hub repo id (`owner/name` or a legacy bare `name`). The Hub forbids `--`
 * and `..` in names, which keeps the on-disk folder name (`owner--name`) reversible.
 */
export function assertRepoId(repoId: string): void {
  const parts = repoId.split('/');
  const ok =
    parts.length >= 1 &&
    parts.length <= 2 &&
    parts.every((p) => REPO_PART.test(p) && !p.includes('--') && !p.includes('..') && p.length <= 96);
  if (!ok) throw new DbError('INVALID_ARGUMENT', `invalid repo id "${repoId}": expected "owner/name"`, { details: { field: 'repoId' } });
}

/** Revisions are branch, tag or commit names; they may contain `/` (e.g. `refs/pr/1`). */
export function assertRevision(revision: string): void {
  if (!revision || revision.length > 255 || revision.includes('..') || /[\s\\~^:?*[\]]/.test(revision) || revision.startsWith('/')) {
    throw new DbError('INVALID_ARGUMENT', `invalid revision "${revision}"`, { details: { field: 'revision' } });
  }
}

/**
 * Validates a file path from a repo listing before it touches the disk: relative, no
 * `..`, no backslashes or NULs — a hostile endpoint must not write outside the cache.
 */
export function assertSafeRepoPath(filePath: string): void {
  const segments = filePath.split('/');
  const bad =
    filePath.length === 0 ||
    filePath.length > 1024 ||
    filePath.startsWith('/') ||
    /[\\\0]/.test(filePath) ||
    /^[A-Za-z]:/.test(filePath) ||
    segments.some((s) => s === '' || s === '.' || s === '..');
  if (bad) throw new DbError('CORRUPTED', `the endpoint listed an unsafe file path "${filePath}"`, { details: { field: 'path' } });
}

/** `owner/name` → `owner--name` (the seeds' layout). */
export function repoFolderName(repoId: string): string {
  return repoId.replace('/', '--');
}

/** `/`-containing revisions become one file name. */
export function refFileName(revision: string): string {
  return encodeURIComponent(revision);
}

/** Encodes a repo path for a URL, keeping its `/` separators. */
export function encodeRepoPath(filePath: string): string {
  return filePath.split('/').map(encodeURIComponent).join('/');
}
