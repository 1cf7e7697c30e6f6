import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EdgeTypes, entityId, type Message, type Summary } from '@tabagent/common';
import { runAndKill, seededRandom } from '@tabagent/common/testing';
import { Storage } from '@tabagent/storage';
import { embeddingIdFor, similarityEdgeEnds } from '../src/index.js';
import { StateStore } from '../src/state/state-store.js';
import { prepareText } from '../src/text/prepared-text.js';
import { FAILING_MODULE, alwaysFailingModule } from './fixtures/crash-corpus.js';
import { allEdges, allNodes, openStack, tempDir } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/crash-ingest.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Runs the ingesting child until it acknowledged `acks` commits, waits `delayMs` more, SIGKILLs it. */
function runChildAndKill(dir: string, seed: number, acks: number, delayMs: number): Promise<number> {
  return runAndKill({ script: CHILD, args: [dir, String(seed)], cwd: PACKAGE_DIR, acks, delayMs });
}

describe('crash safety', () => {
  it('after SIGKILLs mid-ingest, a restarted weaver enriches every message exactly once; a failing module ends in dead letters', async () => {
    const dir = join(await tempDir(), 'db');
    const random = seededRandom(20261201);
    const lags: number[] = [];
    for (let round = 0; round < 6; round++) {
      const acked = await runChildAndKill(dir, round + 1, 3 + Math.floor(random() * 25), Math.floor(random() * 400));
      expect(acked).toBeGreaterThan(0);
      // How far behind the log the killed weaver's saved cursor was.
      const storage = await Storage.open(dir);
      const state = await StateStore.open(storage);
      lags.push(storage.lastSeq - (state.get<number>('~cursor') ?? 0));
      await storage.close();
    }
    // The kills caught the weaver with work outstanding: the restart had to finish it.
    expect(lags.some((lag) => lag > 0)).toBe(true);

    const stack = await openStack({ dir, weaver: { customModules: [alwaysFailingModule()] } });
    const { storage, ml, weaver } = stack;
    await weaver.whenIdle({ timeoutMs: 90_000 });
    console.log(`crash test: saved-cursor lag after each kill: ${lags.join(', ')}`);
    const model = ml.info().embedding.model;
    const nodes = await allNodes(storage);
    const messages = nodes.filter((n): n is Message => n.type === 'Message');
    const summaries = nodes.filter((n): n is Summary => n.type === 'Summary');
    expect(messages.length).toBeGreaterThan(50);

    // Embeddings: exactly one per text-bearing node, of the current text, nothing else.
    const embeddings: { nodeId: string; id: string; contentHash: string }[] = [];
    for await (const chunk of storage.scanEmbeddings()) embeddings.push(...chunk);
    const withText = [...messages.filter((m) => m.content.trim() !== ''), ...summaries];
    expect(embeddings.map((e) => e.nodeId).sort()).toEqual(withText.map((n) => n.id).sort());
    for (const node of withText) {
      const embedding = embeddings.find((e) => e.nodeId === node.id)!;
      expect(embedding.id).toBe(embeddingIdFor(node.id, model));
      expect(embedding.contentHash).toBe(prepareText(node.content, weaver.config.maxTextLength).hash);
    }

    // Entities and mentions: exactly what NER finds in the current texts, once each.
    const mentions = await allEdges(storage, EdgeTypes.MENTIONS);
    expect(new Set(mentions.map((e) => `${e.from} ${e.to}`)).size).toBe(mentions.length);
    const found = await ml.extractEntities(messages.map((m) => m.content));
    const kept = new Set(weaver.config.modules['entity-linker'].entityTypes);
    const expected = new Set<string>();
    messages.forEach((m, i) => {
      for (const e of found[i]!) if (kept.has(e.label) && e.score >= 0.5) expected.add(`${m.id} ${entityId(e.label, e.text.trim().replace(/\s+/gu, ' '))}`);
    });
    expect(new Set(mentions.map((e) => `${e.from} ${e.to}`))).toEqual(expected);
    const entities = nodes.filter((n) => n.type === 'Entity');
    const mentioned = new Set(mentions.map((e) => e.to));
    expect(new Set(entities.map((e) => e.id))).toEqual(mentioned); // none missing, none orphaned, none twice

    // Similarity links: one per pair, across chats only; every message with a twin elsewhere is linked.
    const similar = await allEdges(storage, EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO);
    const chatOf = new Map(nodes.map((n) => [n.id, (n as { chatId?: string }).chatId]));
    for (const edge of similar) {
      expect(edge.id).toBe(similarityEdgeEnds(edge.from, edge.to).id);
      expect(chatOf.get(edge.from)).not.toBe(chatOf.get(edge.to));
    }
    // Copies of one sentence in several chats are linked to each other. (Not every copy:
    // with more than k exact ties in reach, which k a search returns is arbitrary.)
    const { k } = weaver.config.modules['associative-linker'];
    const linked = new Set(similar.flatMap((e) => [e.from, e.to]));
    const pairs = new Set(similar.map((e) => `${e.from} ${e.to}`));
    const copies = new Map<string, Message[]>();
    for (const m of messages) if (m.content !== '') copies.set(m.content, [...(copies.get(m.content) ?? []), m]);
    for (const [text, group] of copies) {
      if (new Set(group.map((m) => m.chatId)).size < 2) continue;
      const joined = group.some((a) => group.some((b) => a.chatId !== b.chatId && pairs.has(`${a.id} ${b.id}`)));
      expect(joined, `copies of "${text}" in different chats are linked`).toBe(true);
      for (const m of group) {
        const elsewhere = group.filter((o) => o.chatId !== m.chatId).length;
        if (elsewhere <= k) expect(linked.has(m.id), `${m.id} "${text}" has ${elsewhere} twin(s) in other chats`).toBe(true);
      }
    }

    // Summaries: one per 20 messages of a chat, disjoint windows, no duplicates.
    const perChat = new Map<string, number>();
    for (const m of messages) perChat.set(m.chatId, (perChat.get(m.chatId) ?? 0) + 1);
    for (const [chatId, count] of perChat) {
      const mine = summaries.filter((s) => s.chatId === chatId);
      expect(mine.length, `summaries of ${chatId}`).toBe(Math.floor(count / 20));
      const covered = mine.flatMap((s) => s.messageIds);
      expect(new Set(covered).size).toBe(covered.length);
      expect(covered.length).toBe(mine.length * 20);
    }

    // The failing module: one dead letter per message; the cursor is at the head.
    const letters = await weaver.deadLetters.list();
    expect(letters.every((l) => l.module === FAILING_MODULE)).toBe(true);
    expect(letters.map((l) => l.target).sort()).toEqual(messages.map((m) => m.id).sort());
    expect(weaver.stats()).toMatchObject({ lag: 0, cursor: storage.lastSeq, deadLetters: messages.length });
  }, 110_000);
});
