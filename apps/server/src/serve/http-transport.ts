import type { HttpServerOptions } from '@tabagent/server';
import type { RunningTransport, TransportContext } from './transport.js';

/**
 * REST + OpenAPI + WebSocket over Fastify (`@tabagent/server`); its logs go to stderr.
 * Loaded on demand, so everyday commands never load the server.
 */
export async function startHttpTransport({ db, config, models }: TransportContext): Promise<RunningTransport> {
  const { host, port, token, corsOrigins, bodyLimit } = config.server;
  const options: HttpServerOptions = {
    models,
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, stream: process.stderr },
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(token === undefined ? {} : { token }),
    ...(corsOrigins === undefined ? {} : { corsOrigins }),
    ...(bodyLimit === undefined ? {} : { bodyLimit }),
  };
  const { startHttpServer } = await import('@tabagent/server');
  const server = await startHttpServer(db, options);
  const docs = `${server.url}/docs`;
  return {
    name: 'http',
    ready: { url: server.url, docs, openapi: `${server.url}/v1/openapi.json`, host: server.host, port: server.port, auth: token !== undefined },
    banner: `HTTP API on ${server.url}/v1 — interactive docs at ${docs}`,
    close: () => server.close(),
  };
}
