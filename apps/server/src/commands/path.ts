import { Option, type Command } from 'commander';
import { DbError } from '@tabagent/common';
import type { GraphPath, ShortestPathOptions } from '@tabagent/query';
import { action } from '../context.js';
import { integerOption } from './search.js';

function formatPath(path: GraphPath): string {
  const parts = [path.nodes[0]!];
  path.edges.forEach((edge, i) => {
    const next = path.nodes[i + 1]!;
    parts.push(edge.from === next ? `←${edge.type}─` : `─${edge.type}→`, next);
  });
  return `${parts.join(' ')}\n(${path.length} edge${path.length === 1 ? '' : 's'})`;
}

/** `tabagent path a b`: the shortest path between two nodes. */
export function registerPath(program: Command): void {
  program
    .command('path')
    .description('the shortest path between two nodes')
    .argument('<from>', 'start node id')
    .argument('<to>', 'end node id')
    .option('--max-depth <n>', 'longest path accepted, in edges', integerOption('max-depth', 1))
    .option('--edge-types <types>', 'comma-separated edge types to follow (default all)', (v: string) => v.split(',').map((t) => t.trim()))
    .addOption(new Option('--direction <dir>', 'follow edges out of `from`, into it, or both ways').choices(['out', 'in', 'both']).default('both'))
    .action(
      action(async (ctx, from: string, to: string) => {
        const o = ctx.command.opts<{ maxDepth?: number; edgeTypes?: string[]; direction: ShortestPathOptions['direction'] }>();
        const options: ShortestPathOptions = {};
        if (o.maxDepth !== undefined) options.maxDepth = o.maxDepth;
        if (o.edgeTypes) options.edgeTypes = o.edgeTypes;
        if (o.direction) options.direction = o.direction;
        const path = await ctx.withDatabase(async (db) => {
          await db.getNode(from);
          await db.getNode(to);
          return db.findShortestPath(from, to, options);
        });
        if (path === undefined) throw new DbError('NOT_FOUND', `no path from ${from} to ${to}${o.maxDepth === undefined ? '' : ` within ${o.maxDepth} edges`}`);
        ctx.output.result(path, formatPath);
      }),
    );
}
