import type { Command } from 'commander';
import { NODE_TYPES } from '@tabagent/common';
import type { StorageStats, TabAgent, TabAgentStats } from 'tabagent';
import { action } from '../context.js';
import { fields, table } from '../output/format.js';

export type DatabaseStats = TabAgentStats & { nodes: Record<string, number>; disk: Omit<StorageStats, 'status' | 'lastSeq'> };

/** Node counts per kind, the change log and disk use, plus every component's state. */
export async function databaseStats(db: TabAgent): Promise<DatabaseStats> {
  const nodes: Record<string, number> = {};
  for (const type of NODE_TYPES) nodes[type] = await db.countNodes(type);
  const { status: _status, lastSeq: _lastSeq, ...disk } = await db.storageStats();
  return { ...db.stats(), nodes, disk };
}

/** `tabagent stats` (alias `status`). */
export function registerStats(program: Command): void {
  program
    .command('stats')
    .alias('status')
    .description('node counts, change-log position and the state of every component')
    .action(
      action(async (ctx) => {
        const stats = await ctx.withDatabase((db) => databaseStats(db));
        ctx.output.result(stats, (s) => {
          const total = Object.values(s.nodes).reduce((a, b) => a + b, 0);
          return [
            fields({
              location: s.location,
              lastSeq: s.storage.lastSeq,
              'log entries': s.disk.log.entries,
              'disk MB': (s.disk.diskBytes / 1e6).toFixed(1),
              nodes: total,
              vectors: s.vectors.vectors,
              ml: `${s.ml.provider} (${s.ml.embedding.model})`,
            }),
            table(
              ['kind', 'nodes'],
              Object.entries(s.nodes).map(([k, n]) => [k, n]),
            ),
          ].join('\n');
        });
      }),
    );
}
