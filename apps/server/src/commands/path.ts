import { Option, type Command } from 'commander';
import { DbError, type Node } from '@tabagent/common';
import type { GraphPath, ShortestPathOptions } from '@tabagent/query';
import { action } from '../context.js';
import { labelledId } from '../output/format.js';
import { nodesById } from './browse.js';
import { integerOption } from './search.js';

/** One node per line with its label, the edge between each two: reads top to bottom. */
function formatPath(path: GraphPath, nodes: ReadonlyMap<string, Node>): string {
  const lines = [labelledId(path.nodes[0]!, nodes)];
  path.edges.forEach((edge, i) => {
    const next = path.nodes[i + 1]!;
    lines.push(edge.from === next ? `  ↑ ${edge.type}` : `  ↓ ${edge.type}`, labelledId(next, nodes));
  });
  lines.push(`(${path.length} edge${path.length === 1 ? '' : 's'})`);
  return lines.join('\n');
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
        const found = await ctx.withDatabase(async (db) => {
          await db.getNode(from);
          await db.getNode(to);
          const path = await db.findShortestPath(from, to, options);
          return path === undefined ? undefined : { path, nodes: await nodesById(db, path.nodes) };
        });
        if (found === undefined) throw new DbError('NOT_FOUND', `no path from ${from} to ${to}${o.maxDepth === undefined ? '' : ` within ${o.maxDepth} edges`}`);
        ctx.output.result(found.path, (path) => formatPath(path, found.nodes));
      }),
    );
}
