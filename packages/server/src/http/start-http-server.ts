import type { AddressInfo } from 'node:net';
import type { TabAgent } from 'tabagent';
import { buildApp, inFlightRequestsOf } from './build-app.js';
import { resolveHttpServerOptions, type HttpServerOptions } from './options.js';

/** A listening HTTP server (see {@link startHttpServer}). */
export interface HttpServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:7420`. */
  readonly url: string;
  readonly host: string;
  /** The bound port (the chosen one when started with port 0). */
  readonly port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish (for at most
   * `closeTimeoutMs`), closes WebSockets (1001). Idempotent. The database stays open:
   * the caller owns it.
   */
  close(): Promise<void>;
}

/**
 * Serves `db` over HTTP and WebSocket on `host:port` (default `127.0.0.1:7420`).
 * Rejects with `INVALID_ARGUMENT` when asked to bind a non-loopback address without a
 * token, and with the listen error (e.g. `EADDRINUSE`) when the port is taken.
 *
 * @example
 * await using db = await TabAgent.open(dir);
 * const server = await startHttpServer(db, { port: 0 });
 * console.log(`listening on ${server.url}, docs at ${server.url}/docs`);
 * await server.close();
 */
export async function startHttpServer(db: TabAgent, options: HttpServerOptions = {}): Promise<HttpServer> {
  const resolved = resolveHttpServerOptions(options);
  const app = await buildApp(db, options);
  try {
    await app.listen({ host: resolved.host, port: resolved.port });
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.server.address() as AddressInfo;
  const host = resolved.host;
  const port = address.port;
  const url = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = app.close();
      // In-flight requests get closeTimeoutMs to finish; then (or as soon as there are
      // none) every remaining keep-alive connection is cut, so close never waits on idle clients.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, resolved.closeTimeoutMs)));
      await Promise.race([inFlightRequestsOf(app)?.idle() ?? Promise.resolve(), timeout]);
      clearTimeout(timer);
      app.server.closeAllConnections();
      await closed;
    })();
    return closing;
  };
  return { url, host, port, close, [Symbol.asyncDispose]: close };
}
