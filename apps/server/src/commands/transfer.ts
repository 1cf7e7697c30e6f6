import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { Option, type Command } from 'commander';
import { DbError } from '@tabagent/common';
import type { IfExists } from '@tabagent/storage';
import { action } from '../context.js';

/** `tabagent export <file>` and `tabagent import <file>` (JSON Lines). */
export function registerTransfer(program: Command): void {
  program
    .command('export')
    .description('write every node, edge and embedding as JSON Lines')
    .argument('<file>', "target file ('-' writes to stdout)")
    .action(
      action(async (ctx, file: string) => {
        const toStdout = file === '-';
        if (toStdout && ctx.output.json) throw new DbError('INVALID_ARGUMENT', 'export to stdout cannot be combined with --json', { details: { field: 'file' } });
        const records = await ctx.withDatabase(async (db) => {
          const nodes = await db.countNodes();
          // Edges and embeddings are not counted up front: the bar's total grows past the nodes.
          const bar = ctx.output.progressBar({ label: 'export', unit: 'records', total: nodes });
          try {
            return await db.export(toStdout ? process.stdout : file, {
              onProgress: (n) => {
                if (n > nodes) bar.setTotal(n);
                bar.update(n);
              },
            });
          } finally {
            bar.stop();
          }
        });
        if (!toStdout) ctx.output.result({ file, records }, (r) => `exported ${r.records.toLocaleString('en-US')} records to ${r.file}`);
      }),
    );

  program
    .command('import')
    .description('import a JSON Lines export (validated, indexed and change-logged like any write)')
    .argument('<file>', "source file ('-' reads stdin)")
    .addOption(new Option('--if-exists <what>', 'when a record id already exists').choices(['error', 'ignore', 'replace']).default('error'))
    .option('--batch-size <n>', 'records per atomic batch', (v: string) => Number(v))
    .action(
      action(async (ctx, file: string) => {
        const o = ctx.command.opts<{ ifExists: IfExists; batchSize?: number }>();
        const fromStdin = file === '-';
        const size = fromStdin
          ? 0
          : await stat(file).then(
              (s) => {
                if (s.isDirectory()) throw new DbError('INVALID_ARGUMENT', `${file} is a directory, not an export file`, { details: { field: 'file' } });
                return s.size;
              },
              (cause: Error) => {
                throw new DbError('NOT_FOUND', `cannot read ${file}: ${cause.message}`, { cause, details: { field: 'file' } });
              },
            );
        const result = await ctx.withDatabase(async (db) => {
          const input = fromStdin ? process.stdin : createReadStream(file);
          const bar = ctx.output.progressBar({ label: 'import', unit: 'bytes', total: size });
          let bytes = 0;
          if (!fromStdin) input.on('data', (chunk: Buffer | string) => (bytes += chunk.length));
          try {
            return await db.import(input, {
              ifExists: o.ifExists,
              ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
              onProgress: (records) => bar.update(fromStdin ? records : bytes, `${records.toLocaleString('en-US')} records`),
            });
          } finally {
            bar.stop();
          }
        });
        ctx.output.result(result, (r) => `imported ${r.nodes.toLocaleString('en-US')} nodes, ${r.edges.toLocaleString('en-US')} edges, ${r.embeddings.toLocaleString('en-US')} embeddings`);
      }),
    );
}
