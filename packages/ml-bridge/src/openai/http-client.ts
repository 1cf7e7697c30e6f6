import { DbError, type ErrorCode } from '@tabagent/common';
import { abortedError } from '@tabagent/common';
import { delay } from '../abort.js';

/** How the client talks to the server. */
export interface HttpClientSettings {
  baseUrl: string;
  apiKey: string | undefined;
  headers: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
  retryDelayMs: number;
}

// Statuses worth another try: the server may answer differently in a moment.
const RETRYABLE_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 30_000;

/**
 * JSON over HTTP for OpenAI-compatible servers: per-attempt timeouts, retries with
 * exponential backoff and `Retry-After`, and every failure mapped to a `DbError`:
 * `TIMEOUT`, `UNAVAILABLE` (network, 5xx, 429 after retries), `UNAUTHENTICATED`
 * (401/403), `NOT_FOUND` (404, e.g. unknown model), `INVALID_ARGUMENT` (other 4xx),
 * `CORRUPTED` (a body that is not the JSON promised), `ABORTED`.
 */
export class HttpClient {
  readonly #s: HttpClientSettings;

  constructor(settings: HttpClientSettings) {
    this.#s = { ...settings, baseUrl: settings.baseUrl.replace(/\/+$/, '') };
  }

  get baseUrl(): string {
    return this.#s.baseUrl;
  }

  /** POSTs `body` as JSON to `path` and returns the parsed JSON response. */
  postJson(path: string, body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    return this.#request('POST', path, JSON.stringify(body), signal);
  }

  getJson(path: string, signal: AbortSignal | undefined): Promise<unknown> {
    return this.#request('GET', path, undefined, signal);
  }

  async #request(method: string, path: string, body: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const url = `${this.#s.baseUrl}${path}`;
    const headers: Record<string, string> = { accept: 'application/json', ...this.#s.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#s.apiKey !== undefined) headers.authorization = `Bearer ${this.#s.apiKey}`;

    let lastError: DbError | undefined;
    for (let attempt = 0; attempt <= this.#s.maxRetries; attempt++) {
      if (signal?.aborted) throw abortedError(signal);
      const timeout = AbortSignal.timeout(this.#s.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let retryAfterMs: number | undefined;
      try {
        const response = await fetch(url, { method, headers, body, signal: combined });
        const text = await response.text();
        if (response.ok) return parseJson(text, url);
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        lastError = new DbError(statusCode(response.status), `${method} ${url} failed with HTTP ${response.status}: ${snippet(text)}`, {
          details: { status: response.status, url },
        });
        if (!RETRYABLE_STATUS.has(response.status)) throw lastError;
      } catch (err) {
        if (signal?.aborted) throw abortedError(signal);
        if (DbError.is(err)) {
          if (err !== lastError || !RETRYABLE_STATUS.has(Number(err.details.status))) throw err;
        } else if (timeout.aborted) {
          lastError = new DbError('TIMEOUT', `${method} ${url} timed out after ${this.#s.timeoutMs} ms`, { cause: err, details: { url } });
        } else {
          lastError = new DbError('UNAVAILABLE', `${method} ${url} failed: ${err instanceof Error ? err.message : String(err)}`, {
            cause: err,
            details: { url },
          });
        }
      }
      if (attempt < this.#s.maxRetries) {
        const backoff = this.#s.retryDelayMs * 2 ** attempt * (0.5 + Math.random() / 2);
        await delay(Math.min(retryAfterMs ?? backoff, MAX_RETRY_AFTER_MS), signal);
      }
    }
    throw lastError ?? new DbError('UNAVAILABLE', `${method} ${url} failed`);
  }
}

function statusCode(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'UNAUTHENTICATED';
  if (status === 404) return 'NOT_FOUND';
  if (status === 408) return 'TIMEOUT';
  if (status === 413) return 'TOO_LARGE';
  if (RETRYABLE_STATUS.has(status) || status >= 500) return 'UNAVAILABLE';
  return 'INVALID_ARGUMENT';
}

function parseJson(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DbError('CORRUPTED', `${url} answered with malformed JSON: ${snippet(text)}`, { cause: err, details: { url } });
  }
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
