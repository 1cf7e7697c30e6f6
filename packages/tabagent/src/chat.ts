import { type Chat as ChatNode, type Message, type MessageRole, type NodePatch, type Summary } from '@tabagent/common';
import type { ChatDigest, ChatMessagesOptions, Page, RelatedChat, RelatedChatsOptions } from '@tabagent/query';
import type { TabAgent } from './tabagent.js';

/** What {@link Chat.addMessage} takes. */
export interface AddMessageInput {
  /** Who wrote it (a user name, an assistant id); default: the role. */
  sender?: string;
  /** `user` (default), `assistant`, `system` or `tool`. */
  role?: MessageRole;
  content: string;
  /** When it was written (ms since the epoch); default now. */
  timestamp?: number;
  /** The message this one answers. */
  replyToId?: string;
  /** Nodes attached to it (files, scraped pages, bookmarks). */
  attachmentIds?: string[];
  tags?: string[];
  metadata?: Record<string, unknown>;
}

/**
 * A chat as an active record: its node plus the everyday operations on it. Get one
 * from `db.createChat()` or `db.chat(id)`; the node is a snapshot, `refresh()` reloads it.
 *
 * @example
 * const chat = await db.createChat({ title: 'Trip planning' });
 * await chat.addMessage({ sender: 'alice', role: 'user', content: 'Paris in May?' });
 * const { items } = await chat.messages();
 */
export class Chat {
  readonly #db: TabAgent;
  #node: ChatNode;

  constructor(db: TabAgent, node: ChatNode) {
    this.#db = db;
    this.#node = node;
  }

  get id(): string {
    return this.#node.id;
  }

  get title(): string {
    return this.#node.title;
  }

  /** The topic the weaver keeps current (undefined until it has one). */
  get topic(): string | undefined {
    return this.#node.topic;
  }

  /** The chat node as last read. */
  get node(): ChatNode {
    return this.#node;
  }

  /** Appends a message; the weaver enriches it in the background. */
  addMessage(input: AddMessageInput): Promise<Message> {
    return this.#db.addMessage(this.id, input);
  }

  /** Messages in conversation order, paged (default 50 per page). */
  messages(options: ChatMessagesOptions = {}): Promise<Page<Message>> {
    return this.#db.chatMessages(this.id, options);
  }

  /** Summaries of this chat, newest first (at most `limit`, default 100). */
  summaries(options: { limit?: number } = {}): Promise<Summary[]> {
    return this.#db.chatSummaries(this.id, options);
  }

  /** Chats related through shared entities and similarity edges, best first. */
  related(options: RelatedChatsOptions = {}): Promise<RelatedChat[]> {
    return this.#db.relatedChats(this.id, options);
  }

  /** Latest summary and topic. */
  digest(): Promise<ChatDigest> {
    return this.#db.chatDigest(this.id);
  }

  /** Changes fields of the chat (a partial patch; `null` removes an optional field). */
  async update(patch: NodePatch<'Chat'>): Promise<this> {
    this.#node = (await this.#db.updateNode(this.id, patch)) as ChatNode;
    return this;
  }

  /** Reloads the node (to see a topic the weaver set). */
  async refresh(): Promise<this> {
    this.#node = (await this.#db.getNode(this.id)) as ChatNode;
    return this;
  }

  /** Deletes the chat node with its edges and embeddings (its messages stay unless deleted too). */
  async delete(): Promise<void> {
    await this.#db.deleteNode(this.id);
  }
}
