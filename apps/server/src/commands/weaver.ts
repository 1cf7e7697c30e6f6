import type { Command } from 'commander';
import { DbError } from '@tabagent/common';
import type { TabAgent } from 'tabagent';
import { action, type CommandContext } from '../context.js';
import { fields, table } from '../output/format.js';
import { integerOption } from './search.js';

type WeaverStats = NonNullable<ReturnType<TabAgent['weaverStatus']>>;

function describeWeaver(s: WeaverStats): string {
  return [
    fields({ status: s.status, cursor: s.cursor, headSeq: s.headSeq, lag: s.lag, queueDepth: s.queueDepth, deadLetters: s.deadLetters }),
    table(
      ['module', 'on', 'processed', 'skipped', 'failed', 'pending', 'last error'],
      Object.entries(s.modules).map(([name, m]) => [name, m.enabled ? 'yes' : 'no', m.processed, m.skipped, m.failed, m.pending, m.lastError ? `${m.lastError.code}: ${m.lastError.message}` : '']),
    ),
  ].join('\n');
}

/** `tabagent weaver status`. */
export function registerWeaver(program: Command): void {
  const weaver = program.command('weaver').description('the Knowledge Weaver (background enrichment)');

  weaver
    .command('status')
    .description('lag behind the change log, queue, dead letters and per-module counts')
    .option('--wait', 'first enrich everything written so far (the counts then show that work)')
    .option('--timeout <ms>', 'longest wait with --wait', integerOption('timeout', 1), 600_000)
    .action(
      action(async (ctx) => {
        const o = ctx.command.opts<{ wait?: boolean; timeout: number }>();
        await requireWeaver(ctx);
        const stats = await ctx.withDatabase(
          async (db) => {
            if (o.wait) {
              // Nobody is chatting with a CLI: let every priority run, low included.
              db.setActivityLevel('sleep');
              await db.whenEnriched({ timeoutMs: o.timeout });
            }
            return db.weaverStatus()!;
          },
          { weaver: true },
        );
        ctx.output.result(stats, describeWeaver);
      }),
    );

  weaver
    .command('dead-letters')
    .description('work that failed every retry, with its error')
    .option('-n, --limit <n>', 'at most this many', integerOption('limit', 1), 100)
    .action(
      action(async (ctx) => {
        const { limit } = ctx.command.opts<{ limit: number }>();
        await requireWeaver(ctx);
        const letters = await ctx.withDatabase(async (db) => db.deadLetters({ limit }), { weaver: true });
        ctx.output.result(letters, (ls) =>
          ls.length === 0
            ? 'no dead letters'
            : table(
                ['id', 'attempts', 'error'],
                ls.map((l) => [l.id, l.attempts, `${l.error.code}: ${l.error.message}`]),
              ),
        );
      }),
    );

  weaver
    .command('retry')
    .description('run dead-lettered work again (all of it without ids) and wait for it')
    .argument('[ids...]', 'dead-letter ids (see `tabagent weaver dead-letters`)')
    .option('--timeout <ms>', 'longest wait', integerOption('timeout', 1), 600_000)
    .action(
      action(async (ctx, ids: string[]) => {
        const { timeout } = ctx.command.opts<{ timeout: number }>();
        await requireWeaver(ctx);
        const result = await ctx.withDatabase(
          async (db) => {
            db.setActivityLevel('sleep');
            const queued = await db.retryDeadLetters(ids.length > 0 ? ids : undefined);
            await db.whenEnriched({ timeoutMs: timeout });
            return { queued, deadLetters: db.weaverStatus()!.deadLetters };
          },
          { weaver: true },
        );
        ctx.output.result(result, (r) => `retried ${r.queued}; ${r.deadLetters} dead letter${r.deadLetters === 1 ? '' : 's'} left`);
      }),
    );

  weaver
    .command('purge')
    .description('delete dead letters (all of them without ids)')
    .argument('[ids...]', 'dead-letter ids')
    .action(
      action(async (ctx, ids: string[]) => {
        await requireWeaver(ctx);
        const purged = await ctx.withDatabase(async (db) => db.purgeDeadLetters(ids.length > 0 ? ids : undefined), { weaver: true });
        ctx.output.result({ purged }, (r) => `purged ${r.purged} dead letter${r.purged === 1 ? '' : 's'}`);
      }),
    );
}

async function requireWeaver(ctx: CommandContext): Promise<void> {
  if (!(await ctx.config()).weaver) throw new DbError('UNSUPPORTED', 'the weaver is turned off (--no-weaver, TABAGENT_WEAVER or "weaver": false)');
}
