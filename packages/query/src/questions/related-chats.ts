import { abortChecker, type Chat, chatIdOf, EdgeTypes, nodeTypeOfId, throwIfAborted } from '@tabagent/common';
import type { QueryContext } from '../query-context.js';
import { compareIds } from '../util/compare.js';
import { chatMemberIds, requireChat } from './chat-nodes.js';
import { requireId } from './page.js';

export interface RelatedChatsOptions {
  /** How many chats to return (default 10). */
  limit?: number;
  /**
   * Entities mentioned by more nodes than this are skipped as too generic to relate
   * chats (and too costly to follow). Default 2,000.
   */
  maxEntityMentions?: number;
  /** Weight of one similarity edge's score (its weight, else 1) against shared entities. Default 1. */
  similarityWeight?: number;
  signal?: AbortSignal;
}

/** A chat related to another, with the evidence. */
export interface RelatedChat {
  chat: Chat;
  /** Σ over shared entities of 1 / log2(1 + chats mentioning it) + Σ similarity edge weights × similarityWeight. */
  score: number;
  /** Ids of the entities both chats mention. */
  sharedEntities: string[];
  /** Similarity edges between the two chats' nodes. */
  similarityLinks: number;
}

/**
 * Chats related to a chat through the entities they share (rarer entities count more)
 * and the similarity edges between their nodes, best first, ties by chat id.
 * `NOT_FOUND` when the chat does not exist.
 */
export async function relatedChats(ctx: QueryContext, chatId: string, options: RelatedChatsOptions = {}): Promise<RelatedChat[]> {
  requireId(chatId, 'chatId');
  requireChat(ctx, chatId);
  const { signal } = options;
  const limit = options.limit ?? 10;
  const maxMentions = options.maxEntityMentions ?? 2_000;
  const similarityWeight = options.similarityWeight ?? 1;
  const members = [chatId, ...(await chatMemberIds(ctx, chatId, undefined, signal))];
  const memberSet = new Set(members);
  const check = abortChecker(signal, 64);

  const chatOfCache = new Map<string, string | undefined>();
  const chatOf = (nodeId: string): string | undefined => {
    if (nodeTypeOfId(nodeId) === 'Chat') return nodeId;
    if (!chatOfCache.has(nodeId)) {
      const [node] = ctx.storage.getNodesSync([nodeId]);
      chatOfCache.set(nodeId, node === undefined ? undefined : chatIdOf(node));
    }
    return chatOfCache.get(nodeId);
  };

  const evidence = new Map<string, { score: number; entities: string[]; links: number }>();
  const credit = (other: string): { score: number; entities: string[]; links: number } => {
    let entry = evidence.get(other);
    if (entry === undefined) evidence.set(other, (entry = { score: 0, entities: [], links: 0 }));
    return entry;
  };

  // Entities this chat mentions, then the other chats mentioning each of them.
  const entities = new Set<string>();
  const similar: { nodeId: string; weight: number }[] = [];
  for (const member of members) {
    check();
    for (const n of await ctx.graph.neighbors(member, { direction: 'out', edgeTypes: [EdgeTypes.MENTIONS] })) entities.add(n.nodeId);
    for (const n of await ctx.graph.neighbors(member, { direction: 'both', edgeTypes: [EdgeTypes.IS_SEMANTICALLY_SIMILAR_TO] })) {
      if (!memberSet.has(n.nodeId)) similar.push({ nodeId: n.nodeId, weight: n.weight ?? 1 });
    }
  }
  for (const entity of [...entities].sort()) {
    throwIfAborted(signal);
    const mentioning = await ctx.graph.neighbors(entity, { direction: 'in', edgeTypes: [EdgeTypes.MENTIONS] });
    if (mentioning.length > maxMentions) continue;
    const chats = new Set<string>();
    for (const n of mentioning) {
      check();
      const other = chatOf(n.nodeId);
      if (other !== undefined) chats.add(other);
    }
    const weight = 1 / Math.log2(1 + chats.size);
    for (const other of chats) {
      if (other === chatId) continue;
      const entry = credit(other);
      entry.score += weight;
      entry.entities.push(entity);
    }
  }
  for (const { nodeId, weight } of similar) {
    check();
    const other = chatOf(nodeId);
    if (other === undefined || other === chatId) continue;
    const entry = credit(other);
    entry.score += weight * similarityWeight;
    entry.links++;
  }

  const ranked = [...evidence].sort((a, b) => b[1].score - a[1].score || compareIds(a[0], b[0])).slice(0, Math.max(0, limit));
  const chats = ctx.storage.getNodesSync(ranked.map(([id]) => id));
  const result: RelatedChat[] = [];
  ranked.forEach(([, entry], i) => {
    const chat = chats[i];
    if (chat?.type === 'Chat') result.push({ chat, score: entry.score, sharedEntities: entry.entities, similarityLinks: entry.links });
  });
  return result;
}
