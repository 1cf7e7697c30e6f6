import type { Node } from '@tabagent/common';

/** The chat a node is a turn of: messages with a chat, nothing else. */
export function turnChat(node: Node | undefined): string | undefined {
  return node?.type === 'Message' && typeof node.chatId === 'string' ? node.chatId : undefined;
}

/**
 * The messages of each chat in conversation order (by id: ids are time-ordered), so a
 * turn's neighbours can be found without reading records. In memory, kept by the keyword
 * index from its `c␀chatId␀nodeId` entries and live commits.
 */
export class ConversationOrder {
  readonly #chats = new Map<string, string[]>();
  readonly #chatOf = new Map<string, string>();

  add(chatId: string, nodeId: string): void {
    if (this.#chatOf.get(nodeId) === chatId) return;
    this.remove(nodeId);
    this.#chatOf.set(nodeId, chatId);
    let turns = this.#chats.get(chatId);
    if (turns === undefined) this.#chats.set(chatId, (turns = []));
    // Appends are the common case (new messages come last).
    if (turns.length === 0 || turns[turns.length - 1]! < nodeId) turns.push(nodeId);
    else turns.splice(lowerBound(turns, nodeId), 0, nodeId);
  }

  remove(nodeId: string): void {
    const chatId = this.#chatOf.get(nodeId);
    if (chatId === undefined) return;
    this.#chatOf.delete(nodeId);
    const turns = this.#chats.get(chatId)!;
    const at = lowerBound(turns, nodeId);
    if (turns[at] === nodeId) turns.splice(at, 1);
    if (turns.length === 0) this.#chats.delete(chatId);
  }

  /** The turns up to `window` before and after a message in its chat (none for other nodes). */
  neighbours(nodeId: string, window: number): string[] {
    const chatId = this.#chatOf.get(nodeId);
    if (chatId === undefined) return [];
    const turns = this.#chats.get(chatId)!;
    const at = lowerBound(turns, nodeId);
    const out: string[] = [];
    for (let i = Math.max(0, at - window); i <= Math.min(turns.length - 1, at + window); i++) if (i !== at) out.push(turns[i]!);
    return out;
  }
}

function lowerBound(sorted: readonly string[], value: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
