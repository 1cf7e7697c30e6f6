import { DbError } from '@tabagent/common';
import type { RunningTransport, TransportContext } from './transport.js';

/**
 * gRPC (`protos/database.proto`'s `tabagent.v1.Database`, and with `server.grpcMl`
 * `tabagent.ml.v1.MlInference`) on `host:grpcPort`, with the HTTP server's host and
 * token rules: loopback by default, a token required anywhere else.
 */
export async function startGrpcTransport({ db, config, logger }: TransportContext): Promise<RunningTransport> {
  const { host, grpcPort, token, grpcMl = true } = config.server;
  const [{ startGrpcServer, GRPC_SERVER_DEFAULTS }, grpc] = await Promise.all([import('@tabagent/server'), import('@grpc/grpc-js')]);
  // grpc-js logs to the console; its lines say again what our errors say: keep them for --log-level debug.
  grpc.setLogger({ error: (...args: unknown[]) => logger.debug(`grpc-js: ${args.map(String).join(' ').trim()}`) });
  const server = await startGrpcServer(db, {
    ml: grpcMl,
    ...(host === undefined ? {} : { host }),
    ...(grpcPort === undefined ? {} : { port: grpcPort }),
    ...(token === undefined ? {} : { token }),
  }).catch((err: unknown) => {
    const error = DbError.from(err);
    if (!/EADDRINUSE/u.test(error.message)) throw error;
    throw new DbError('UNAVAILABLE', `${error.message} (another server has this port: choose one with --grpc-port)`, { cause: error, details: { field: 'grpcPort' } });
  });
  const services = ['tabagent.v1.Database', ...(grpcMl ? ['tabagent.ml.v1.MlInference'] : [])];
  return {
    name: 'grpc',
    ready: { address: server.address, host: host ?? GRPC_SERVER_DEFAULTS.host, port: server.port, auth: token !== undefined, services },
    banner: `gRPC on ${server.address} (${services.join(', ')})`,
    close: () => server.close(),
  };
}
