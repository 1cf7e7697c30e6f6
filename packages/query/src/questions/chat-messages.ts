import { throwIfAborted } from '@tabagent/common';
import type { Message } from '@tabagent/common';
import type { QueryContext } from '../query-context.js';
import { compareIds } from '../util/compare.js';
import { chatMemberIds, readNodes, requireChat } from './chat-nodes.js';
import { pageBounds, requireId, toPage, type Page, type PageOptions } from './page.js';

export interface ChatMessagesOptions extends PageOptions {
  /** `asc` (default): oldest first; `desc`: newest first. By `timestamp`, ties by id. */
  order?: 'asc' | 'desc';
}

/**
 * The messages of a chat in conversation order (by `timestamp`, then id), paged.
 * `NOT_FOUND` when the chat does not exist.
 */
export async function chatMessages(ctx: QueryContext, chatId: string, options: ChatMessagesOptions = {}): Promise<Page<Message>> {
  requireId(chatId, 'chatId');
  const { limit, offset } = pageBounds(options, ctx.limits.maxLimit);
  requireChat(ctx, chatId);
  const timeline = await ctx.indexing.structural.chatTimeline(chatId, { offset, limit, reverse: options.order === 'desc', signal: options.signal });
  if (timeline.complete) {
    const page: Page<Message> = { items: readNodes(ctx, timeline.ids, 'Message'), total: timeline.total };
    if (offset + limit < timeline.total) page.nextOffset = offset + limit;
    return page;
  }
  // Indexed before the (chat, time) order existed: read the whole chat and sort it.
  const ids = await chatMemberIds(ctx, chatId, 'Message', options.signal);
  throwIfAborted(options.signal);
  const sign = options.order === 'desc' ? -1 : 1;
  const messages = readNodes(ctx, ids, 'Message').sort((a, b) => sign * (a.timestamp - b.timestamp || compareIds(a.id, b.id)));
  return toPage(messages, limit, offset);
}
