import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { clientAbortSignal } from '../client-abort.js';
import { backupToDir, exportToFile, importFromFile } from '../server-files.js';
import type { Api, RouteContext } from '../route-context.js';
import { streamNdjson } from '../ndjson.js';
import { errorResponses } from '../schemas/common-schemas.js';

/** A directory or file on the server's machine: absolute, so it never depends on the server's working directory. */
const serverPath = z
  .string()
  .min(1)
  .max(4_096)
  .refine((p) => isAbsolute(p), 'must be an absolute path on the server');

const BackupManifestSchema = z.strictObject({
  format: z.literal('tabagent-backup'),
  version: z.literal(1),
  createdAt: z.number().int(),
  lastSeq: z.number().int().nonnegative().describe('Change-log sequence the backup is consistent at.'),
  entries: z.number().int().nonnegative(),
});

const DriftSchema = z.looseObject({ index: z.string(), missing: z.number(), extra: z.number(), mismatched: z.number(), examples: z.array(z.string()), ok: z.boolean() });

/** Backup, export/import (JSON Lines), verify and reindex, and the full stats. */
export function registerMaintenanceRoutes(api: Api, { db }: RouteContext): void {
  const tags = ['maintenance'];

  api.post('/backup', {
    schema: {
      tags,
      summary: 'Back up the database',
      description: 'A consistent snapshot copy into `dir` (absolute, on the server; must be empty or absent). Restore it with `tabagent restore`.',
      body: z.strictObject({ dir: serverPath }),
      response: { 201: BackupManifestSchema, ...errorResponses },
    },
    handler: async (request, reply) => reply.code(201).send(await backupToDir(db, request.body.dir, { signal: clientAbortSignal(reply) })),
  });

  api.get('/export', {
    schema: {
      tags,
      summary: 'Export everything as JSON Lines',
      description:
        'Streams `application/x-ndjson`: a header line, then every node (chats first), edge and embedding (vectors as base64 little-endian float32). `POST /v1/import` reads it back.',
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
      summary: 'Export everything to a file on the server',
      body: z.strictObject({ path: serverPath.describe('Absolute path of the JSON Lines file to write.') }),
      response: { 200: z.strictObject({ path: z.string(), records: z.number().int().nonnegative() }), ...errorResponses },
    },
    handler: async (request, reply) => ({ path: request.body.path, records: await exportToFile(db, request.body.path, { signal: clientAbortSignal(reply) }) }),
  });

  api.post('/import', {
    schema: {
      tags,
      summary: 'Import a JSON Lines export from a file on the server',
      description: 'Through the normal write path (validated, indexed, enriched). Each batch of records is atomic.',
      body: z.strictObject({
        path: serverPath,
        ifExists: z.enum(['error', 'ignore', 'replace']).optional().describe('Records whose id exists already: `error` (default), `ignore` or `replace`.'),
      }),
      response: { 200: z.strictObject({ nodes: z.number().int(), edges: z.number().int(), embeddings: z.number().int() }), ...errorResponses },
    },
    handler: async (request, reply) => {
      const { path, ifExists } = request.body;
      return importFromFile(db, path, { signal: clientAbortSignal(reply), ...(ifExists === undefined ? {} : { ifExists }) });
    },
  });

  api.post('/verify', {
    schema: {
      tags,
      summary: 'Compare every index with the data',
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
