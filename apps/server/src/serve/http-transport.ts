import type { HttpServerOptions } from '@tabagent/server';
import type { RunningTransport, TransportContext } from './transport.js';

/**
 * REST + OpenAPI + WebSocket over Fastify (`@tabagent/server`), with MCP (streamable
 * HTTP) at `/mcp`; its logs go where the CLI's do. Loaded on demand, so everyday
 * commands never load the server.
 */
export async function startHttpTransport({ db, config, models, logger }: TransportContext): Promise<RunningTransport> {
  const { host, port, token, corsOrigins, bodyLimit, exportsDir } = config.server;
  const options: HttpServerOptions = {
    models,
    mcp: true,
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, stream: logger.stream },
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(token === undefined ? {} : { token }),
    ...(corsOrigins === undefined ? {} : { corsOrigins }),
    ...(bodyLimit === undefined ? {} : { bodyLimit }),
    ...(exportsDir === undefined ? {} : { exportsDir }),
  };
  const { startHttpServer, MCP_HTTP_PATH } = await import('@tabagent/server');
  const server = await startHttpServer(db, options);
  const docs = `${server.url}/docs`;
  const mcp = `${server.url}${MCP_HTTP_PATH}`;
  return {
    name: 'http',
    ready: { url: server.url, docs, openapi: `${server.url}/v1/openapi.json`, mcp, host: server.host, port: server.port, auth: token !== undefined },
    banner: [`HTTP API on ${server.url}/v1 — interactive docs at ${docs}`, `MCP (streamable HTTP) at ${mcp}`].join('\n'),
    close: () => server.close(),
  };
}
