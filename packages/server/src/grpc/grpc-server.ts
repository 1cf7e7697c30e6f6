import { isIP } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { createMlInferenceService, loadProtoPackage, serviceClient } from '@tabagent/ml-bridge/grpc';
import { DbError } from '@tabagent/common';
import type { TabAgent } from 'tabagent';
import { databaseUnaryHandlers, MALFORMED } from './database-service.js';
import { GRPC_SERVER_DEFAULTS, type GrpcServerOptions } from './grpc-server-options.js';
import { isLoopbackHost } from '../http/loopback.js';
import { subscribeHandler } from './subscribe-handler.js';

/** Fully qualified name of the database service in `protos/database.proto`. */
export const DATABASE_SERVICE = 'tabagent.v1.Database';

/** The `Database` service constructor: `.service` is its definition, `new Ctor(address, credentials)` a client. */
export function databaseClientConstructor(): grpc.ServiceClientConstructor {
  return serviceClient(loadProtoPackage('database.proto', import.meta.url), DATABASE_SERVICE);
}

/** A field-1 string `__proto__` on the wire, as a map entry's key is encoded. */
const PROTO_KEY = Buffer.concat([Buffer.from([0x0a, 0x09]), Buffer.from('__proto__')]);

/**
 * The service definition with request deserialisers that never throw: grpc-js answers
 * a message its deserialiser rejects with INTERNAL, but a malformed message is the
 * client's error. It becomes a request carrying {@link MALFORMED}, which the handlers
 * answer with INVALID_ARGUMENT.
 */
function withMalformedRequests(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  return Object.fromEntries(
    Object.entries(service).map(([name, method]) => [
      name,
      {
        ...method,
        requestDeserialize: (bytes: Buffer) => {
          // protobufjs stores map entries by assignment: a key `__proto__` (in a Struct:
          // a filter, metadata) would silently vanish, and a filter on it match everything.
          if (bytes.includes(PROTO_KEY)) return { [MALFORMED]: 'a key "__proto__" is not allowed' };
          try {
            return method.requestDeserialize(bytes) as unknown;
          } catch {
            return { [MALFORMED]: 'the request is not a valid protobuf message of its type' };
          }
        },
      },
    ]),
  ) as grpc.ServiceDefinition;
}

/** `host:port`, bracketing IPv6 literals. */
function hostPort(host: string, port: number): string {
  const h = host.replace(/^\[|\]$/gu, '');
  return isIP(h) === 6 ? `[${h}]:${port}` : `${h}:${port}`;
}

/** A running gRPC server. */
export interface GrpcServerHandle extends AsyncDisposable {
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** `host:port` to give clients. */
  readonly address: string;
  /** The grpc-js server, to add services of your own. */
  readonly server: grpc.Server;
  /** `Subscribe` calls currently streaming. */
  readonly subscriptions: number;
  /** Ends subscriptions, lets running calls finish (up to `shutdownGraceMs`), then stops. Idempotent; the database stays open. */
  close(): Promise<void>;
}

/**
 * Serves `tabagent.v1.Database` (and, with `ml: true`, `tabagent.ml.v1.MlInference`)
 * over `db` on grpc-js. Binds to loopback by default; any other address needs a token.
 *
 * @example
 * const grpcServer = await startGrpcServer(db, { port: 0 });
 * console.error(`gRPC on ${grpcServer.address}`);
 * await grpcServer.close();
 */
export async function startGrpcServer(db: TabAgent, options: GrpcServerOptions = {}): Promise<GrpcServerHandle> {
  const o = { ...GRPC_SERVER_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof GRPC_SERVER_DEFAULTS &
    GrpcServerOptions;
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) {
    throw new DbError('INVALID_ARGUMENT', 'port must be an integer from 0 to 65535', { details: { field: 'port' } });
  }
  if (o.token !== undefined && o.token.length < 1) throw new DbError('INVALID_ARGUMENT', 'token must not be empty', { details: { field: 'token' } });
  if (!isLoopbackHost(o.host) && o.token === undefined) {
    throw new DbError('INVALID_ARGUMENT', `binding gRPC to ${o.host} (not loopback) requires a token`, { details: { field: 'token' } });
  }
  const server = new grpc.Server({
    'grpc.max_receive_message_length': o.maxMessageBytes,
    'grpc.max_send_message_length': o.maxMessageBytes,
  });
  const subscriptions = new Set<() => void>();
  server.addService(withMalformedRequests(databaseClientConstructor().service), {
    ...databaseUnaryHandlers(db, o.token),
    Subscribe: subscribeHandler(db, { token: o.token, maxQueued: o.maxQueuedEvents, maxQueuedBytes: o.maxQueuedBytes, registry: subscriptions }),
  });
  if (o.ml) {
    const ml = createMlInferenceService(db.inference, o.token === undefined ? {} : { token: o.token });
    server.addService(ml.definition, ml.implementation);
  }
  const credentials = o.credentials ?? grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(hostPort(o.host, o.port), credentials, (err, bound) =>
      err ? reject(new DbError('UNAVAILABLE', `cannot bind gRPC to ${hostPort(o.host, o.port)}: ${err.message}`, { cause: err })) : resolve(bound),
    ),
  );
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const end of [...subscriptions]) end();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, o.shutdownGraceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    })());
  return {
    port,
    address: hostPort(o.host, port),
    server,
    get subscriptions() {
      return subscriptions.size;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
