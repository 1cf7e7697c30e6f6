import type { ChangeEvent } from '@tabagent/common';
import type { Storage } from '@tabagent/storage';
import { prefixRange, type StateOp, type StateStore } from './state-store.js';

/** What the summarizer remembers about a chat. */
export interface SummaryState {
  /** Member key of the last message covered by a summary. */
  summarizedThrough?: string;
  /** Summaries the weaver wrote for the chat. */
  summaries: string[];
}

/** What the topic modeler remembers about a chat. */
export interface TopicState {
  /** The topic the weaver last wrote (to tell it from one a user wrote). */
  topic?: string;
  /** A topic being written: set before the chat is updated, so a crash in between cannot make the weaver's topic look like a user's. */
  writing?: string;
  /** Member key of the newest message when the topic was last computed. */
  through?: string;
}

/** One message of a chat, in conversation order. */
export interface ChatMember {
  /** Orders members: timestamp, then id. */
  key: string;
  messageId: string;
}

const SEP = '\u0000';
const MEMBER = `m${SEP}`;
const REVERSE = `r${SEP}`;
const SUMMARY = `s${SEP}`;
const TOPIC = `t${SEP}`;

function orderKey(timestamp: number, messageId: string): string {
  return `${Math.max(0, Math.trunc(timestamp)).toString(16).padStart(12, '0')}${SEP}${messageId}`;
}

function memberPrefix(chatId: string): string {
  return `${MEMBER}${chatId}${SEP}`;
}

/**
 * The messages of every chat in conversation order (timestamp, then id), kept in the
 * weaver's state from the change log — so the summarizer can count "messages since the
 * last summary" and the topic modeler can read a chat's recent messages without any
 * index. Every write is a put or delete of a key derived from the message, so replaying
 * the log after a crash changes nothing.
 */
export class ChatLedger {
  readonly #state: StateStore;
  readonly #storage: Storage;

  constructor(state: StateStore, storage: Storage) {
    this.#state = state;
    this.#storage = storage;
  }

  /**
   * Records the membership changes of a stretch of the change log (message inserts,
   * moves between chats, deletes). `dropDeletedChats` also forgets deleted chats (when no
   * summarizer is there to clean up after them).
   */
  async apply(events: readonly ChangeEvent[], dropDeletedChats: boolean): Promise<void> {
    const touched = events.filter(
      (e) =>
        e.entity === 'node' &&
        e.kind === 'Message' &&
        (e.op !== 'update' || e.fields === undefined || e.fields.includes('chatId') || e.fields.includes('timestamp')),
    );
    const ops: StateOp[] = [];
    if (touched.length > 0) {
      const upserts = touched.filter((e) => e.op !== 'delete').map((e) => e.id);
      const nodes = new Map(this.#storage.getNodesSync(upserts).map((node, i) => [upserts[i]!, node]));
      // Within the stretch, later events see earlier ones' effects.
      const placed = new Map<string, string | null>();
      const placement = (id: string): string | null => (placed.has(id) ? placed.get(id)! : (this.#state.get<string>(`${REVERSE}${id}`) ?? null));
      for (const event of touched) {
        const before = placement(event.id);
        const node = event.op === 'delete' ? undefined : nodes.get(event.id);
        const after = node?.type === 'Message' ? `${node.chatId}${SEP}${orderKey(node.timestamp, node.id)}` : null;
        if (event.op !== 'delete' && node === undefined) continue; // deleted since: its delete comes later
        if (before === after) continue;
        if (before !== null) ops.push({ type: 'del', key: `${MEMBER}${before}` });
        if (after === null) ops.push({ type: 'del', key: `${REVERSE}${event.id}` });
        else ops.push({ type: 'put', key: `${MEMBER}${after}`, value: null }, { type: 'put', key: `${REVERSE}${event.id}`, value: after });
        placed.set(event.id, after);
      }
    }
    await this.#state.write(ops);
    if (dropDeletedChats) {
      for (const event of events) if (event.entity === 'node' && event.op === 'delete' && event.kind === 'Chat') await this.dropChat(event.id);
    }
  }

  /** Up to `limit` members after `afterKey` (from the start without it), oldest first. */
  async membersAfter(chatId: string, afterKey: string | undefined, limit: number): Promise<ChatMember[]> {
    const prefix = memberPrefix(chatId);
    const range = prefixRange(prefix);
    const keys = await this.#state.keys({ gte: afterKey === undefined ? range.gte : `${prefix}${afterKey}${SEP}`, lt: range.lt, limit });
    return keys.map((key) => this.#member(prefix, key)).filter((m) => m.key !== afterKey);
  }

  /** The `limit` newest members, oldest first. */
  async latestMembers(chatId: string, limit: number): Promise<ChatMember[]> {
    const prefix = memberPrefix(chatId);
    const keys = await this.#state.keys({ ...prefixRange(prefix), limit, reverse: true });
    return keys.reverse().map((key) => this.#member(prefix, key));
  }

  #member(prefix: string, key: string): ChatMember {
    const order = key.slice(prefix.length);
    return { key: order, messageId: order.slice(order.indexOf(SEP) + 1) };
  }

  summaryState(chatId: string): SummaryState {
    return this.#state.get<SummaryState>(`${SUMMARY}${chatId}`) ?? { summaries: [] };
  }

  async putSummaryState(chatId: string, state: SummaryState): Promise<void> {
    await this.#state.put(`${SUMMARY}${chatId}`, state);
  }

  topicState(chatId: string): TopicState {
    return this.#state.get<TopicState>(`${TOPIC}${chatId}`) ?? {};
  }

  async putTopicState(chatId: string, state: TopicState): Promise<void> {
    await this.#state.put(`${TOPIC}${chatId}`, state);
  }

  /** Forgets a chat: its members and its state. */
  async dropChat(chatId: string): Promise<void> {
    const keys = await this.#state.keys(prefixRange(memberPrefix(chatId)));
    const ops: StateOp[] = keys.map((key) => ({ type: 'del', key }));
    for (const key of keys) ops.push({ type: 'del', key: `${REVERSE}${key.slice(key.lastIndexOf(SEP) + 1)}` });
    ops.push({ type: 'del', key: `${SUMMARY}${chatId}` }, { type: 'del', key: `${TOPIC}${chatId}` });
    await this.#state.write(ops);
  }
}
