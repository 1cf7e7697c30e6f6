import { hash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, onRequestHookHandler } from 'fastify';
import { DbError } from '@tabagent/common';
import { errorResponse } from './errors/error-response.js';
import { hostnameOf } from './loopback.js';

/** Routes anyone may call, token or not. */
const PUBLIC_ROUTES = new Set(['/v1/health']);
/** Routes that also take the token as `?token=` (browsers cannot set headers on a WebSocket). */
const QUERY_TOKEN_ROUTES = new Set(['/v1/ws']);

export interface GuardOptions {
  token: string | undefined;
  /** Host names accepted while no token is set; `*` accepts any. */
  allowedHosts: readonly string[];
  /** Browser origins allowed to call (the CORS allow-list); `*` allows any. */
  corsOrigins: readonly string[];
}

/**
 * Content types a web page may send cross-site without a CORS preflight (a "simple"
 * request), and a POST without a body. A state-changing request must not be one of
 * these: it must send `application/json` (or the upload's `application/x-ndjson`),
 * which a browser sends to another origin only after the server said yes.
 */
const SIMPLE_CONTENT_TYPES = new Set(['', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);

function mediaTypeOf(header: string | undefined): string {
  if (header === undefined) return '';
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * True when a request's `Origin` may call: none (not a browser, or a same-origin GET),
 * an origin of the allow-list, or the server's own origin (its `/docs` page), by the
 * request's own `Host`. `null` (sandboxed frames, `file:` pages) is never allowed
 * unless the allow-list is `*`.
 */
function originAllowed(origin: string | undefined, host: string | undefined, allowList: ReadonlySet<string>, anyOrigin: boolean): boolean {
  if (origin === undefined || anyOrigin || allowList.has(origin)) return true;
  if (origin === 'null' || host === undefined) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}

/**
 * The `onRequest` hook that keeps strangers out: with a token, every route but the
 * public ones needs `Authorization: Bearer <token>` (compared in constant time);
 * without one, the `Host` header must name this machine, so a web page cannot reach a
 * loopback server by DNS rebinding. CORS preflights pass (they carry no credentials).
 */
export function createGuard(options: GuardOptions): onRequestHookHandler {
  const expected = options.token === undefined ? undefined : digest(options.token);
  const anyHost = options.allowedHosts.includes('*');
  const hosts = new Set(options.allowedHosts.map((h) => hostnameOf(h)));
  const anyOrigin = options.corsOrigins.includes('*');
  const origins = new Set(options.corsOrigins);
  // Callback style (it runs on every request): `done()` lets the request on; a refusal
  // answers instead and does not call it.
  return function guard(request, reply, done) {
    const route = request.routeOptions.url;
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) return done();
    // A web page the user visits can send requests here (a loopback server is reachable
    // from every page): a foreign Origin — on the WebSocket upgrade too — is refused, and
    // a POST must not be a "simple" request a page can send without asking.
    if (!originAllowed(request.headers.origin, request.headers.host, origins, anyOrigin)) {
      return refuse(reply, 403, new DbError('UNAUTHENTICATED', `origin ${JSON.stringify(request.headers.origin)} is not allowed (add it to corsOrigins)`), request.id);
    }
    if (request.method === 'POST' && SIMPLE_CONTENT_TYPES.has(mediaTypeOf(request.headers['content-type']))) {
      return refuse(
        reply,
        415,
        new DbError('UNSUPPORTED', 'content-type: a POST must send application/json (an empty body is fine), so that no web page can send it cross-site', {
          details: { field: 'body' },
        }),
        request.id,
      );
    }
    if (expected === undefined) {
      if (anyHost) return done();
      const host = request.headers.host;
      if (host === undefined || !hosts.has(hostnameOf(host))) {
        return refuse(reply, 403, new DbError('UNAUTHENTICATED', `host ${JSON.stringify(host ?? '')} is not allowed without a token`), request.id);
      }
      return done();
    }
    if (route !== undefined && PUBLIC_ROUTES.has(route)) return done();
    const presented = bearerToken(request.headers.authorization) ?? (route !== undefined && QUERY_TOKEN_ROUTES.has(route) ? queryToken(request.query) : undefined);
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      void reply.header('www-authenticate', 'Bearer realm="tabagent"');
      return refuse(reply, 401, new DbError('UNAUTHENTICATED', presented === undefined ? 'missing bearer token' : 'wrong bearer token'), request.id);
    }
    return done();
  };
}

/**
 * Whether an `Authorization` header carries the token (always true without one);
 * compared in constant time.
 */
export function tokenCheck(token: string | undefined): (authorization: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (authorization) => {
    const presented = bearerToken(authorization);
    return presented !== undefined && timingSafeEqual(digest(presented), expected);
  };
}

function refuse(reply: FastifyReply, status: number, err: DbError, requestId: string): void {
  void reply.code(status).send(errorResponse(err, requestId).body);
}

/** Equal-length digests, so the comparison time says nothing about the token. */
function digest(token: string): Buffer {
  return hash('sha256', token, 'buffer');
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/iu.exec(header);
  return match?.[1];
}

function queryToken(query: unknown): string | undefined {
  const token = (query as Record<string, unknown> | undefined)?.['token'];
  return typeof token === 'string' && token !== '' ? token : undefined;
}
