import { EdgeTypes, normaliseLabel, type ChangeEvent, type Entity, type Message } from '@tabagent/common';
import type { TopicModelerConfig } from '../config/weaver-config.js';
import { salientKeywords, wordProbabilities } from '../text/keywords.js';
import { changesText } from '../text/text-fields.js';
import type { ModuleServices } from './module-services.js';
import type { ModuleRunContext, WeaverModule, WorkItem, WorkTarget } from './weaver-module.js';

/** Messages whose mentioned entities the modeler keeps in memory (bounded). */
const MENTION_CACHE_SIZE = 50_000;

/** Entities are ranked by the messages mentioning them; these kinds name what a chat is about best. */
const TOPICAL = new Set(['PERSON', 'ORG', 'LOCATION', 'PRODUCT', 'EVENT', 'WORK_OF_ART']);

/**
 * Composes a topic: the most salient entity labels (mentioned by the most messages,
 * topical kinds first), then the most salient keywords not already part of them.
 */
export function composeTopic(entities: readonly { label: string; messages: number; topical: boolean }[], keywords: readonly string[], maxEntities: number, maxKeywords: number): string {
  const chosen = [...entities]
    .sort((a, b) => Number(b.topical) - Number(a.topical) || b.messages - a.messages || (a.label < b.label ? -1 : 1))
    .slice(0, maxEntities)
    .map((e) => e.label);
  const inLabels = new Set(chosen.flatMap((label) => normaliseLabel(label).split(' ')));
  const words = keywords.filter((k) => !inLabels.has(k)).slice(0, maxKeywords);
  return [...chosen, ...words].join(', ');
}

/**
 * `topic-modeler`: keeps `Chat.topic` current from the chat's most salient entities
 * (through the MENTIONS edges of its recent messages) and keywords. A chat without a
 * topic gets one with its first message; after that it is recomputed every
 * `everyMessages` messages and after deletions. It runs after the entity linker has
 * finished the same change, and leaves a topic alone that a user wrote.
 */
export class TopicModeler implements WeaverModule {
  readonly name = 'topic-modeler';
  readonly after = ['entity-linker'] as const;
  readonly settings: TopicModelerConfig;
  readonly #services: ModuleServices;
  /** Entities each recent message mentions, so a chat's next topic does not re-read every message's edges. */
  readonly #mentions = new Map<string, string[]>();

  constructor(settings: TopicModelerConfig, services: ModuleServices) {
    this.settings = settings;
    this.#services = services;
    // Start reading the word list now, not when the first chat needs a topic.
    if (settings.enabled && settings.maxKeywords > 0) void wordProbabilities().catch(() => undefined);
  }

  route(change: ChangeEvent): WorkTarget | undefined {
    // What a message mentions changes with its MENTIONS edges (and its text): forget it.
    if (change.entity === 'edge' && change.kind === EdgeTypes.MENTIONS && change.from !== undefined) this.#mentions.delete(change.from);
    if (change.entity === 'node' && change.op !== 'insert') this.#mentions.delete(change.id);
    if (change.entity !== 'node' || change.kind !== 'Message' || change.chatId === undefined) return undefined;
    if (change.op === 'delete' || changesText(change)) return { action: change.op === 'delete' ? 'retopic' : 'topic', target: change.chatId };
    return undefined;
  }

  async #mentioned(messageId: string): Promise<string[]> {
    let entities = this.#mentions.get(messageId);
    if (entities === undefined) {
      const edges = await this.#services.storage.edgesOf(messageId);
      entities = [...new Set(edges.filter((e) => e.type === EdgeTypes.MENTIONS && e.from === messageId).map((e) => e.to))];
      if (this.#mentions.size >= MENTION_CACHE_SIZE) this.#mentions.clear();
      this.#mentions.set(messageId, entities);
    }
    return entities;
  }

  async process(items: readonly WorkItem[], ctx: ModuleRunContext): Promise<void> {
    for (const item of items) {
      await ctx.breathe();
      await this.#topic(item, ctx);
    }
  }

  async #topic(item: WorkItem, ctx: ModuleRunContext): Promise<void> {
    const { storage, ledger } = this.#services;
    const [chat] = storage.getNodesSync([item.target]);
    if (chat?.type !== 'Chat') {
      ctx.skipped(item);
      return;
    }
    const state = ledger.topicState(chat.id);
    if (this.settings.respectUserTopic && chat.topic !== undefined && chat.topic !== state.topic && chat.topic !== state.writing) {
      ctx.skipped(item); // someone else wrote it
      return;
    }
    const members = await ledger.latestMembers(chat.id, this.settings.window);
    const newest = members[members.length - 1]?.key;
    if (item.action === 'topic' && chat.topic !== undefined) {
      const since = await ledger.membersAfter(chat.id, state.through, this.settings.everyMessages);
      if (since.length < this.settings.everyMessages) {
        ctx.skipped(item);
        return;
      }
    }
    const messages = storage.getNodesSync(members.map((m) => m.messageId)).filter((m): m is Message => m?.type === 'Message');
    const mentionedBy = new Map<string, number>();
    for (const message of messages) {
      await ctx.breathe();
      for (const id of await this.#mentioned(message.id)) mentionedBy.set(id, (mentionedBy.get(id) ?? 0) + 1);
    }
    const entityIds = [...mentionedBy.keys()];
    const entities = storage
      .getNodesSync(entityIds)
      .filter((e): e is Entity => e?.type === 'Entity')
      .map((e) => ({ label: e.label, messages: mentionedBy.get(e.id) ?? 0, topical: TOPICAL.has(e.entityType) }));
    const keywords = salientKeywords(
      messages.map((m) => m.content),
      this.settings.maxKeywords + this.settings.maxEntities,
      await wordProbabilities(),
    ).map((k) => k.word);
    const topic = composeTopic(entities, keywords, this.settings.maxEntities, this.settings.maxKeywords).slice(0, 2_000);
    const through = newest === undefined ? {} : { through: newest };
    if (topic !== '' && topic !== chat.topic) {
      await ledger.putTopicState(chat.id, { ...state, writing: topic });
      await ctx.commit(storage.batch().updateNode(chat.id, { topic }));
      await ledger.putTopicState(chat.id, { topic, ...through });
      ctx.enriched(item, { nodeId: chat.id, kind: 'Chat', chatId: chat.id, topic });
      return;
    }
    ctx.skipped(item);
    await ledger.putTopicState(chat.id, { ...(chat.topic === undefined ? {} : { topic: chat.topic }), ...through });
  }
}
