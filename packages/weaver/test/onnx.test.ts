import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeTypes, entityId, type Summary } from '@tabagent/common';
import { createWorkerMlBridge, type MlBridge } from '@tabagent/ml-bridge';
import { writeOnnxModels, type OnnxModelDirs } from './fixtures/onnx-models.js';
import { allEdges, allNodes, mentionsOf, message, openStack } from './helpers.js';

describe('the weaver with the onnx provider (generated test models, in a worker thread)', () => {
  let models: OnnxModelDirs;
  let ml: MlBridge;

  beforeAll(async () => {
    models = await writeOnnxModels();
    ml = await createWorkerMlBridge({ provider: 'onnx', modelDir: models.embedding, nerModelDir: models.ner, intraOpThreads: 1 });
  });
  afterAll(async () => {
    await ml?.close();
    await models?.cleanup();
  });

  it('embeds, links entities, links similar chats, summarises on the 20th message and cleans up on delete', async () => {
    const stack = await openStack({ ml });
    expect(ml.info()).toMatchObject({ provider: 'onnx', embedding: { model: 'test/weaver-encoder', dimensions: 32 } });
    const [trip, other] = await stack.storage.insertNodes([
      { type: 'Chat', title: 'trip' },
      { type: 'Chat', title: 'other' },
    ]);
    const example = await stack.storage.insertNode(message(trip!.id, 'Alice met Bob in Paris'));
    const twin = await stack.storage.insertNode(message(other!.id, 'Alice met Bob in Paris.'));
    await stack.weaver.whenIdle({ timeoutMs: 60_000 });

    const [embedding] = await stack.storage.embeddingsOf(example.id);
    expect(embedding).toMatchObject({ model: 'test/weaver-encoder', dims: 32 });
    const mentions = await mentionsOf(stack.storage, example.id);
    expect(mentions.map((e) => e.to).sort()).toEqual([entityId('PERSON', 'Alice'), entityId('PERSON', 'Bob'), entityId('LOCATION', 'Paris')].sort());
    expect(mentions.every((e) => (e.weight ?? 0) > 0.5 && e.metadata['model'] === 'test/weaver-ner')).toBe(true);
    const similar = await allEdges(stack.storage, EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO);
    expect(similar.map((e) => [e.from, e.to].sort())).toEqual([[example.id, twin.id].sort()]);

    const rest = await stack.storage.insertNodes(
      Array.from({ length: 19 }, (_, i) => message(trip!.id, `we should book the train to Rome and visit museum number ${i}`)),
    );
    await stack.weaver.whenIdle({ timeoutMs: 60_000 });
    const summaries = (await allNodes(stack.storage)).filter((n): n is Summary => n.type === 'Summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.messageIds).toEqual([example.id, ...rest.map((m) => m.id)]);
    expect(await stack.storage.embeddingsOf(summaries[0]!.id)).toHaveLength(1);

    await stack.storage.deleteNode(twin.id);
    await stack.weaver.whenIdle({ timeoutMs: 60_000 });
    expect(await allEdges(stack.storage, EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO)).toEqual([]);
    expect(await stack.storage.embeddingsOf(twin.id)).toEqual([]);
    expect(stack.weaver.stats()).toMatchObject({ deadLetters: 0, lag: 0 });
  });
});
