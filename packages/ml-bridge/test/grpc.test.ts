import * as grpc from '@grpc/grpc-js';
import { DbError } from '@tabagent/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinMlBridge, createMlBridge, createWorkerMlBridge, ML_PROVIDERS, type MlBridge } from '../src/index.js';
import { createMlInferenceService, fromGrpcError, GrpcMlBridge, toGrpcError } from '../src/grpc/index.js';
import { describeMlBridgeConformance } from './conformance.js';

/** A real grpc-js server on a loopback port serving `MlInference` from a builtin bridge. */
async function startMlServer(bridge: MlBridge, token?: string): Promise<{ address: string; close(): Promise<void> }> {
  const server = new grpc.Server();
  const { definition, implementation } = createMlInferenceService(bridge, token === undefined ? {} : { token });
  server.addService(definition, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

const codeOf = async (p: Promise<unknown>): Promise<string | undefined> =>
  p.then(
    () => undefined,
    (e: unknown) => (DbError.is(e) ? e.code : `not a DbError: ${String(e)}`),
  );

const conformanceBackend = new BuiltinMlBridge();
const conformanceServer = startMlServer(conformanceBackend);
describeMlBridgeConformance('grpc (MlInference over loopback, builtin behind it)', {
  create: async () => GrpcMlBridge.connect({ address: (await conformanceServer).address }),
  teardown: async () => {
    await (await conformanceServer).close();
    await conformanceBackend.close();
  },
});

describe('grpc provider', () => {
  let backend: BuiltinMlBridge;
  let server: { address: string; close(): Promise<void> };

  beforeAll(async () => {
    backend = new BuiltinMlBridge();
    server = await startMlServer(backend);
  });
  afterAll(async () => {
    await server.close();
    await backend.close();
  });

  it('is created by createMlBridge and reports the remote model, so vectors share its space', async () => {
    expect(ML_PROVIDERS).toContain('grpc');
    await using ml = await createMlBridge({ provider: 'grpc', address: server.address });
    const info = ml.info();
    expect(info.provider).toBe('grpc');
    expect(info.embedding.model).toBe(backend.info().embedding.model);
    expect(info.embedding.dimensions).toBe(backend.info().embedding.dimensions);
    expect(info.quality).toBe(backend.info().quality);
    expect(info.reason).toContain('builtin');
    const texts = ['Ada Lovelace met Charles Babbage in London.', 'cats and dogs'];
    const [remote, local] = [await ml.embed(texts), await backend.embed(texts)];
    expect(remote.map((v) => Array.from(v))).toEqual(local.map((v) => Array.from(v)));
    expect(await ml.extractEntities(texts)).toEqual(await backend.extractEntities(texts));
    expect(await ml.summarize(texts, { maxLength: 60 })).toBe(await backend.summarize(texts, { maxLength: 60 }));
  });

  it('runs in a worker thread, as the facade opens providers by default', async () => {
    await using ml = await createWorkerMlBridge({ provider: 'grpc', address: server.address });
    expect(ml.info().provider).toBe('grpc');
    const [v] = await ml.embed(['hello from a worker']);
    expect(Array.from(v!)).toEqual(Array.from((await backend.embed(['hello from a worker']))[0]!));
  });

  it('sends large inputs in batches of maxBatchSize, in order', async () => {
    await using ml = await GrpcMlBridge.connect({ address: server.address, maxBatchSize: 7 });
    const texts = Array.from({ length: 30 }, (_, i) => `text ${i} about Paris and Berlin`);
    const remote = await ml.embed(texts);
    const local = await backend.embed(texts);
    expect(remote).toHaveLength(30);
    remote.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(local[i]!)));
    expect((await ml.extractEntities(texts)).length).toBe(30);
  });

  it('carries the exact DbError code back from the server', async () => {
    const closedBackend = new BuiltinMlBridge();
    const closedServer = await startMlServer(closedBackend);
    await using ml = await GrpcMlBridge.connect({ address: closedServer.address });
    await closedBackend.close();
    const err = await ml.embed(['x']).catch((e: unknown) => e);
    expect(DbError.is(err, 'NOT_OPEN')).toBe(true);
    expect((err as DbError).details.grpcStatus).toBe(grpc.status.UNAVAILABLE);
    const health = await ml.health();
    expect(health.ok).toBe(false);
    expect(health.detail).toContain('not healthy');
    await closedServer.close();
  });

  it('requires the token when the server has one', async () => {
    const guarded = await startMlServer(backend, 's3cret');
    expect(await codeOf(GrpcMlBridge.connect({ address: guarded.address, connectTimeoutMs: 5_000 }))).toBe('UNAUTHENTICATED');
    expect(await codeOf(GrpcMlBridge.connect({ address: guarded.address, token: 'wrong' }))).toBe('UNAUTHENTICATED');
    await using ml = await GrpcMlBridge.connect({ address: guarded.address, token: 's3cret' });
    expect((await ml.embed(['ok'])).length).toBe(1);
    await guarded.close();
  });

  it('fails with UNAVAILABLE when nothing listens, and rejects bad options', async () => {
    const gone = await startMlServer(backend);
    await gone.close();
    expect(await codeOf(GrpcMlBridge.connect({ address: gone.address, connectTimeoutMs: 300 }))).toBe('UNAVAILABLE');
    expect(await codeOf(GrpcMlBridge.connect({ address: '' }))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(GrpcMlBridge.connect({ address: server.address, maxBatchSize: 0 }))).toBe('INVALID_ARGUMENT');
  });

  it('maps DbError codes to gRPC statuses and back', () => {
    const cases: [DbError['code'], grpc.status][] = [
      ['NOT_FOUND', grpc.status.NOT_FOUND],
      ['INVALID_ARGUMENT', grpc.status.INVALID_ARGUMENT],
      ['CONFLICT', grpc.status.ALREADY_EXISTS],
      ['TOO_LARGE', grpc.status.RESOURCE_EXHAUSTED],
      ['UNAUTHENTICATED', grpc.status.UNAUTHENTICATED],
      ['TIMEOUT', grpc.status.DEADLINE_EXCEEDED],
      ['ABORTED', grpc.status.CANCELLED],
      ['NOT_OPEN', grpc.status.UNAVAILABLE],
      ['UNAVAILABLE', grpc.status.UNAVAILABLE],
      ['CORRUPTED', grpc.status.INTERNAL],
      ['INTERNAL', grpc.status.INTERNAL],
    ];
    for (const [code, status] of cases) {
      const wire = toGrpcError(new DbError(code, 'x', { details: { field: 'texts.0' } }));
      expect(wire.code).toBe(status);
      const back = fromGrpcError(wire);
      expect(back.code).toBe(code);
      expect(back.details.field).toBe('texts.0');
    }
    expect(toGrpcError(new Error('boom')).code).toBe(grpc.status.INTERNAL);
    // Without the trailer, the status alone decides.
    expect(fromGrpcError({ code: grpc.status.ALREADY_EXISTS, details: 'dup' }).code).toBe('CONFLICT');
    expect(fromGrpcError({ code: grpc.status.UNKNOWN, details: '?' }).code).toBe('INTERNAL');
  });
});
