import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DbError } from '@tabagent/common';
import { Storage, importJsonl } from '../src/index.js';
import { tempDir } from './helpers.js';

const HEADER = '{"kind":"header","format":"tabagent-jsonl","version":1,"exportedAt":0,"lastSeq":0}\n';

async function failure(p: Promise<unknown>): Promise<DbError> {
  const err = await p.then(
    () => {
      throw new Error('expected the import to fail');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DbError);
  return err as DbError;
}

/**
 * Issue 16, findings 2 and 4: an import read lines with readline, without a limit — a
 * source without line breaks (`/dev/zero`) grew one string until the process died — and
 * its errors quoted the file (`/etc/shadow`'s first bytes).
 */
describe('JSON Lines import limits (issue 16)', () => {
  it('stops at a line over maxLineBytes with TOO_LARGE: /dev/zero, and a stream without line breaks', async () => {
    const storage = await Storage.open(join(await tempDir(), 'db'));
    try {
      const zero = await failure(importJsonl(storage, '/dev/zero', { maxLineBytes: 1024 * 1024 }));
      expect(zero).toMatchObject({ code: 'TOO_LARGE', details: { field: 'line.1' } });
      const long = await failure(importJsonl(storage, Readable.from([Buffer.from(HEADER), Buffer.alloc(4096, 0x61)]), { maxLineBytes: 1024 }));
      expect(long).toMatchObject({ code: 'TOO_LARGE', details: { field: 'line.2' } });
      // The default limit (16 MiB) holds for /dev/zero too.
      expect(await failure(importJsonl(storage, '/dev/zero'))).toMatchObject({ code: 'TOO_LARGE' });
    } finally {
      await storage.close();
    }
  });

  it('refuses invalid UTF-8 and never quotes the file in its errors', async () => {
    const root = await tempDir();
    const storage = await Storage.open(join(root, 'db'));
    try {
      const secret = join(root, 'secret.txt');
      await writeFile(secret, 'root:x:0:0:secret-line-that-must-not-leak\n');
      const notJson = await failure(importJsonl(storage, secret));
      expect(notJson.code).toBe('INVALID_ARGUMENT');
      expect(notJson.message).not.toContain('secret');
      expect(notJson.message).not.toContain('root:x');
      const broken = await failure(importJsonl(storage, Readable.from([Buffer.from(HEADER), Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a])])));
      expect(broken).toMatchObject({ code: 'INVALID_ARGUMENT', details: { field: 'line.2' } });
      // Lines split across chunks still join up.
      const chat = JSON.stringify({ kind: 'node', record: { type: 'Chat', id: 'chat_split', title: 'split', createdAt: 1, updatedAt: 1, tags: [], archived: false, metadata: {} } });
      const chunks = [HEADER.slice(0, 10), HEADER.slice(10), chat.slice(0, 7), chat.slice(7), '\r\n'].map((s) => Buffer.from(s));
      expect(await importJsonl(storage, Readable.from(chunks))).toEqual({ nodes: 1, edges: 0, embeddings: 0 });
    } finally {
      await storage.close();
    }
  });
});
