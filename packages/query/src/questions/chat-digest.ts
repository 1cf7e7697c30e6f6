import type { Chat, Summary } from '@tabagent/common';
import type { QueryContext } from '../query-context.js';
import { compareIds } from '../util/compare.js';
import { chatMemberIds, readNodes, requireChat } from './chat-nodes.js';
import { requireId } from './page.js';

/** What a chat is about, at a glance. */
export interface ChatDigest {
  chat: Chat;
  /** The chat's current topic (kept up to date by the weaver), if any. */
  topic: string | undefined;
  /** The most recent summary: latest `toTimestamp` (else `createdAt`), then id. */
  summary: Summary | undefined;
}

/** The latest summary and the topic of a chat. `NOT_FOUND` when the chat does not exist. */
export async function chatDigest(ctx: QueryContext, chatId: string, options: { signal?: AbortSignal } = {}): Promise<ChatDigest> {
  requireId(chatId, 'chatId');
  const chat = requireChat(ctx, chatId);
  const summaries = readNodes(ctx, await chatMemberIds(ctx, chatId, 'Summary', options.signal), 'Summary');
  let latest: Summary | undefined;
  for (const summary of summaries) {
    if (latest === undefined) {
      latest = summary;
      continue;
    }
    const a = summary.toTimestamp ?? summary.createdAt;
    const b = latest.toTimestamp ?? latest.createdAt;
    if (a > b || (a === b && compareIds(summary.id, latest.id) > 0)) latest = summary;
  }
  return { chat, topic: chat.topic, summary: latest };
}
