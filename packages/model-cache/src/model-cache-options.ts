import type { Dispatcher } from 'undici';
import { defaultModelsDir } from './default-cache-dir.js';

/** Options of {@link ModelCache}. Only `cacheDir` is needed in practice; defaults live in `resolveModelCacheOptions`. */
export interface ModelCacheOptions {
  /** Directory holding installed models. Default: {@link defaultModelsDir} (`TABAGENT_MODELS_DIR` or the platform data dir). */
  cacheDir?: string;
  /** Hub endpoint. Default: `HF_ENDPOINT`, else `https://huggingface.co`. */
  endpoint?: string;
  /** Access token for private or gated repos. Default: `HF_TOKEN` (or the legacy `HUGGING_FACE_HUB_TOKEN`). */
  token?: string;
  /** Never touch the network; `pull` only returns what is cached. Default: `HF_HUB_OFFLINE` is truthy. */
  offline?: boolean;
  /** Ranged requests per large file. Default 4. */
  parallelChunks?: number;
  /** Smallest chunk worth its own connection; files under twice this size use one stream. Default 8 MiB. */
  minChunkBytes?: number;
  /** Files downloaded at the same time. Default 2. */
  concurrentFiles?: number;
  /** Retries of a failed request (network error, 429, 5xx) before giving up with UNAVAILABLE. Default 5. */
  retries?: number;
  /** First backoff delay in ms; doubles per retry, with jitter. Default 500. */
  retryMinDelayMs?: number;
  /** Longest backoff delay in ms. Default 10 000. */
  retryMaxDelayMs?: number;
  /** A request fails (and is retried) when headers or body bytes stall for this long, in ms. Default 30 000. */
  requestTimeoutMs?: number;
  /** A lock not refreshed for this long belongs to a dead process and is taken over, in ms. Default 10 000. */
  lockStaleMs?: number;
  /** Longest wait for another downloader's lock, in ms. Default: no limit (abort with the signal). */
  lockWaitMs?: number;
  /** Minimum interval between progress events of one pull, in ms (file completions are always reported). Default 200. */
  progressIntervalMs?: number;
  /** HTTP dispatcher (undici), e.g. a proxy agent. Default: `EnvHttpProxyAgent` when a proxy variable is set, else a keep-alive `Agent`. */
  dispatcher?: Dispatcher;
  /** Environment read for the `HF_*` and `TABAGENT_MODELS_DIR` defaults. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ResolvedModelCacheOptions {
  cacheDir: string;
  endpoint: string;
  token: string | undefined;
  offline: boolean;
  parallelChunks: number;
  minChunkBytes: number;
  concurrentFiles: number;
  retries: number;
  retryMinDelayMs: number;
  retryMaxDelayMs: number;
  requestTimeoutMs: number;
  lockStaleMs: number;
  lockWaitMs: number;
  progressIntervalMs: number;
  dispatcher: Dispatcher | undefined;
}

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

export function resolveModelCacheOptions(options: ModelCacheOptions = {}): ResolvedModelCacheOptions {
  const env = options.env ?? process.env;
  return {
    cacheDir: options.cacheDir ?? defaultModelsDir({ env }),
    endpoint: (options.endpoint ?? env['HF_ENDPOINT'] ?? DEFAULT_ENDPOINT).replace(/\/+$/, ''),
    token: options.token ?? (env['HF_TOKEN'] || env['HUGGING_FACE_HUB_TOKEN'] || undefined),
    offline: options.offline ?? isTruthy(env['HF_HUB_OFFLINE']),
    parallelChunks: Math.max(1, Math.floor(options.parallelChunks ?? 4)),
    minChunkBytes: Math.max(64 * 1024, options.minChunkBytes ?? 8 * 1024 * 1024),
    concurrentFiles: Math.max(1, Math.floor(options.concurrentFiles ?? 2)),
    retries: Math.max(0, options.retries ?? 5),
    retryMinDelayMs: options.retryMinDelayMs ?? 500,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 10_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    lockStaleMs: Math.max(2_000, options.lockStaleMs ?? 10_000),
    lockWaitMs: options.lockWaitMs ?? Number.POSITIVE_INFINITY,
    progressIntervalMs: options.progressIntervalMs ?? 200,
    dispatcher: options.dispatcher,
  };
}

/** `HF_HUB_OFFLINE` convention: 1 / true / yes / on, any case. */
function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase());
}
