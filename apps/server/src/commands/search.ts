import { Option, type Command } from 'commander';
import { DbError, isNodeType, type NodeType } from '@tabagent/common';
import type { SearchOptions } from 'tabagent';
import { action } from '../context.js';
import { formatHits } from './hits.js';
import { vectorsLoaded } from './vectors-loaded.js';

/** Parses `--limit`-style integer flags. */
export function integerOption(name: string, min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new DbError('INVALID_ARGUMENT', `--${name}: expected an integer ≥ ${min}, got ${value}`, { details: { field: name } });
    return n;
  };
}

function typesOption(value: string): NodeType[] {
  const types = value.split(',').map((t) => t.trim());
  const unknown = types.filter((t) => !isNodeType(t));
  if (unknown.length > 0) throw new DbError('INVALID_ARGUMENT', `--types: unknown node kind ${unknown.join(', ')}`, { details: { field: 'types' } });
  return types as NodeType[];
}

/** `tabagent search "text"`: hybrid keyword + semantic search. */
export function registerSearch(program: Command): void {
  program
    .command('search')
    .description('search by keyword and meaning at once (the text is embedded by the active ML provider)')
    .argument('<text>', 'what to look for')
    .option('--types <kinds>', 'comma-separated node kinds, e.g. Message,Summary', typesOption)
    .option('--chat <id>', 'only nodes of this chat')
    .option('-n, --limit <n>', 'results per page', integerOption('limit', 1), 10)
    .option('--offset <n>', 'results to skip', integerOption('offset'), 0)
    .addOption(new Option('--mode <mode>', 'ranking').choices(['hybrid', 'semantic', 'keyword']).default('hybrid'))
    .option('--threshold <cosine>', 'minimum cosine similarity for the semantic ranking', parseFloat)
    .option('--explain', 'include the plan')
    .action(
      action(async (ctx, text: string) => {
        const o = ctx.command.opts<{ types?: NodeType[]; chat?: string; limit: number; offset: number; mode: SearchOptions['mode']; threshold?: number; explain?: boolean }>();
        const options: SearchOptions = { limit: o.limit, offset: o.offset };
        if (o.types) options.types = o.types;
        if (o.chat) options.chatId = o.chat;
        if (o.mode) options.mode = o.mode;
        if (o.threshold !== undefined) options.threshold = o.threshold;
        if (o.explain) options.explain = true;
        const result = await ctx.withDatabase(async (db) => {
          if (options.mode !== 'keyword') await vectorsLoaded(db);
          return db.search(text, options);
        });
        ctx.output.result(result, formatHits);
      }),
    );
}
