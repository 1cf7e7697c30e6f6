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
  // Callback style (it runs on every request): `done()` lets the request on; a refusal
  // answers instead and does not call it.
  return function guard(request, reply, done) {
    const route = request.routeOptions.url;
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) return done();
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
