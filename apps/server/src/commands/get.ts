import type { Command } from 'commander';
import { idSchema, recordKindOfId, validate } from '@tabagent/common';
import { action } from '../context.js';
import { edgeLine, fields } from '../output/format.js';
import { nodesById } from './browse.js';

/** `tabagent get <id>`: a node (optionally with its edges) or an edge. */
export function registerGet(program: Command): void {
  program
    .command('get')
    .argument('<id>', 'a node id (chat_…, msg_…, …) or an edge id (edge_…)')
    .description('print one node or edge')
    .option('--edges', 'also list the edges from and to the node')
    .action(
      action(async (ctx, id: string) => {
        const { edges } = ctx.command.opts<{ edges?: boolean }>();
        validate(idSchema, id, 'id');
        const text = await ctx.withDatabase(async (db) => {
          if (recordKindOfId(id) === 'edge') {
            const edge = await db.getEdge(id);
            return { value: edge, human: fields(edge) };
          }
          const node = await db.getNode(id);
          if (!edges) return { value: node, human: fields(node) };
          const list = await db.edgesOf(id);
          const ends = await nodesById(db, list.flatMap((e) => [e.from, e.to]));
          return { value: { node, edges: list }, human: [fields(node), `edges (${list.length}):`, ...list.map((e) => `  ${edgeLine(e, ends)}`)].join('\n') };
        });
        ctx.output.result(text.value, () => text.human);
      }),
    );
}
