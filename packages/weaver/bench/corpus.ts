// The benchmark corpus: real human–human chats (Topical-Chat, test_freq split: 539
// conversations, 11,760 turns) from ../shared/data, as chats and messages in
// conversation order. A seeded synthetic fallback keeps the bench runnable elsewhere.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED_DATA } from '../../../tools/shared-data.js';

export interface CorpusChat {
  title: string;
  turns: { sender: string; text: string }[];
}

const TOPICAL_CHAT = join(SHARED_DATA, 'dialogue-topical-chat/test_freq.json');

export function loadCorpus(): { chats: CorpusChat[]; source: string } {
  if (existsSync(TOPICAL_CHAT)) {
    const data = JSON.parse(readFileSync(TOPICAL_CHAT, 'utf8')) as Record<string, { content: { message: string; agent: string }[] }>;
    const chats = Object.entries(data).map(([id, chat]) => ({
      title: `Topical-Chat ${id.slice(0, 8)}`,
      turns: chat.content.map((turn) => ({ sender: turn.agent, text: turn.message })),
    }));
    return { chats, source: 'Topical-Chat test_freq' };
  }
  const words = 'paris train museum coffee budget flight hotel dinner berlin lyon music film book project deadline review team report'.split(' ');
  let seed = 7;
  const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const chats = Array.from({ length: 600 }, (_, c) => ({
    title: `synthetic ${c}`,
    turns: Array.from({ length: 20 }, (_, t) => ({
      sender: t % 2 === 0 ? 'agent_1' : 'agent_2',
      text: Array.from({ length: 8 + Math.floor(random() * 20) }, () => words[Math.floor(random() * words.length)]).join(' '),
    })),
  }));
  return { chats, source: 'synthetic (Topical-Chat not found)' };
}

/** Messages of the corpus in order, `count` of them, with the chat each belongs to. */
export function takeMessages(chats: readonly CorpusChat[], count: number, from = 0): { chat: number; sender: string; text: string }[] {
  const all = chats.flatMap((chat, i) => chat.turns.map((turn) => ({ chat: i, ...turn })));
  const out: { chat: number; sender: string; text: string }[] = [];
  for (let i = 0; out.length < count; i++) out.push(all[(from + i) % all.length]!);
  return out;
}
