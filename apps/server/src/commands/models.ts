import type { Command } from 'commander';
import { DbError } from '@tabagent/common';
import type { CatalogModel, InstalledModel, ModelCache, ModelCacheOptions, PullResult } from '@tabagent/model-cache';
import { action, type CommandContext } from '../context.js';
import { formatBytes, table } from '../output/format.js';

/** What a `models` argument names: a catalogue model (by id or repo) or any Hub repo. */
interface ModelRef {
  repoId: string;
  revision?: string;
  files?: string[];
  catalog?: CatalogModel;
}

/** Loaded on use: commands that never touch models do not load the downloader. */
const modelCacheModule = (): Promise<typeof import('@tabagent/model-cache')> => import('@tabagent/model-cache');

/** `all-MiniLM-L6-v2` → its catalogue entry; `owner/name` → that repo. */
export async function resolveModelRef(name: string): Promise<ModelRef> {
  const { MODEL_CATALOG, catalogModel } = await modelCacheModule();
  const catalog = catalogModel(name) ?? MODEL_CATALOG.find((m) => m.repoId === name);
  if (catalog) return { repoId: catalog.repoId, revision: catalog.revision, files: [...catalog.files], catalog };
  if (!/^[\w.-]+\/[\w.-]+$/.test(name)) {
    throw new DbError('INVALID_ARGUMENT', `unknown model ${JSON.stringify(name)}: use a catalogue id (${MODEL_CATALOG.map((m) => m.id).join(', ')}) or a Hub repo id (owner/name)`, {
      details: { field: 'model' },
    });
  }
  return { repoId: name };
}

async function openCache(ctx: CommandContext, extra: Pick<ModelCacheOptions, 'endpoint' | 'offline'> = {}): Promise<ModelCache> {
  const { modelDir } = await ctx.config();
  const { ModelCache } = await modelCacheModule();
  return new ModelCache({ cacheDir: modelDir, ...extra });
}

function listText(result: { modelDir: string; installed: InstalledModel[]; available: CatalogModel[] }): string {
  const lines = [`models in ${result.modelDir}`];
  lines.push(
    result.installed.length === 0
      ? 'none installed'
      : table(
          ['model', 'revisions', 'commit', 'size', 'files'],
          result.installed.map((m) => [m.repoId, m.revisions.join(', '), m.commit.slice(0, 10), formatBytes(m.sizeBytes), m.files.length]),
        ),
  );
  if (result.available.length > 0) {
    lines.push('available from the catalogue (tabagent models pull <id>):', ...result.available.map((m) => `  ${m.id.padEnd(20)} ${m.task.padEnd(9)} ${m.description}`));
  }
  return lines.join('\n');
}

/** `tabagent models list|pull|rm`. */
export function registerModels(program: Command): void {
  const models = program.command('models').description('list, download and remove ML models (Hugging Face Hub–compatible)');

  models
    .command('list')
    .alias('ls')
    .description('installed models, and the catalogue models not installed yet')
    .action(
      action(async (ctx) => {
        const { MODEL_CATALOG } = await modelCacheModule();
        await using cache = await openCache(ctx, { offline: true });
        const installed = await cache.list();
        const have = new Set(installed.map((m) => m.repoId));
        const result = { modelDir: cache.cacheDir, installed, available: MODEL_CATALOG.filter((m) => !have.has(m.repoId)) };
        ctx.output.result(result, listText);
      }),
    );

  models
    .command('pull')
    .description('download models (default: the catalogue defaults), resuming partial downloads')
    .argument('[models...]', 'catalogue ids (see `tabagent models list`) or Hub repo ids (owner/name)')
    .option('--revision <rev>', 'branch, tag or commit (default: the catalogue revision, else main)')
    .option('--include <glob...>', "only files matching these globs (default: a catalogue model's files, else all)")
    .option('--endpoint <url>', 'Hub endpoint (default HF_ENDPOINT, else https://huggingface.co)')
    .option('--offline', 'never touch the network; succeed only for installed models (HF_HUB_OFFLINE)')
    .action(
      action(async (ctx, names: string[]) => {
        const o = ctx.command.opts<{ revision?: string; include?: string[]; endpoint?: string; offline?: boolean }>();
        const { MODEL_CATALOG } = await modelCacheModule();
        const refs = await Promise.all((names.length > 0 ? names : MODEL_CATALOG.map((m) => m.id)).map(resolveModelRef));
        await using cache = await openCache(ctx, { ...(o.endpoint ? { endpoint: o.endpoint } : {}), ...(o.offline ? { offline: true } : {}) });
        const controller = new AbortController();
        const onSignal = (): void => controller.abort(new DbError('ABORTED', 'interrupted'));
        process.once('SIGINT', onSignal);
        const results: PullResult[] = [];
        try {
          for (const ref of refs) {
            const label = ref.catalog?.id ?? ref.repoId;
            const revision = o.revision ?? ref.revision;
            const files = o.include ?? ref.files;
            const bar = ctx.output.progressBar({ label, unit: 'bytes' });
            try {
              const result = await cache.pull(ref.repoId, {
                signal: controller.signal,
                ...(revision === undefined ? {} : { revision }),
                ...(files === undefined ? {} : { files }),
                onLockWait: () => ctx.output.note(`${label}: waiting for another download of this model to finish`),
                onProgress: (e) => {
                  bar.setTotal(e.total);
                  bar.update(e.bytes, e.fileDone ? undefined : e.file);
                },
              });
              results.push(result);
            } finally {
              bar.stop();
            }
          }
        } finally {
          process.off('SIGINT', onSignal);
        }
        ctx.output.result(results, (rs) =>
          rs
            .map((r) => `${r.repoId}@${r.commit.slice(0, 10)}: ${r.fromCache ? 'already installed' : `downloaded ${formatBytes(r.downloadedBytes)}`} → ${r.path}`)
            .join('\n'),
        );
      }),
    );

  models
    .command('rm')
    .alias('remove')
    .description('remove an installed model (all its revisions unless --revision)')
    .argument('<model>', 'catalogue id or Hub repo id')
    .option('--revision <rev>', 'remove only this revision')
    .action(
      action(async (ctx, name: string) => {
        const o = ctx.command.opts<{ revision?: string }>();
        const ref = await resolveModelRef(name);
        await using cache = await openCache(ctx, { offline: true });
        const removed = await cache.remove(ref.repoId, o.revision ? { revision: o.revision } : {});
        if (!removed) throw new DbError('NOT_FOUND', `${ref.repoId}${o.revision ? `@${o.revision}` : ''} is not installed in ${cache.cacheDir}`);
        ctx.output.result({ repoId: ref.repoId, removed }, (r) => `removed ${r.repoId}`);
      }),
    );
}
