import type { Command } from 'commander';
import { DbError, normaliseLabel, type Entity, type Node } from '@tabagent/common';
import type { TabAgent } from 'tabagent';
import type { FieldFilters } from '@tabagent/query';
import { action } from '../context.js';
import { nodeLabel, oneLine, table } from '../output/format.js';
import { integerOption } from './search.js';

/** The nodes with these ids that exist, by id (for labels beside ids). */
export async function nodesById(db: TabAgent, ids: readonly string[]): Promise<Map<string, Node>> {
  const unique = [...new Set(ids)];
  const nodes = await db.getNodes(unique);
  return new Map(nodes.filter((n): n is Node => n !== undefined).map((n) => [n.id, n]));
}

/** `2026-01-02 03:04` (UTC): short enough for a table column. */
function when(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** "3 of 120 (next: --offset 3)": where a page sits in its list. */
function pageFooter(shown: number, total: number, nextOffset: number | undefined): string {
  return `(${shown} of ${total}${nextOffset === undefined ? '' : `; next page: --offset ${nextOffset}`})`;
}

function pageOptions(command: Command, defaultLimit: number): Command {
  return command
    .option('-n, --limit <n>', 'items per page', integerOption('limit', 1), defaultLimit)
    .option('--offset <n>', 'items to skip', integerOption('offset'), 0);
}

/** `tabagent chats`, `messages <chat>`, `summaries <chat>`, `entities`: everyday reads of what is stored. */
export function registerBrowse(program: Command): void {
  pageOptions(program.command('chats').description('chats, newest first'), 20).action(
    action(async (ctx) => {
      const { limit, offset } = ctx.command.opts<{ limit: number; offset: number }>();
      const page = await ctx.withDatabase(async (db) => {
        const chats = await db.chats({ limit, offset });
        return { items: chats.items.map((c) => c.node), total: chats.total, nextOffset: chats.nextOffset };
      });
      ctx.output.result(page, (p) =>
        p.items.length === 0
          ? 'no chats'
          : [table(['id', 'created', 'title', 'topic'], p.items.map((c) => [c.id, when(c.createdAt), oneLine(c.title, 40), oneLine(c.topic ?? '', 30)])), pageFooter(p.items.length, p.total, p.nextOffset)].join('\n'),
      );
    }),
  );

  pageOptions(program.command('messages').description("a chat's messages in conversation order").argument('<chat>', 'chat id'), 50)
    .option('--newest', 'newest first (default: oldest first)')
    .action(
      action(async (ctx, chatId: string) => {
        const { limit, offset, newest } = ctx.command.opts<{ limit: number; offset: number; newest?: boolean }>();
        const page = await ctx.withDatabase((db) => db.chatMessages(chatId, { limit, offset, order: newest ? 'desc' : 'asc' }));
        ctx.output.result(page, (p) =>
          p.items.length === 0
            ? 'no messages'
            : [...p.items.map((m) => `${when(m.timestamp)}  ${m.id}  ${m.sender} (${m.role}): ${oneLine(m.content, 100)}`), pageFooter(p.items.length, p.total, p.nextOffset)].join('\n'),
        );
      }),
    );

  program
    .command('summaries')
    .description("a chat's summaries, newest first")
    .argument('<chat>', 'chat id')
    .option('-n, --limit <n>', 'summaries to show', integerOption('limit', 1), 20)
    .action(
      action(async (ctx, chatId: string) => {
        const { limit } = ctx.command.opts<{ limit: number }>();
        const summaries = await ctx.withDatabase(async (db) => {
          await db.chat(chatId);
          return db.chatSummaries(chatId, { limit });
        });
        ctx.output.result(summaries, (list) => (list.length === 0 ? 'no summaries' : list.map((s) => `${s.id}  ${when(s.createdAt)}\n  ${oneLine(s.content, 300)}`).join('\n')));
      }),
    );

  pageOptions(program.command('entities').description('entities the weaver found or you added, newest first'), 30)
    .option('--type <type>', 'only this entity type (PERSON, LOCATION, ORG, …)', (v: string) => v.trim().toUpperCase())
    .option('--label <text>', 'only labels or aliases starting with this text (case and accents ignored)')
    .option('--mentions', 'count the nodes mentioning each entity')
    .action(
      action(async (ctx) => {
        const o = ctx.command.opts<{ limit: number; offset: number; type?: string; label?: string; mentions?: boolean }>();
        const filters: FieldFilters = {};
        if (o.type !== undefined) filters.entityType = { eq: o.type };
        if (o.label !== undefined) {
          const label = normaliseLabel(o.label);
          if (label === '') throw new DbError('INVALID_ARGUMENT', '--label: expected some text', { details: { field: 'label' } });
          filters.label = { prefix: label };
        }
        const rows = await ctx.withDatabase(async (db) => {
          const result = await db.query({ types: ['Entity'], filters, orderBy: { field: 'createdAt', direction: 'desc' }, limit: o.limit, offset: o.offset });
          const entities = result.hits.map((h) => h.node as Entity);
          const mentions = o.mentions ? await Promise.all(entities.map(async (e) => (await db.nodesMentioning(e.id, { limit: 1 })).total)) : [];
          return { items: entities.map((e, i) => ({ ...e, ...(o.mentions ? { mentions: mentions[i] } : {}) })), total: result.total ?? entities.length };
        });
        ctx.output.result(rows, (r) =>
          r.items.length === 0
            ? 'no entities'
            : [
                table(['id', 'entity', 'aliases', ...(o.mentions ? ['mentions'] : [])], r.items.map((e) => [e.id, nodeLabel(e, 40), oneLine(e.aliases.join(', '), 30), ...(o.mentions ? [e.mentions ?? 0] : [])])),
                pageFooter(r.items.length, r.total, o.offset + r.items.length < r.total ? o.offset + r.items.length : undefined),
              ].join('\n'),
        );
      }),
    );
}
