import { DbError } from '@tabagent/common';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { COMMIT_SHA, encodeRepoPath } from '../repo-id.js';
import type { IncomingHttpHeaders } from './http-errors.js';
import { header, statusError } from './http-errors.js';
import type { RetryPolicy } from './retry.js';
import { withRetry } from './retry.js';

/** One file of a repo at a commit, as the Hub lists it. */
export interface RemoteFile {
  /** Path inside the repo, `/`-separated. */
  path: string;
  /** Size in bytes, when the listing tells. */
  size?: number;
  /** SHA-256 of the content: known for LFS files (the LFS oid). */
  sha256?: string;
  /** Git blob id (SHA-1 of `blob <size>\0<content>`) of non-LFS files. */
  gitOid?: string;
  /** Stored through Git LFS (large binary). */
  lfs: boolean;
}

export interface RepoListing {
  repoId: string;
  /** The revision asked for (branch, tag or commit). */
  revision: string;
  /** The commit it resolved to. */
  commit: string;
  files: RemoteFile[];
}

/** What `HEAD …/resolve/…` tells about one file. */
export interface FileLocation {
  /** Where to GET the bytes: the resolve URL or the CDN URL it redirects to. */
  url: string;
  /** Whether `url` is on the endpoint's origin (only then is the token sent). */
  sameOrigin: boolean;
  size?: number;
  /** `X-Linked-Etag` / `ETag`, unquoted. */
  etag?: string;
  /** The etag when it is a SHA-256 (LFS files). */
  sha256?: string;
  commit?: string;
}

export interface HubClientOptions {
  endpoint: string;
  token: string | undefined;
  dispatcher: Dispatcher;
  retry: RetryPolicy;
  requestTimeoutMs: number;
}

const USER_AGENT = 'tabagent-model-cache/0.1 (+https://github.com/tabagent)';
const MAX_RELATIVE_REDIRECTS = 5;

/** A client of the Hub protocol subset model downloads need. */
export class HubClient {
  constructor(private readonly options: HubClientOptions) {}

  get endpoint(): string {
    return this.options.endpoint;
  }

  /**
   * Lists a repo's files at a revision with `GET /api/models/{repo}/revision/{rev}?blobs=true`,
   * which also resolves the revision to its commit.
   */
  async listFiles(repoId: string, revision: string, signal?: AbortSignal): Promise<RepoListing> {
    const url = `${this.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}?blobs=true`;
    const what = `listing ${repoId}@${revision}`;
    const body = await withRetry(what, this.options.retry, signal, async () => {
      const res = await this.send(url, 'GET', { accept: 'application/json' }, signal, true);
      const text = await res.body.text();
      if (res.statusCode !== 200) throw statusError(res.statusCode, res.headers, what, jsonError(text));
      return text;
    });
    let parsed: { sha?: unknown; siblings?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch (err) {
      throw new DbError('CORRUPTED', `${what}: the endpoint returned invalid JSON`, { cause: err });
    }
    const commit = typeof parsed.sha === 'string' ? parsed.sha : undefined;
    if (!commit || !COMMIT_SHA.test(commit) || !Array.isArray(parsed.siblings)) {
      throw new DbError('CORRUPTED', `${what}: the endpoint's answer has no commit sha or file list`);
    }
    const files: RemoteFile[] = [];
    for (const s of parsed.siblings as Array<Record<string, unknown>>) {
      if (typeof s['rfilename'] !== 'string') continue;
      const lfs = s['lfs'] as { sha256?: unknown; size?: unknown } | undefined;
      const file: RemoteFile = { path: s['rfilename'], lfs: lfs !== undefined && lfs !== null };
      const size = typeof lfs?.size === 'number' ? lfs.size : s['size'];
      if (typeof size === 'number' && size >= 0) file.size = size;
      if (typeof lfs?.sha256 === 'string' && /^[0-9a-f]{64}$/.test(lfs.sha256)) file.sha256 = lfs.sha256;
      if (!file.lfs && typeof s['blobId'] === 'string' && /^[0-9a-f]{40}$/.test(s['blobId'])) file.gitOid = s['blobId'];
      files.push(file);
    }
    return { repoId, revision, commit, files };
  }

  /** The resolve URL of a file at a commit. */
  resolveUrl(repoId: string, commit: string, filePath: string): string {
    return `${this.endpoint}/${repoId}/resolve/${encodeURIComponent(commit)}/${encodeRepoPath(filePath)}`;
  }

  /**
   * `HEAD …/resolve/{commit}/{path}` without following CDN redirects (as huggingface_hub
   * does): LFS files answer 302 with `X-Linked-Size` / `X-Linked-Etag` (the SHA-256) and a
   * `Location`; relative redirects (renamed repos) are followed.
   */
  async locateFile(repoId: string, commit: string, filePath: string, signal?: AbortSignal): Promise<FileLocation> {
    const what = `metadata of ${repoId}/${filePath}`;
    return withRetry(what, this.options.retry, signal, async () => {
      let url = this.resolveUrl(repoId, commit, filePath);
      for (let hop = 0; ; hop++) {
        const res = await this.send(url, 'HEAD', { 'accept-encoding': 'identity' }, signal, true);
        await res.body.dump();
        const status = res.statusCode;
        if (status >= 300 && status < 400) {
          const location = header(res.headers, 'location');
          if (!location) throw statusError(502, res.headers, `${what}: redirect without Location`);
          const target = new URL(location, url);
          const sameOrigin = target.origin === new URL(this.endpoint).origin;
          // A relative redirect (same origin, not an LFS CDN hand-off) is a renamed repo: follow it.
          if (sameOrigin && !header(res.headers, 'x-linked-etag') && hop < MAX_RELATIVE_REDIRECTS) {
            url = target.toString();
            continue;
          }
          return describe(res.headers, target.toString(), sameOrigin);
        }
        if (status >= 200 && status < 300) return describe(res.headers, url, true);
        throw statusError(status, res.headers, what);
      }
    });
  }

  /**
   * Sends one request. Only requests to the endpoint's own origin carry the token: a
   * CDN hand-off URL is pre-signed, and leaking the token to it would be a bug.
   */
  async send(
    url: string,
    method: 'GET' | 'HEAD',
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    withToken: boolean,
    highWaterMark?: number,
  ): Promise<Dispatcher.ResponseData> {
    const all: Record<string, string> = { 'user-agent': USER_AGENT, ...headers };
    if (withToken && this.options.token && new URL(url).origin === new URL(this.endpoint).origin) {
      all['authorization'] = `Bearer ${this.options.token}`;
    }
    return request(url, {
      method,
      headers: all,
      signal,
      dispatcher: this.options.dispatcher,
      headersTimeout: this.options.requestTimeoutMs,
      bodyTimeout: this.options.requestTimeoutMs,
      ...(highWaterMark ? { highWaterMark } : {}),
    });
  }
}

function describe(headers: IncomingHttpHeaders, url: string, sameOrigin: boolean): FileLocation {
  const location: FileLocation = { url, sameOrigin };
  const size = Number(header(headers, 'x-linked-size') ?? header(headers, 'content-length'));
  if (Number.isFinite(size) && size >= 0) location.size = size;
  const etag = unquote(header(headers, 'x-linked-etag') ?? header(headers, 'etag'));
  if (etag) {
    location.etag = etag;
    if (/^[0-9a-f]{64}$/.test(etag)) location.sha256 = etag;
  }
  const commit = header(headers, 'x-repo-commit');
  if (commit) location.commit = commit;
  return location;
}

/** `W/"abc"` → `abc`. */
function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

function jsonError(text: string): string | undefined {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    return typeof error === 'string' ? error : undefined;
  } catch {
    return text.length > 0 && text.length < 200 ? text : undefined;
  }
}
