import { describe, expect, it } from 'vitest';
import { EdgeTypes, entityId, type Summary } from '@tabagent/common';
import { createWorkerMlBridge } from '@tabagent/ml-bridge';
import { QueryEngine } from '@tabagent/query';
import { embeddingIdFor, similarityEdgeEnds, type EnrichedEvent, type MentionMetadata } from '../src/index.js';
import { allEdges, allNodes, mentionsOf, message, onCleanup, openStack, openWeaver, type Stack } from './helpers.js';

async function exampleOne(stack: Stack): Promise<{ chatId: string; messageId: string }> {
  const chat = await stack.storage.insertNode({ type: 'Chat', title: 'Trip' });
  const msg = await stack.storage.insertNode(message(chat.id, 'Alice met Bob in Paris'));
  await stack.weaver.whenIdle({ timeoutMs: 30_000 });
  return { chatId: chat.id, messageId: msg.id };
}

async function expectExampleOneEnriched(stack: Stack, messageId: string): Promise<void> {
  const model = stack.ml.info().embedding.model;
  const embeddings = await stack.storage.embeddingsOf(messageId);
  expect(embeddings).toHaveLength(1);
  expect(embeddings[0]).toMatchObject({ id: embeddingIdFor(messageId, model), model, nodeId: messageId });

  const expected = [
    ['PERSON', 'Alice', 0],
    ['PERSON', 'Bob', 10],
    ['LOCATION', 'Paris', 17],
  ] as const;
  const mentions = await mentionsOf(stack.storage, messageId);
  expect(mentions).toHaveLength(3);
  for (const [type, label, start] of expected) {
    const id = entityId(type, label);
    const [entity] = await stack.storage.getNodes([id]);
    expect(entity).toMatchObject({ type: 'Entity', label, entityType: type });
    const edge = mentions.find((e) => e.to === id)!;
    const metadata = edge.metadata as unknown as MentionMetadata;
    expect(edge.weight).toBeGreaterThan(0);
    expect(metadata.confidence).toBe(edge.weight);
    expect(metadata.spans).toEqual([{ start, end: start + label.length, text: label }]);
  }
}

describe('the weaver enriches what is stored (builtin provider)', () => {
  it('Example 1: "Alice met Bob in Paris" gets an embedding, three entities and their MENTIONS edges', async () => {
    const stack = await openStack();
    const events: EnrichedEvent[] = [];
    stack.weaver.on('enriched', (e) => events.push(e));
    const { chatId, messageId } = await exampleOne(stack);
    await expectExampleOneEnriched(stack, messageId);

    // Searchable by meaning through the vector index.
    const [query] = await stack.ml.embed(['Alice met Bob in Paris']);
    const { results } = await stack.vectors.search(query!, { model: stack.ml.info().embedding.model, k: 1 });
    expect(results[0]?.nodeId).toBe(messageId);

    expect(events.filter((e) => e.nodeId === messageId).map((e) => e.module).sort()).toEqual(['associative-linker', 'entity-linker', 'semantic-indexer']);
    expect(events.find((e) => e.module === 'entity-linker')).toMatchObject({ kind: 'Message', chatId });
    const stats = stack.weaver.stats();
    expect(stats).toMatchObject({ status: 'open', lag: 0, queueDepth: 0, deadLetters: 0, cursor: stack.storage.lastSeq });
    expect(stats.modules['semantic-indexer']).toMatchObject({ processed: 1, failed: 0, pending: 0 });
    expect(stats.modules['entity-linker']!.processed).toBe(1);
    expect(stats.lastEventAt).toBeGreaterThan(0);

    // The topic modeler named the chat after what it mentions.
    const [chat] = await stack.storage.getNodes([chatId]);
    expect(chat).toMatchObject({ type: 'Chat' });
    expect((chat as { topic?: string }).topic).toMatch(/Alice|Bob|Paris/u);

    // What the query engine answers from it.
    const engine = await QueryEngine.open({ storage: stack.storage, indexing: stack.indexing, vectorIndex: stack.vectors });
    onCleanup(() => engine.close());
    const mentioning = await engine.nodesMentioning({ entityType: 'LOCATION', label: 'paris' });
    expect(mentioning.items.map((n) => n.id)).toEqual([messageId]);
  });

  it('runs the ML provider in a worker thread just the same', async () => {
    const ml = await createWorkerMlBridge({ provider: 'builtin' });
    onCleanup(() => ml.close());
    const stack = await openStack({ ml });
    const { messageId } = await exampleOne(stack);
    await expectExampleOneEnriched(stack, messageId);
  });

  it('links similar messages of different chats, never within a chat or to themselves', async () => {
    const stack = await openStack();
    const [a, b] = await stack.storage.insertNodes([
      { type: 'Chat', title: 'one' },
      { type: 'Chat', title: 'two' },
    ]);
    const text = 'The quarterly budget review for the marketing team is due on Friday afternoon';
    const [m1, m2] = await stack.storage.insertNodes([message(a!.id, text), message(a!.id, `${text}.`)]);
    const [m3] = await stack.storage.insertNodes([message(b!.id, `${text}!`), message(b!.id, 'Completely unrelated: my cat likes sardines')]);
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });

    const similar = await allEdges(stack.storage, EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO);
    const pairs = similar.map((e) => [e.from, e.to].sort().join(' ')).sort();
    expect(pairs).toEqual([[m1!.id, m3!.id].sort().join(' '), [m2!.id, m3!.id].sort().join(' ')].sort());
    for (const edge of similar) {
      expect(edge.from).not.toBe(edge.to);
      expect(edge.weight).toBeGreaterThanOrEqual(0.85);
      expect(edge.id).toBe(similarityEdgeEnds(edge.from, edge.to).id);
      expect(edge.metadata).toMatchObject({ score: edge.weight, model: stack.ml.info().embedding.model });
    }
  });

  it('summarises a chat on its 20th message, links the summary and embeds it', async () => {
    const stack = await openStack();
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'Planning' });
    const sentences = Array.from({ length: 20 }, (_, i) => `Message ${i + 1}: we should book the train to Lyon and visit museum number ${i + 1}.`);
    const first = await stack.storage.insertNodes(sentences.slice(0, 19).map((s, i) => message(chat.id, s, { timestamp: 1_700_000_000_000 + i })));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect((await allNodes(stack.storage)).filter((n) => n.type === 'Summary')).toHaveLength(0);

    const twentieth = await stack.storage.insertNode(message(chat.id, sentences[19]!, { timestamp: 1_700_000_000_019 }));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    const summaries = (await allNodes(stack.storage)).filter((n): n is Summary => n.type === 'Summary');
    expect(summaries).toHaveLength(1);
    const summary = summaries[0]!;
    const covered = [...first.map((m) => m.id), twentieth.id];
    expect(summary).toMatchObject({ chatId: chat.id, messageIds: covered, fromTimestamp: 1_700_000_000_000, toTimestamp: 1_700_000_000_019 });
    expect(summary.content.length).toBeGreaterThan(0);
    expect(summary.content.length).toBeLessThanOrEqual(500);
    const links = (await stack.storage.edgesOf(summary.id)).filter((e) => e.type === EdgeTypes.SUMMARIZES);
    expect(links.map((e) => e.to).sort()).toEqual([chat.id, ...covered].sort());
    expect(await stack.storage.embeddingsOf(summary.id)).toHaveLength(1);

    const engine = await QueryEngine.open({ storage: stack.storage, indexing: stack.indexing });
    onCleanup(() => engine.close());
    const digest = await engine.chatDigest(chat.id);
    expect(digest.summary?.id).toBe(summary.id);
    expect(digest.topic).toBeDefined();
  });

  it('deletes the summaries it wrote for a chat when the chat is deleted', async () => {
    const stack = await openStack({ weaver: { modules: { summarizer: { everyMessages: 3 } } } });
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'short-lived' });
    await stack.storage.insertNodes(['Alice met Bob.', 'They went to Paris.', 'Then they flew to Rome.'].map((t) => message(chat.id, t)));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    const [summary] = (await allNodes(stack.storage)).filter((n) => n.type === 'Summary');
    expect(summary).toBeDefined();
    await stack.storage.deleteNode(chat.id);
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect(await stack.storage.getNodes([summary!.id])).toEqual([undefined]);
    expect(await stack.storage.embeddingsOf(summary!.id)).toEqual([]);
  });

  it('removes derived data with a message: embedding, vector entry, edges, orphaned entities (not pinned or shared ones)', async () => {
    const stack = await openStack();
    const [chat, other] = await stack.storage.insertNodes([
      { type: 'Chat', title: 'a' },
      { type: 'Chat', title: 'b' },
    ]);
    const doomed = await stack.storage.insertNode(message(chat!.id, 'Alice met Bob in Paris'));
    const keeper = await stack.storage.insertNode(message(other!.id, 'Paris was lovely, said Carol'));
    const twin = await stack.storage.insertNode(message(other!.id, 'Alice met Bob in Paris!'));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    const alice = entityId('PERSON', 'Alice');
    const bob = entityId('PERSON', 'Bob');
    const paris = entityId('LOCATION', 'Paris');
    await stack.storage.updateNode(alice, { pinned: true });
    await stack.storage.deleteNode(twin.id); // Bob and Alice now only mentioned by `doomed`
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect((await stack.storage.getNodes([bob]))[0]).toBeDefined();

    const model = stack.ml.info().embedding.model;
    const [vector] = await stack.ml.embed(['Alice met Bob in Paris']);
    await stack.storage.deleteNode(doomed.id);
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });

    expect(await stack.storage.embeddingsOf(doomed.id)).toEqual([]);
    expect((await stack.storage.edgesOf(doomed.id)).length).toBe(0);
    const { results } = await stack.vectors.search(vector!, { model, k: 10 });
    expect(results.map((r) => r.nodeId)).not.toContain(doomed.id);
    const [a, b, p] = await stack.storage.getNodes([alice, bob, paris]);
    expect(b).toBeUndefined(); // orphaned: removed
    expect(a).toMatchObject({ pinned: true }); // pinned: kept
    expect(p).toBeDefined(); // still mentioned by `keeper`
    expect((await mentionsOf(stack.storage, keeper.id)).map((e) => e.to)).toContain(paris);
    expect(await allEdges(stack.storage, EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO)).toEqual([]);
  });

  it('re-embeds and re-links a message whose text changed, and drops mentions it no longer has', async () => {
    const stack = await openStack();
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'edits' });
    const msg = await stack.storage.insertNode(message(chat.id, 'Alice met Bob in Paris'));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    const [before] = await stack.storage.embeddingsOf(msg.id);

    await stack.storage.updateNode(msg.id, { content: 'Alice flew to Berlin' });
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    const after = await stack.storage.embeddingsOf(msg.id);
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before!.id);
    expect(after[0]!.contentHash).not.toBe(before!.contentHash);
    const targets = (await mentionsOf(stack.storage, msg.id)).map((e) => e.to).sort();
    expect(targets).toEqual([entityId('LOCATION', 'Berlin'), entityId('PERSON', 'Alice')].sort());
    expect((await stack.storage.getNodes([entityId('PERSON', 'Bob'), entityId('LOCATION', 'Paris')])).every((n) => n === undefined)).toBe(true);

    // An update that does not touch the text changes nothing.
    const processed = stack.weaver.stats().modules['semantic-indexer']!.processed;
    await stack.storage.updateNode(msg.id, { tags: ['travel'] });
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect(stack.weaver.stats().modules['semantic-indexer']!.processed).toBe(processed);
  });

  it('replays the whole log without creating anything twice, and resumes from its cursor after a restart', async () => {
    const stack = await openStack();
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'replay' });
    await stack.storage.insertNodes(Array.from({ length: 25 }, (_, i) => message(chat.id, `Alice and Bob talk about Paris, part ${i}`)));
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    const snapshot = async (): Promise<string[]> => [
      ...(await allNodes(stack.storage)).map((n) => n.id),
      ...(await allEdges(stack.storage)).map((e) => e.id),
      ...(await collectEmbeddingIds(stack)),
    ].sort();
    const first = await snapshot();
    await stack.weaver.close();

    // Restart: nothing to do.
    const resumed = await openWeaver(stack);
    await resumed.whenIdle({ timeoutMs: 30_000 });
    expect(resumed.stats().modules['semantic-indexer']!.processed).toBe(0);
    await resumed.close();

    // Forget the cursor: everything is replayed, and nothing new appears.
    await stack.storage.dropCursor('weaver');
    const replayed = await openWeaver(stack);
    await replayed.whenIdle({ timeoutMs: 30_000 });
    expect(replayed.stats().modules['entity-linker']!.processed + replayed.stats().modules['entity-linker']!.skipped).toBeGreaterThan(0);
    expect(await snapshot()).toEqual(first);
    expect((await allNodes(stack.storage)).filter((n) => n.type === 'Summary')).toHaveLength(1);
  });

  it('steps aside while the user is active and catches up when they are not', async () => {
    const stack = await openStack();
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'busy' });
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    stack.scheduler.setActivityLevel('high');
    const msg = await stack.storage.insertNode(message(chat.id, 'Alice met Bob in Paris'));
    await expect(stack.weaver.whenIdle({ timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(stack.weaver.stats().lag).toBeGreaterThan(0);
    expect(await stack.storage.embeddingsOf(msg.id)).toEqual([]);
    stack.scheduler.setActivityLevel('low');
    await stack.weaver.whenIdle({ timeoutMs: 30_000 });
    expect(await stack.storage.embeddingsOf(msg.id)).toHaveLength(1);
  });

  it('import mode: large batches at low priority, with progress events', async () => {
    const stack = await openStack();
    const progress: number[] = [];
    stack.weaver.on('progress', (p) => progress.push(p.cursor));
    stack.weaver.importMode(true);
    expect(stack.weaver.stats().modules['semantic-indexer']).toMatchObject({ priority: 'low', batchSize: 256 });
    const chat = await stack.storage.insertNode({ type: 'Chat', title: 'import' });
    await stack.storage.insertNodes(Array.from({ length: 300 }, (_, i) => message(chat.id, `Imported message ${i} about Paris and trains`)));
    await stack.weaver.whenIdle({ timeoutMs: 60_000 });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(stack.weaver.stats().cursor);
    stack.weaver.importMode(false);
    expect(stack.weaver.stats().modules['semantic-indexer']).toMatchObject({ priority: 'normal', batchSize: 64 });
    expect(stack.weaver.stats()).toMatchObject({ importMode: false, lag: 0 });
  });
});

async function collectEmbeddingIds(stack: Stack): Promise<string[]> {
  const ids: string[] = [];
  for await (const chunk of stack.storage.scanEmbeddings()) ids.push(...chunk.map((e) => e.id));
  return ids;
}
