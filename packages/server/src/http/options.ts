import { isAbsolute } from 'node:path';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import { DbError } from '@tabagent/common';
import type { ModelCache } from '@tabagent/model-cache';
import { isLoopbackHost } from './loopback.js';
import { DEFAULT_MAX_IMPORT_BYTES } from './server-files.js';

/**
 * Options of {@link startHttpServer} and {@link buildApp}. Every field is optional;
 * the defaults are in {@link resolveHttpServerOptions}.
 */
export interface HttpServerOptions {
  /** Address to bind. Default `127.0.0.1`. Any non-loopback address requires `token`. */
  host?: string;
  /** Port to bind. Default 7420; 0 picks any free port. */
  port?: number;
  /**
   * Bearer token. Required (else `INVALID_ARGUMENT` at start) when `host` is not a
   * loopback address; when set, every route except `GET /v1/health` needs
   * `Authorization: Bearer <token>` (the WebSocket route also accepts `?token=`).
   */
  token?: string;
  /** Origins allowed to call the API from a browser, e.g. `['chrome-extension://abc…']`; `'*'` allows any. Default: none. */
  corsOrigins?: string[];
  /** Largest request body in bytes; larger bodies are rejected with 413 `TOO_LARGE`. Default 1 MiB. */
  bodyLimit?: number;
  /**
   * The one directory where `POST /v1/export` and `POST /v1/backup` write, and
   * `POST /v1/import` reads, files that clients name — by name, never by path: clients
   * cannot read or write any other file of the server. Created on first use.
   * Default: `<database directory>-exports`, beside the database.
   */
  exportsDir?: string;
  /** Largest import (an upload or a file of the exports directory), in bytes; larger is 413 `TOO_LARGE`. Default 1 GiB. */
  maxImportBytes?: number;
  /**
   * Admission control: requests in flight at most (WebSocket connections and
   * `GET /v1/health` aside). One more is answered at once with 503 `UNAVAILABLE` and
   * `Retry-After`, instead of queueing until every answer takes seconds. Default 256.
   */
  maxInFlight?: number;
  /** The model cache behind `/v1/models`. Default: a `ModelCache` on the default models directory (created on first use, closed with the server). */
  models?: ModelCache;
  /**
   * Fastify logger config (`true`, or pino options such as `{ level: 'info', stream }`),
   * or `false` for none. Default `false`. Pass a `stream` (e.g. stderr) to keep stdout clean.
   */
  logger?: boolean | Exclude<FastifyServerOptions['logger'], boolean | undefined>;
  /** A ready-made logger (pino-compatible) instead of `logger`. */
  loggerInstance?: FastifyBaseLogger;
  /**
   * Host names accepted in the `Host` header while no token is set: a page the user
   * visits cannot reach a loopback server through DNS rebinding. Default: `localhost`,
   * loopback addresses and the bind host; `['*']` accepts any.
   */
  allowedHosts?: string[];
  /** Serve OpenAPI-based interactive docs at `/docs`. Default true. */
  docs?: boolean;
  /**
   * Check every JSON response against its documented schema (a mismatch is a 500).
   * Costs a little per response; tests turn it on. Default false.
   */
  validateResponses?: boolean;
  /** A WebSocket client with more than this many bytes queued is dropped (close 1013). Default 4 MiB. */
  wsMaxBufferedBytes?: number;
  /** Largest message a WebSocket client may send, in bytes. Default 64 KiB. */
  wsMaxPayload?: number;
  /** Interval of WebSocket pings; a client that misses one is dropped. Default 30 s; 0 disables. */
  wsHeartbeatMs?: number;
  /** How long `close()` waits for in-flight requests before cutting connections. Default 10 s. */
  closeTimeoutMs?: number;
  /**
   * Serve MCP (the Model Context Protocol, stateless streamable HTTP) at `/mcp`, behind
   * the same token and `Host` checks as the API; a browser `Origin` must be one of
   * `corsOrigins`. Not in the OpenAPI document. Default true.
   */
  mcp?: boolean;
}

export interface ResolvedHttpServerOptions {
  host: string;
  port: number;
  token: string | undefined;
  corsOrigins: string[];
  bodyLimit: number;
  exportsDir: string | undefined;
  maxImportBytes: number;
  maxInFlight: number;
  models: ModelCache | undefined;
  logger: HttpServerOptions['logger'];
  loggerInstance: FastifyBaseLogger | undefined;
  allowedHosts: string[];
  docs: boolean;
  validateResponses: boolean;
  wsMaxBufferedBytes: number;
  wsMaxPayload: number;
  wsHeartbeatMs: number;
  closeTimeoutMs: number;
  mcp: boolean;
}

export const DEFAULT_PORT = 7420;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** Fills in the defaults and checks the safety rules (a token off loopback). */
export function resolveHttpServerOptions(options: HttpServerOptions = {}): ResolvedHttpServerOptions {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (typeof host !== 'string' || host === '') throw invalid('host', 'expected a host name or address');
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw invalid('port', 'expected an integer from 0 to 65535');
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '')) {
    throw invalid('token', 'expected a non-empty string');
  }
  if (options.token === undefined && !isLoopbackHost(host)) {
    throw invalid('token', `a token is required to bind ${host}, which is not a loopback address`);
  }
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 1) throw invalid('bodyLimit', 'expected a positive integer');
  const maxImportBytes = options.maxImportBytes ?? DEFAULT_MAX_IMPORT_BYTES;
  if (!Number.isInteger(maxImportBytes) || maxImportBytes < 1) throw invalid('maxImportBytes', 'expected a positive integer');
  const maxInFlight = options.maxInFlight ?? 256;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw invalid('maxInFlight', 'expected a positive integer');
  if (options.exportsDir !== undefined && (typeof options.exportsDir !== 'string' || !isAbsolute(options.exportsDir))) {
    throw invalid('exportsDir', 'expected an absolute directory path');
  }
  return {
    host,
    port,
    token: options.token,
    corsOrigins: options.corsOrigins ?? [],
    bodyLimit,
    exportsDir: options.exportsDir,
    maxImportBytes,
    maxInFlight,
    models: options.models,
    logger: options.logger ?? false,
    loggerInstance: options.loggerInstance,
    allowedHosts: options.allowedHosts ?? ['localhost', '127.0.0.1', '::1', host],
    docs: options.docs ?? true,
    validateResponses: options.validateResponses ?? false,
    wsMaxBufferedBytes: options.wsMaxBufferedBytes ?? 4 * 1024 * 1024,
    wsMaxPayload: options.wsMaxPayload ?? 64 * 1024,
    wsHeartbeatMs: options.wsHeartbeatMs ?? 30_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
    mcp: options.mcp ?? true,
  };
}

function invalid(field: string, message: string): DbError {
  return new DbError('INVALID_ARGUMENT', `${field}: ${message}`, { details: { field } });
}
