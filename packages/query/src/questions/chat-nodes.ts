import { DbError, ID_PREFIXES, type Chat, type Node, type NodeType } from '@tabagent/common';
import type { QueryContext } from '../query-context.js';

/** The chat itself, or `NOT_FOUND` when the id names no chat. */
export function requireChat(ctx: QueryContext, chatId: string): Chat {
  const [node] = ctx.storage.getNodesSync([chatId]);
  if (node === undefined || node.type !== 'Chat') {
    throw new DbError('NOT_FOUND', `chat ${chatId} does not exist`, { details: { field: 'chatId', id: chatId } });
  }
  return node;
}

/** Ids of the nodes whose `chatId` is this chat (optionally of one kind), via the structural index. */
export async function chatMemberIds(ctx: QueryContext, chatId: string, type?: NodeType, signal?: AbortSignal): Promise<string[]> {
  const max = ctx.limits.maxCandidates;
  const ids = await ctx.indexing.structural.lookup('chatId', { eq: chatId }, { limit: max + 1, signal });
  if (ids.length > max) {
    throw new DbError('TOO_LARGE', `chat ${chatId} has more than ${max} nodes (limits.maxCandidates)`, { details: { field: 'chatId' } });
  }
  if (type === undefined) return ids;
  const prefix = `${ID_PREFIXES[type]}_`;
  return ids.filter((id) => id.startsWith(prefix));
}

/** Reads nodes, dropping ids that no longer exist and nodes of other kinds. */
export function readNodes<T extends NodeType>(ctx: QueryContext, ids: readonly string[], type: T): Extract<Node, { type: T }>[] {
  return ctx.storage.getNodesSync(ids).filter((n): n is Extract<Node, { type: T }> => n !== undefined && n.type === type);
}
