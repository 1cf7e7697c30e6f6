import * as grpc from '@grpc/grpc-js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TabAgent } from 'tabagent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcServer, type GrpcServerHandle } from '../src/grpc/index.js';
import { fromProtoStruct } from '../src/grpc/proto-struct.js';
import { databaseClient } from './fixtures/grpc-client.js';
import { openTestDb } from './fixtures/test-db.js';
import { until } from './fixtures/until.js';


describe('gRPC with the weaver on', () => {
  let t: Awaited<ReturnType<typeof openTestDb>>;
  let server: GrpcServerHandle;
  let c: ReturnType<typeof databaseClient>;

  beforeAll(async () => {
    t = await openTestDb({ weaver: true });
    server = await startGrpcServer(t.db, { port: 0, ml: true });
    c = databaseClient(server.address);
  });
  afterAll(async () => {
    c?.close();
    await server?.close();
    await t?.cleanup();
  });

  it('streams the enrichment events of a message posted over gRPC', async () => {
    const chat = await c.unary('CreateChat', { title: 'Weaving' });
    const stream = c.subscribe({ kinds: ['enriched'], chatId: chat.id });
    const events: any[] = [];
    stream.on('data', (e) => events.push(e));
    stream.on('error', () => {});
    await new Promise<void>((resolve) => stream.once('metadata', () => resolve()));
    const msg = await c.unary('AddMessage', { chatId: chat.id, sender: 'alice', role: 'user', content: 'Alice met Bob in Paris.' });
    const modulesDone = (): Set<string> => new Set(events.filter((e) => e.enriched?.nodeId === msg.id).map((e) => e.enriched.module));
    await until(() => modulesDone().has('semantic-indexer') && modulesDone().has('entity-linker'), 'embedding and entity enrichment events');
    const event = events.find((e) => e.enriched?.nodeId === msg.id)!;
    expect(event.event).toBe('enriched');
    expect(event.enriched).toMatchObject({ nodeId: msg.id, chatId: chat.id, nodeKind: 'Message' });
    expect(event.enriched.at).toBeGreaterThan(0);
    expect(events.every((e) => e.event === 'enriched')).toBe(true);
    stream.cancel();

    const { mentions } = await c.unary('EntitiesMentionedIn', { nodeId: msg.id });
    expect(mentions.map((m: { entity: object }) => fromProtoStruct((m.entity as { fields: never }).fields).label).sort()).toEqual(['Alice', 'Bob', 'Paris']);
    const status = await c.unary('GetWeaverStatus');
    expect(status.enabled).toBe(true);
    expect(fromProtoStruct(status.stats)).toHaveProperty('modules');
  });

  it('serves ML to another TabAgent over MlInference (provider grpc)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tabagent-remote-ml-'));
    const quiet = { info: () => {}, warn: () => {} };
    const other = await TabAgent.open(dir, { ml: { provider: 'grpc', address: server.address }, mlInWorker: false, weaver: {}, logger: quiet });
    try {
      expect(other.inference.info()).toMatchObject({ provider: 'grpc', embedding: { model: t.db.inference.info().embedding.model } });
      const chat = await other.createChat({ title: 'remote' });
      const msg = await chat.addMessage({ sender: 'a', role: 'user', content: 'The lighthouse keeper fed the seagulls' });
      await other.whenEnriched({ timeoutMs: 30_000 });
      const embedding = await other.embeddingFor(msg.id);
      const [local] = await t.db.inference.embed(['The lighthouse keeper fed the seagulls']);
      expect(Array.from(embedding!.vector)).toEqual(Array.from(local!));
      const { hits } = await other.search('lighthouse seagulls', { mode: 'semantic', types: ['Message'] });
      expect(hits[0]?.node.id).toBe(msg.id);
    } finally {
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('without ml: true, MlInference is not served', async () => {
    await using plain = await startGrpcServer(t.db, { port: 0 });
    const { mlInferenceClientConstructor } = await import('@tabagent/ml-bridge/grpc');
    const Ml = mlInferenceClientConstructor();
    const ml = new Ml(plain.address, grpc.credentials.createInsecure());
    const code = await new Promise<number>((resolve) => (ml as any).Info({}, (err: grpc.ServiceError | null) => resolve(err?.code ?? 0)));
    expect(code).toBe(grpc.status.UNIMPLEMENTED);
    ml.close();
  });
});
