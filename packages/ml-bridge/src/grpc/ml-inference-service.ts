import type * as grpc from '@grpc/grpc-js';
import type { MlBridge } from '../ml-bridge.js';
import { loadProtoPackage, serviceClient } from './proto-files.js';
import { callSignal, requireToken } from './server-call.js';
import { toGrpcError } from './status-codes.js';

/** Fully qualified name of the ML service in `protos/ml_inference.proto`. */
export const ML_INFERENCE_SERVICE = 'tabagent.ml.v1.MlInference';

/** The `MlInference` service constructor (its `.service` is the definition, `new` makes a client). */
export function mlInferenceClientConstructor(): grpc.ServiceClientConstructor {
  return serviceClient(loadProtoPackage('ml_inference.proto', import.meta.url), ML_INFERENCE_SERVICE);
}

/** Options of {@link createMlInferenceService}. */
export interface MlInferenceServiceOptions {
  /** When set, every call needs `authorization: Bearer <token>` metadata. */
  token?: string;
}

/**
 * `MlInference` (protos/ml_inference.proto) backed by any MlBridge, ready for
 * `server.addService(definition, implementation)`. Cancellation and deadlines reach the
 * bridge as its AbortSignal; DbErrors map to gRPC statuses.
 *
 * @example
 * const { definition, implementation } = createMlInferenceService(await createMlBridge({ provider: 'builtin' }));
 * server.addService(definition, implementation);
 */
export function createMlInferenceService(
  bridge: Pick<MlBridge, 'embed' | 'extractEntities' | 'summarize' | 'info' | 'health'>,
  options: MlInferenceServiceOptions = {},
): { definition: grpc.ServiceDefinition; implementation: grpc.UntypedServiceImplementation } {
  const unary =
    <Req, Res>(run: (request: Req, signal: AbortSignal) => Promise<Res>): grpc.handleUnaryCall<Req, Res> =>
    (call, callback) => {
      const { signal, dispose } = callSignal(call);
      Promise.resolve()
        .then(() => {
          requireToken(call.metadata, options.token);
          return run(call.request, signal);
        })
        .then(
          (response) => callback(null, response),
          (err: unknown) => callback(toGrpcError(err)),
        )
        .finally(dispose);
    };

  const implementation: grpc.UntypedServiceImplementation = {
    Embed: unary<{ texts?: string[] }, object>(async (request, signal) => {
      const vectors = await bridge.embed(request.texts ?? [], { signal });
      const info = bridge.info().embedding;
      return { vectors: vectors.map((v) => ({ values: Array.from(v) })), model: info.model, dimensions: vectors[0]?.length ?? info.dimensions ?? 0 };
    }),
    ExtractEntities: unary<{ texts?: string[] }, object>(async (request, signal) => {
      const results = await bridge.extractEntities(request.texts ?? [], { signal });
      return { results: results.map((entities) => ({ entities })) };
    }),
    Summarize: unary<{ texts?: string[]; maxLength?: number }, object>(async (request, signal) => {
      const summary = await bridge.summarize(request.texts ?? [], request.maxLength === undefined ? { signal } : { signal, maxLength: request.maxLength });
      return { summary };
    }),
    Health: unary<object, object>(async (_request, signal) => bridge.health({ signal })),
    Info: unary<object, object>(async () => {
      const info = bridge.info();
      return { ...info, embedding: { ...info.embedding, dimensions: info.embedding.dimensions ?? 0 } };
    }),
  };
  return { definition: mlInferenceClientConstructor().service, implementation };
}
