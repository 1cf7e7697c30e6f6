import { Readable } from 'node:stream';
import { DbError } from '@tabagent/common';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientAbortSignal } from '../client-abort.js';
import { exportNameSchema, importStream } from '../server-files.js';
import type { Api, RouteContext } from '../route-context.js';
import { streamNdjson } from '../ndjson.js';
import { errorResponses } from '../schemas/common-schemas.js';

const BackupManifestSchema = z.strictObject({
  name: z.string().describe('The backup’s directory in the exports directory.'),
  format: z.literal('tabagent-backup'),
  version: z.literal(1),
  createdAt: z.number().int(),
  lastSeq: z.number().int().nonnegative().describe('Change-log sequence the backup is consistent at.'),
  entries: z.number().int().nonnegative(),
});

const DriftSchema = z.looseObject({ index: z.string(), missing: z.number(), extra: z.number(), mismatched: z.number(), examples: z.array(z.string()), ok: z.boolean() });

/** The body of a POST that takes no parameters: none, or `{}` (a POST sends the JSON content type either way). */
const NoParamsSchema = z.preprocess((body) => body ?? undefined, z.strictObject({}).optional());

const ifExistsSchema = z.enum(['error', 'ignore', 'replace']).optional().describe('Records whose id exists already: `error` (default), `ignore` or `replace`.');
const ImportResultSchema = z.strictObject({ nodes: z.number().int(), edges: z.number().int(), embeddings: z.number().int() });

/** `2026-12-06T23-59-01-123Z`: a time that sorts and is a plain name. */
const stamp = (): string => new Date().toISOString().replace(/[:.]/gu, '-');

/** Backup, export/import (JSON Lines), verify and reindex, and the full stats. */
export function registerMaintenanceRoutes(api: Api, { db, exports }: RouteContext): void {
  const tags = ['maintenance'];
  const where = 'in the server’s exports directory (`exportsDir`; clients name files there, never paths)';

  api.post('/backup', {
    schema: {
      tags,
      summary: 'Back up the database',
      description: `A consistent snapshot copy into a new directory \`name\` ${where}; default \`backup-<time>\`. Restore it with \`tabagent restore\`.`,
      body: z.strictObject({ name: exportNameSchema.optional().describe('Name of the new backup directory (must not exist).') }),
      response: { 201: BackupManifestSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const name = request.body.name ?? `backup-${stamp()}`;
      const manifest = await exports.backupTo(db, name, { signal: clientAbortSignal(reply) });
      return reply.code(201).send({ name, ...manifest });
    },
  });

  api.get('/export', {
    schema: {
      tags,
      summary: 'Export everything as JSON Lines',
      description:
        'Streams `application/x-ndjson`: a header line, then every node (chats first), edge and embedding (vectors as base64 little-endian float32). `POST /v1/import/upload` reads it back.',
      produces: ['application/x-ndjson'],
    },
    handler: async (_request, reply) =>
      streamNdjson(reply, async (_write, signal, stream) => {
        await db.export(stream, { signal });
      }),
  });

  api.post('/export', {
    schema: {
      tags,
      summary: 'Export everything to a file of the exports directory',
      description: `Writes JSON Lines into the file \`name\` ${where}; default \`export-<time>.jsonl\`. The file appears whole or not at all (an existing one of that name is replaced).`,
      body: z.strictObject({ name: exportNameSchema.optional().describe('Name of the file to write.') }),
      response: { 200: z.strictObject({ name: z.string(), records: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }), ...errorResponses },
    },
    handler: async (request, reply) => {
      const name = request.body.name ?? `export-${stamp()}.jsonl`;
      return { name, ...(await exports.exportTo(db, name, { signal: clientAbortSignal(reply) })) };
    },
  });

  api.post('/import', {
    schema: {
      tags,
      summary: 'Import a JSON Lines export from the exports directory',
      description: `Reads the file \`name\` ${where} (a regular file, at most \`maxImportBytes\`) through the normal write path (validated, indexed, enriched). Each batch of records is atomic. To send the file itself, use \`POST /v1/import/upload\`.`,
      body: z.strictObject({ name: exportNameSchema.describe('Name of the file to read.'), ifExists: ifExistsSchema }),
      response: { 200: ImportResultSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { name, ifExists } = request.body;
      return exports.importFrom(db, name, { signal: clientAbortSignal(reply), ...(ifExists === undefined ? {} : { ifExists }) });
    },
  });

  // The upload's body is the export itself, streamed (never buffered whole): its own
  // content type, so the JSON body limit does not apply; `maxImportBytes` does.
  api.register(async (scope) => {
    const upload: Api = scope.withTypeProvider<ZodTypeProvider>();
    upload.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));
    upload.post('/import/upload', {
      schema: {
        tags,
        summary: 'Import a JSON Lines export sent as the request body',
        description:
          'Send the output of `GET /v1/export` (or `tabagent export`) as the body with `content-type: application/x-ndjson`; at most `maxImportBytes`, lines at most 16 MiB. Through the normal write path; each batch of records is atomic.',
        consumes: ['application/x-ndjson'],
        querystring: z.strictObject({ ifExists: ifExistsSchema }),
        response: { 200: ImportResultSchema, ...errorResponses },
      },
      handler: async (request, reply) => {
        const { ifExists } = request.query;
        // Only the NDJSON parser hands over the stream; a JSON (or empty) body is not an export.
        if (!(request.body instanceof Readable)) {
          throw new DbError('INVALID_ARGUMENT', 'content-type: send the export as application/x-ndjson', { details: { field: 'content-type' } });
        }
        return importStream(db, request.body, {
          maxBytes: exports.maxImportBytes,
          field: 'body',
          name: 'body',
          release: 'drain',
          signal: clientAbortSignal(reply),
          ...(ifExists === undefined ? {} : { ifExists }),
        });
      },
    });
  });

  api.post('/verify', {
    schema: {
      tags,
      summary: 'Compare every index with the data',
      body: NoParamsSchema,
      response: { 200: z.strictObject({ ok: z.boolean(), indexes: z.array(DriftSchema), vectors: DriftSchema }), ...errorResponses },
    },
    handler: async () => {
      const report = await db.verify();
      const ok = report.indexes.every((r) => r.ok) && report.vectors.ok;
      return { ok, indexes: report.indexes.map((r) => ({ ...r })), vectors: { ...report.vectors } };
    },
  });

  api.post('/reindex', {
    schema: {
      tags,
      summary: 'Rebuild every index from the data',
      body: NoParamsSchema,
      response: { 200: z.strictObject({ written: z.record(z.string(), z.number()) }), ...errorResponses },
    },
    handler: async () => ({ written: await db.reindex() }),
  });

  api.get('/stats', {
    schema: {
      tags: ['system'],
      summary: 'Every component’s state in detail',
      response: { 200: z.looseObject({ status: z.string(), location: z.string() }), ...errorResponses },
    },
    handler: async () => ({ ...db.stats() }),
  });
}
