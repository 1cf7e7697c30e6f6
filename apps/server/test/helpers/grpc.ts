import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The repository's protos, loaded here with proto-loader (not through the server's own loader). */
const PROTOS = fileURLToPath(new URL('../../../../protos/', import.meta.url));

type Unary = (method: string, request?: object) => Promise<any>;

function load(file: string): grpc.GrpcObject {
  const definition = protoLoader.loadSync(`${PROTOS}${file}`, { keepCase: false, longs: Number, enums: String, defaults: false, arrays: true, oneofs: true, includeDirs: [PROTOS] });
  return grpc.loadPackageDefinition(definition);
}

/** A grpc-js client of one service (`tabagent.v1.Database`, `tabagent.ml.v1.MlInference`) at `address`, with promise-returning unary calls. */
export function grpcClient(file: 'database.proto' | 'ml_inference.proto', service: string, address: string, token?: string): { unary: Unary; close(): void } {
  let Ctor: unknown = load(file);
  for (const part of service.split('.')) Ctor = (Ctor as Record<string, unknown>)[part];
  const client = new (Ctor as grpc.ServiceClientConstructor)(address, grpc.credentials.createInsecure());
  const unary: Unary = (method, request = {}) =>
    new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
      const call = (client as unknown as Record<string, (r: object, m: grpc.Metadata, cb: (err: grpc.ServiceError | null, value?: unknown) => void) => void>)[method]!;
      call.call(client, request, metadata, (err, value) => (err ? reject(err) : resolve(value)));
    });
  return { unary, close: () => client.close() };
}

/** The gRPC status a call failed with. */
export async function grpcStatus(call: Promise<unknown>): Promise<grpc.status> {
  return call.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (err: grpc.ServiceError) => err.code,
  );
}

/** A `google.protobuf.Struct` (as proto-loader decodes it) back into plain JSON. */
export function structToJson(struct: { fields?: Record<string, any> } | undefined): Record<string, unknown> {
  const value = (v: any): unknown => {
    switch (v?.kind) {
      case 'structValue':
        return structToJson(v.structValue);
      case 'listValue':
        return (v.listValue.values ?? []).map(value);
      case 'nullValue':
        return null;
      default:
        return v?.[v.kind];
    }
  };
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([k, v]) => [k, value(v)]));
}

export { grpc };
