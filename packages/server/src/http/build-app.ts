import { resolve } from 'node:path';
import fastifyCors from '@fastify/cors';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { DbError, jsonDepthExceeds } from '@tabagent/common';
import { ModelCache } from '@tabagent/model-cache';
import { MAX_REQUEST_DEPTH } from '../operations/index.js';
import type { TabAgent } from 'tabagent';
import { MCP_HTTP_PATH, mountMcpHttp } from '../mcp/mcp-http.js';
import { errorResponse } from './errors/error-response.js';
import { createGuard } from './guard.js';
import { InFlightRequests } from './in-flight.js';
import { registerOpenApi } from './openapi.js';
import { ExportsDirectory } from './server-files.js';
import { resolveHttpServerOptions, type HttpServerOptions, type ResolvedHttpServerOptions } from './options.js';
import type { Api, RouteContext } from './route-context.js';
import { registerActivityRoutes } from './routes/activity-routes.js';
import { registerChatRoutes } from './routes/chat-routes.js';
import { registerEdgeRoutes } from './routes/edge-routes.js';
import { registerEmbeddingRoutes } from './routes/embedding-routes.js';
import { registerEntityRoutes } from './routes/entity-routes.js';
import { registerHardwareRoutes } from './routes/hardware-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerMaintenanceRoutes } from './routes/maintenance-routes.js';
import { registerModelRoutes } from './routes/model-routes.js';
import { registerNodeRoutes } from './routes/node-routes.js';
import { registerQueryRoutes } from './routes/query-routes.js';
import { registerWeaverRoutes } from './routes/weaver-routes.js';
import { EventHub } from './websocket/event-hub.js';
import { registerEventRoutes } from './websocket/event-routes.js';
import { responseSerializer, validatorCompiler } from './zod-compilers.js';

const inFlightOfApp = new WeakMap<FastifyInstance, InFlightRequests>();

/** The requests in flight on an app made by {@link buildApp} (for a draining shutdown). */
export function inFlightRequestsOf(app: FastifyInstance): InFlightRequests | undefined {
  return inFlightOfApp.get(app);
}

const ROUTES = [
  registerHealthRoutes,
  registerNodeRoutes,
  registerEdgeRoutes,
  registerChatRoutes,
  registerQueryRoutes,
  registerEntityRoutes,
  registerWeaverRoutes,
  registerActivityRoutes,
  registerModelRoutes,
  registerHardwareRoutes,
  registerMaintenanceRoutes,
  registerEmbeddingRoutes,
  registerEventRoutes,
];

/**
 * The Fastify application serving `db` over REST (`/v1/…`), WebSocket (`/v1/ws`),
 * OpenAPI (`/v1/openapi.json`, `/docs`) and MCP (`/mcp`), ready but not listening: tests can `inject`
 * into it and benchmarks can `listen` on it. `startHttpServer` is the usual entry.
 * Closing the app does not close the database.
 *
 * @example
 * const app = await buildApp(db);
 * const res = await app.inject({ method: 'GET', url: '/v1/health' });
 */
/**
 * The design seed's unversioned calls (`POST /chat/{id}/messages`, `POST /search`) are
 * served by today's `/v1` routes, so its examples work as written.
 */
function seedRoute(request: { url?: string }): string {
  const url = request.url ?? '/';
  const match = /^\/(chat\/[^/?]+\/messages|search)(?=[/?]|$)/u.exec(url);
  if (match === null) return url;
  const path = match[1]!.startsWith('chat/') ? `chats/${match[1]!.slice('chat/'.length)}` : match[1]!;
  return `/v1/${path}${url.slice(match[0].length)}`;
}

export async function buildApp(db: TabAgent, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const resolved = resolveHttpServerOptions(options);
  const app = Fastify({
    ...loggerOptions(resolved),
    bodyLimit: resolved.bodyLimit,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 300 },
    rewriteUrl: seedRoute,
    // Requests Node's HTTP parser rejects (bad framing, huge headers) get the API's error body too.
    clientErrorHandler: (err, socket) => {
      if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      const code = (err as NodeJS.ErrnoException).code;
      const [status, text, errorCode, message] =
        code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'TIMEOUT', 'the request took too long to arrive']
          : code === 'HPE_HEADER_OVERFLOW'
            ? [431, 'Request Header Fields Too Large', 'TOO_LARGE', 'headers: larger than the server accepts']
            : [400, 'Bad Request', 'INVALID_ARGUMENT', 'not a valid HTTP request'];
      const body = JSON.stringify({ error: { code: errorCode, message } });
      if (socket.writable) socket.write(`HTTP/1.1 ${status} ${text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
      socket.destroy(err);
    },
    // Malformed URLs and over-long path parameters get the API's own error body too.
    frameworkErrors: (err, _request, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      void (reply as unknown as FastifyReply)
        .code(tooLong ? 414 : 400)
        .send({ error: { code: tooLong ? 'TOO_LARGE' : 'INVALID_ARGUMENT', message: tooLong ? 'path: a path parameter is too long' : 'path: not a valid URL (bad percent-encoding)', field: 'path' } });
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  // JSON bodies: Fastify's parser (prototype-poisoning checks kept), plus an empty body
  // read as none (a bodyless POST still sends the JSON content type) and a nesting limit.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      // Never silently replaced: a client sending broken text learns it.
      return done(new DbError('INVALID_ARGUMENT', 'body: not valid UTF-8', { details: { field: 'body' } }), undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (err, value) => {
      if (err !== null) return done(err, undefined);
      if (jsonDepthExceeds(value, MAX_REQUEST_DEPTH)) {
        return done(new DbError('INVALID_ARGUMENT', `body: nested deeper than ${MAX_REQUEST_DEPTH} levels`, { details: { field: 'body' } }), undefined);
      }
      return done(null, value);
    });
  });
  app.setSerializerCompiler(responseSerializer(resolved.validateResponses));
  app.setErrorHandler((err, request, reply) => {
    const { status, body, internal } = errorResponse(err, request.id);
    if (internal) request.log.error({ err }, 'request failed');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${path}` } });
  });
  // CORS first, so that even a refusal (401) carries the headers a browser needs to read it.
  if (resolved.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: resolved.corsOrigins.includes('*') ? true : resolved.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type'],
      maxAge: 600,
    });
  }
  const inFlight = new InFlightRequests();
  inFlightOfApp.set(app, inFlight);
  // Hooks in callback style: they run on every request, and an async hook costs a
  // promise and a microtask turn each time.
  app.addHook('onRequest', (request, reply, done) => {
    inFlight.track(request.raw, reply.raw);
    // Admission control: past the limit, shed at once (a cheap 503 the client can retry)
    // rather than queue work until every answer takes seconds and memory balloons.
    if (inFlight.count > resolved.maxInFlight && request.routeOptions.url !== '/v1/health' && request.raw.headers.upgrade === undefined) {
      void reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: { code: 'UNAVAILABLE', message: `the server is busy (more than ${resolved.maxInFlight} requests in flight); retry shortly` } });
      return;
    }
    done();
  });
  app.addHook('onRequest', createGuard({ token: resolved.token, allowedHosts: resolved.allowedHosts, corsOrigins: resolved.corsOrigins }));
  // An upgrade refused with an HTTP answer (401, 404, …) leaves its socket to us: end it,
  // or the half-open socket would keep the server from closing.
  app.addHook('onResponse', (request, _reply, done) => {
    if (request.raw.headers.upgrade !== undefined) request.raw.socket.end();
    done();
  });
  const events = new EventHub(db, { maxBufferedBytes: resolved.wsMaxBufferedBytes });
  let models: ModelCache | undefined = resolved.models;
  const ownsModels = models === undefined;
  const context: RouteContext = {
    db,
    options: resolved,
    models: () => (models ??= new ModelCache()),
    events,
    exports: new ExportsDirectory(resolved.exportsDir ?? `${resolve(db.location)}-exports`, resolved.maxImportBytes),
    startedAt: Date.now(),
  };

  await app.register(fastifyWebsocket, {
    options: { maxPayload: resolved.wsMaxPayload },
    preClose: async () => {
      await events.close();
      await new Promise<void>((resolve) => app.websocketServer.close(() => resolve()));
    },
  });
  await registerOpenApi(app, resolved);
  await app.register(
    async (v1) => {
      const api: Api = v1.withTypeProvider<ZodTypeProvider>();
      for (const register of ROUTES) register(api, context);
    },
    { prefix: '/v1' },
  );
  if (resolved.mcp) mountMcpHttp(app, db, { path: MCP_HTTP_PATH, allowedOrigins: resolved.corsOrigins });

  const heartbeat = resolved.wsHeartbeatMs > 0 ? setInterval(() => events.heartbeat(), resolved.wsHeartbeatMs).unref() : undefined;
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    if (ownsModels) await models?.close();
  });
  await app.ready();
  return app;
}

/** Fastify's logger settings; a token passed in a query string never reaches the log. */
function loggerOptions(options: ResolvedHttpServerOptions): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  if (options.loggerInstance !== undefined) return { loggerInstance: options.loggerInstance };
  if (options.logger === false || options.logger === undefined) return { logger: false };
  const config = options.logger === true ? {} : options.logger;
  return {
    logger: {
      ...config,
      serializers: {
        req: (req: { method: string; url: string; host?: string; ip?: string }) => ({
          method: req.method,
          url: req.url.replace(/([?&]token=)[^&]*/gu, '$1[redacted]'),
          host: req.host,
          remoteAddress: req.ip,
        }),
        ...config.serializers,
      },
    },
  };
}
