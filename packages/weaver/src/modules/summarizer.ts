import { EdgeTypes, deterministicEdgeId, stableDigest, type ChangeEvent, type Message } from '@tabagent/common';
import type { SummarizerConfig } from '../config/weaver-config.js';
import type { ChatMember } from '../state/chat-ledger.js';
import { DERIVED_BY, type ModuleServices } from './module-services.js';
import type { ModuleRunContext, WeaverModule, WorkItem, WorkTarget } from './weaver-module.js';

/** Chats of one batch summarised at the same time. */
const CHATS_AT_ONCE = 4;

/** The id of the summary of one window of a chat: the same window always gives the same summary id. */
export function summaryIdFor(chatId: string, first: ChatMember, last: ChatMember): string {
  return `sum_${stableDigest('summary', chatId, first.key, last.key)}`;
}

/**
 * `summarizer`: each time a chat has gained `everyMessages` messages since its last
 * summary, those messages are summarised (ML `summarize`) into a Summary node with
 * `SUMMARIZES` edges to the chat and to every message it covers. Summaries are embedded
 * like any text (their insert is a change like any other). Deleting a chat deletes the
 * summaries the weaver wrote for it.
 */
export class Summarizer implements WeaverModule {
  readonly name = 'summarizer';
  readonly settings: SummarizerConfig;
  readonly #services: ModuleServices;

  constructor(settings: SummarizerConfig, services: ModuleServices) {
    this.settings = settings;
    this.#services = services;
  }

  route(change: ChangeEvent): WorkTarget | undefined {
    if (change.entity !== 'node') return undefined;
    if (change.kind === 'Message' && change.op === 'insert' && change.chatId !== undefined) return { action: 'count', target: change.chatId };
    if (change.kind === 'Chat' && change.op === 'delete') return { action: 'purge', target: change.id };
    return undefined;
  }

  async process(items: readonly WorkItem[], ctx: ModuleRunContext): Promise<void> {
    // Chats are independent: several summaries are in the model at once (each chat's own
    // windows stay in order).
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let item = items[next++]; item !== undefined; item = items[next++]) {
        if (item.action === 'purge') await this.#purge(item, ctx);
        else await this.#summarize(item, ctx);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHATS_AT_ONCE, items.length) }, worker));
  }

  async #summarize(item: WorkItem, ctx: ModuleRunContext): Promise<void> {
    const { storage, ledger, ml } = this.#services;
    const chatId = item.target;
    let written = 0;
    for (;;) {
      await ctx.breathe();
      const [chat] = storage.getNodesSync([chatId]);
      if (chat?.type !== 'Chat') break;
      const state = ledger.summaryState(chatId);
      const window = await ledger.membersAfter(chatId, state.summarizedThrough, this.settings.everyMessages);
      if (window.length < this.settings.everyMessages) break;
      const first = window[0]!;
      const last = window[window.length - 1]!;
      const messages = storage.getNodesSync(window.map((m) => m.messageId)).filter((m): m is Message => m?.type === 'Message');
      const texts = messages.map((m) => m.content).filter((t) => t.trim() !== '');
      const content = texts.length === 0 ? '' : (await ml.summarize(texts, this.settings.maxLength, ctx.signal)).trim();
      const summaryId = summaryIdFor(chatId, first, last);
      if (content !== '' && messages.length > 0) {
        const batch = storage.batch();
        const timestamps = messages.map((m) => m.timestamp);
        batch.insertNode(
          {
            id: summaryId,
            type: 'Summary',
            chatId,
            content,
            messageIds: messages.map((m) => m.id),
            fromTimestamp: Math.min(...timestamps),
            toTimestamp: Math.max(...timestamps),
            model: ml.info().summarizer.model,
            metadata: { source: DERIVED_BY },
          },
          { ifExists: 'ignore' },
        );
        for (const target of [chatId, ...messages.map((m) => m.id)]) {
          batch.insertEdge(
            { id: deterministicEdgeId(summaryId, EdgeTypes.SUMMARIZES, target), from: summaryId, to: target, type: EdgeTypes.SUMMARIZES, metadata: { source: DERIVED_BY } },
            { ifExists: 'ignore' },
          );
        }
        await ctx.commit(batch);
        written++;
        ctx.enriched(item, { nodeId: summaryId, kind: 'Summary', chatId, messages: messages.length });
      }
      // The window is covered (even when it had no text to summarise): the next one starts after it.
      await ledger.putSummaryState(chatId, {
        ...state,
        summarizedThrough: last.key,
        summaries: content === '' || state.summaries.includes(summaryId) ? state.summaries : [...state.summaries, summaryId],
      });
    }
    if (written === 0) ctx.skipped(item);
  }

  async #purge(item: WorkItem, ctx: ModuleRunContext): Promise<void> {
    const { storage, ledger } = this.#services;
    const { summaries } = ledger.summaryState(item.target);
    const present = storage.getNodesSync(summaries).filter((n) => n?.type === 'Summary');
    if (present.length > 0) {
      const batch = storage.batch();
      for (const summary of present) batch.deleteNode(summary!.id);
      await ctx.commit(batch);
    }
    await ledger.dropChat(item.target);
    if (present.length === 0) ctx.skipped(item);
  }
}
