import { z } from 'zod';
import { DbError } from '@tabagent/common';
import { MODEL_CATALOG, catalogModel, type InstalledModel, type PullOptions } from '@tabagent/model-cache';
import { clientAbortSignal } from '../client-abort.js';
import { streamNdjson } from '../ndjson.js';
import type { Api, RouteContext } from '../route-context.js';
import { named } from '../schemas/api-registry.js';
import { errorResponses } from '../schemas/common-schemas.js';

const ManifestFileSchema = z.strictObject({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string(), verifiedBy: z.enum(['sha256', 'git-oid', 'size']) });

const InstalledModelSchema = named(
  'InstalledModel',
  z.strictObject({
    id: z.string().describe('The repo id (OpenAI-style model id).'),
    object: z.literal('model'),
    created: z.number().int().describe('Install time, seconds since the epoch.'),
    owned_by: z.string(),
    repoId: z.string(),
    commit: z.string(),
    revisions: z.array(z.string()).describe('Branches and tags pointing at this snapshot.'),
    path: z.string(),
    files: z.array(ManifestFileSchema),
    sizeBytes: z.number().int().nonnegative(),
    installedAt: z.string(),
  }),
  'One installed model snapshot.',
);

const CatalogModelSchema = z.strictObject({
  id: z.string(),
  task: z.enum(['embedding', 'ner']),
  repoId: z.string(),
  revision: z.string(),
  files: z.array(z.string()),
  onnxFile: z.string(),
  dims: z.number().int().optional(),
  description: z.string(),
});

const PullResultSchema = z.strictObject({
  repoId: z.string(),
  revision: z.string(),
  commit: z.string(),
  path: z.string(),
  files: z.array(ManifestFileSchema),
  downloadedBytes: z.number().int().nonnegative(),
  fromCache: z.boolean(),
  waitedForLock: z.boolean(),
});

const PullRequestSchema = named(
  'PullRequest',
  z.strictObject({
    model: z.string().min(1).max(300).describe('A catalog id (`all-MiniLM-L6-v2`, `bert-base-NER`) or a Hub repo id (`owner/name`).'),
    revision: z.string().min(1).max(255).optional().describe('Branch, tag or commit (default: the catalog’s, else `main`).'),
    files: z.array(z.string().min(1).max(1_000)).min(1).max(1_000).optional().describe('Globs or exact paths to pull (default: the catalog’s files, else all).'),
    stream: z.boolean().default(true).describe('`true` (default): progress as NDJSON lines; `false`: one JSON result at the end.'),
  }),
  'What to download into the model cache.',
);

/** The model cache: installed models, downloads with progress, removal. */
export function registerModelRoutes(api: Api, { db, models }: RouteContext): void {
  const tags = ['models'];

  api.get('/models', {
    schema: {
      tags,
      summary: 'Installed models and the catalog',
      description: 'OpenAI-style `{ object: "list", data }` of installed snapshots, plus the catalog of models TabAgent knows how to run and the active provider.',
      response: {
        200: z.strictObject({
          object: z.literal('list'),
          data: z.array(InstalledModelSchema),
          catalog: z.array(CatalogModelSchema),
          active: z.strictObject({ provider: z.string(), quality: z.string(), embeddingModel: z.string(), entityModel: z.string(), summarizerModel: z.string() }),
        }),
        ...errorResponses,
      },
    },
    handler: async () => {
      const info = db.inference.info();
      return {
        object: 'list' as const,
        data: (await models().list()).map(asModelObject),
        catalog: MODEL_CATALOG.map((m) => ({ ...m, files: [...m.files] })),
        active: { provider: info.provider, quality: info.quality, embeddingModel: info.embedding.model, entityModel: info.entities.model, summarizerModel: info.summarizer.model },
      };
    },
  });

  api.post('/models/pull', {
    schema: {
      tags,
      summary: 'Download a model',
      description:
        'With `stream` (default) the answer is `application/x-ndjson`: `{"type":"start",…}`, then `{"type":"progress", bytes, total, file, bytesPerSecond, etaSeconds, …}` lines, then `{"type":"done","result":…}` or `{"type":"error","error":…}`. Disconnecting cancels the download (it resumes next time).',
      body: PullRequestSchema,
      response: { 200: PullResultSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { model, revision, files, stream } = request.body;
      const known = catalogModel(model);
      const repoId = known?.repoId ?? model;
      const options: PullOptions = {};
      const rev = revision ?? known?.revision;
      if (rev !== undefined) options.revision = rev;
      const selected = files ?? (known === undefined ? undefined : [...known.files]);
      if (selected !== undefined) options.files = selected;
      const cache = models();
      if (!stream) return cache.pull(repoId, { ...options, signal: clientAbortSignal(reply) });
      return streamNdjson(reply, async (write, signal) => {
        await write({ type: 'start', repoId, revision: rev ?? 'main', ...(selected === undefined ? {} : { files: selected }) });
        // Progress is best effort: a slow reader gets fewer lines, never a slower download.
        let writing = false;
        const progress = (event: object): void => {
          if (writing) return;
          writing = true;
          write({ type: 'progress', ...event }).then(
            () => (writing = false),
            () => (writing = false),
          );
        };
        const result = await cache.pull(repoId, { ...options, signal, onProgress: progress, onLockWait: () => void write({ type: 'lock-wait' }).catch(() => {}) });
        await write({ type: 'done', result });
      });
    },
  });

  api.delete('/models/*', {
    schema: {
      tags,
      summary: 'Remove a model',
      description: 'Removes every snapshot of the repo in the path (`DELETE /v1/models/owner/name`), or with `?revision=` only that one.',
      params: z.strictObject({ '*': z.string().min(1).max(300).describe('The repo id, e.g. `Xenova/bert-base-NER`.') }),
      querystring: z.strictObject({ revision: z.string().min(1).max(255).optional() }),
      response: { 200: z.strictObject({ removed: z.literal(true), repoId: z.string() }), ...errorResponses },
    },
    handler: async (request) => {
      const repoId = request.params['*'];
      const { revision } = request.query;
      const removed = await models().remove(repoId, revision === undefined ? {} : { revision });
      if (!removed) throw new DbError('NOT_FOUND', `${repoId}${revision === undefined ? '' : `@${revision}`} is not installed`, { details: { field: 'model' } });
      return { removed: true as const, repoId };
    },
  });
}

function asModelObject(model: InstalledModel): z.infer<typeof InstalledModelSchema> {
  return {
    id: model.repoId,
    object: 'model',
    created: Math.floor(Date.parse(model.installedAt) / 1000) || 0,
    owned_by: model.repoId.includes('/') ? model.repoId.slice(0, model.repoId.indexOf('/')) : 'tabagent',
    ...model,
  };
}
