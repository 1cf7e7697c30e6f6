import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { TabAgent } from 'tabagent';
import { createMcpServer } from './mcp-server.js';

/** Where `tabagent serve` (`buildApp` with `mcp: true`) mounts the MCP endpoint. */
export const MCP_HTTP_PATH = '/mcp';

/** Options of {@link createMcpHttpHandler}. */
export interface McpHttpOptions {
  /** When set, requests need `Authorization: Bearer <token>`. Leave unset when the host server already checks it. */
  token?: string;
  /**
   * Browser origins allowed to call (`Origin` header). Requests with any other Origin
   * are refused (403) against DNS-rebinding; requests without one (non-browser MCP
   * clients) pass. `'*'` allows any origin. Default none.
   */
  allowedOrigins?: readonly string[];
  /** Largest request body read, in bytes (default 4 MiB). */
  maxBodyBytes?: number;
}

/** Serves MCP's streamable HTTP transport for one path; mount it at `/mcp`. */
export interface McpHttpHandler {
  /** Answers one request (POST: JSON-RPC; GET/DELETE: 405 — this endpoint is stateless). `body` is the parsed JSON when a framework already read it. */
  handle(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void>;
}

function reject(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer\s+(.+)$/iu.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * MCP over streamable HTTP in stateless mode: each POST gets a fresh MCP server over
 * `db` (cheap: tools are closures), so any number of assistants can call at once and
 * nothing is kept between requests.
 *
 * @example
 * const mcp = createMcpHttpHandler(db);
 * http.createServer((req, res) => (req.url === '/mcp' ? mcp.handle(req, res) : notFound(res)));
 */
export function createMcpHttpHandler(db: TabAgent, options: McpHttpOptions = {}): McpHttpHandler {
  const allowed = new Set(options.allowedOrigins ?? []);
  return {
    async handle(req, res, body) {
      const origin = req.headers.origin;
      if (origin !== undefined && !allowed.has(origin) && !allowed.has('*')) return reject(res, 403, `origin ${origin} is not allowed`);
      if (options.token !== undefined && !tokenMatches(req.headers.authorization, options.token)) return reject(res, 401, 'missing or invalid bearer token');
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return reject(res, 405, 'this MCP endpoint is stateless: POST JSON-RPC requests');
      }
      const server = createMcpServer(db);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
        ...(options.maxBodyBytes === undefined ? {} : { maxRequestBodySize: options.maxBodyBytes }),
      });
      res.on('close', () => {
        void transport.close();
        void server.close();
      });
      try {
        await server.connect(transport);
        await transport.handleRequest(req, res, body);
      } catch {
        // The transport answers protocol errors itself; anything else is ours, without details.
        if (!res.headersSent) reject(res, 500, 'internal error');
        else res.end();
      }
    },
  };
}

/** The part of a Fastify instance {@link mountMcpHttp} uses. */
export interface FastifyLike {
  route(options: {
    method: string[];
    url: string;
    schema?: { hide?: boolean };
    handler: (request: { raw: IncomingMessage; body?: unknown }, reply: { raw: ServerResponse; hijack(): void }) => Promise<void>;
  }): unknown;
}

/**
 * Mounts the MCP endpoint on a Fastify app (under `tabagent serve`), at `/mcp` by
 * default. The app's own hooks (token, CORS, body limits) run first; the body Fastify
 * parsed is handed over. The route is hidden from `@fastify/swagger` (it is not REST).
 */
export function mountMcpHttp(app: FastifyLike, db: TabAgent, options: McpHttpOptions & { path?: string } = {}): void {
  const { path = MCP_HTTP_PATH, ...rest } = options;
  const handler = createMcpHttpHandler(db, rest);
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: path,
    schema: { hide: true },
    handler: async (request, reply) => {
      reply.hijack();
      await handler.handle(request.raw, reply.raw, request.body);
    },
  });
}
