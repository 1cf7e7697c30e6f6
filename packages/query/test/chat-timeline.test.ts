import { describe, expect, it } from 'vitest';
import type { Message } from '@tabagent/common';
import { seededRandom } from '@tabagent/common/testing';
import { openDb } from './helpers.js';

/** The order chat pages promise: timestamp, then id. */
function conversationOrder(a: Message, b: Message): number {
  return a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

describe('chat pages from the (chat, time) order', () => {
  it('match a full sort of the chat through inserts, timestamp edits, moves between chats and deletes', async () => {
    const { storage, indexing, engine } = await openDb();
    const random = seededRandom(17);
    const [a, b] = await storage.insertNodes([
      { type: 'Chat', title: 'a' },
      { type: 'Chat', title: 'b' },
    ]);
    const chats = [a!.id, b!.id];
    // Few distinct timestamps, so ties (broken by id) are common.
    const messages = await storage.insertNodes(
      Array.from({ length: 300 }, (_, i) => ({ type: 'Message' as const, chatId: chats[i % 2]!, sender: 'me', role: 'user' as const, content: `m${i}`, timestamp: Math.floor(random() * 40) })),
    );
    const ids = messages.map((m) => m.id);
    for (let i = 0; i < 60; i++) {
      const id = ids[Math.floor(random() * ids.length)]!;
      const roll = random();
      if (roll < 0.4) await storage.updateNode(id, { timestamp: Math.floor(random() * 40) });
      else if (roll < 0.7) await storage.updateNode(id, { chatId: chats[Math.floor(random() * 2)]! });
      else {
        await storage.deleteNode(id);
        ids.splice(ids.indexOf(id), 1);
      }
    }
    const stored = (await storage.getNodes(ids)) as Message[];
    for (const chatId of chats) {
      const expected = stored.filter((m) => m.chatId === chatId).sort(conversationOrder).map((m) => m.id);
      for (const order of ['asc', 'desc'] as const) {
        const want = order === 'asc' ? expected : [...expected].reverse();
        const seen: string[] = [];
        let offset: number | undefined = 0;
        while (offset !== undefined) {
          const page = await engine.chatMessages(chatId, { order, limit: 7, offset });
          expect(page.total).toBe(expected.length);
          seen.push(...page.items.map((m) => m.id));
          offset = page.nextOffset;
        }
        expect(seen).toEqual(want);
      }
      // Answered from the order itself, not by the fallback that sorts the whole chat.
      const timeline = await indexing.structural.chatTimeline(chatId, { offset: 0, limit: 1_000 });
      expect(timeline).toEqual({ ids: expected, total: expected.length, complete: true });
    }
  });
});
