import { createReadStream, createWriteStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { DbError, NODE_TYPES, type Embedding } from '@tabagent/common';
import { bytesToVector, vectorToBytes } from './codec.js';
import type { Storage } from './storage.js';
import { isDiskFull, storageError } from './storage-errors.js';
import type { IfExists } from './write-batch.js';

/** First line of every export. */
export interface JsonlHeader {
  kind: 'header';
  format: 'tabagent-jsonl';
  version: 1;
  exportedAt: number;
  lastSeq: number;
}

/** One exported record per line; embedding vectors are base64 of little-endian float32. */
export type JsonlLine =
  | JsonlHeader
  | { kind: 'node'; record: Record<string, unknown> }
  | { kind: 'edge'; record: Record<string, unknown> }
  | { kind: 'embedding'; record: Omit<Embedding, 'vector'> & { vector: string } };

export interface ExportOptions {
  signal?: AbortSignal;
  onProgress?: (records: number) => void;
}

export interface ImportOptions extends ExportOptions {
  /** What to do with records whose id already exists (default `error`). */
  ifExists?: IfExists;
  /** Records per atomic batch (default 1,000). */
  batchSize?: number;
  /**
   * Longest line accepted, in bytes (default 16 MiB): a longer one — or a source
   * without line breaks, such as `/dev/zero` — stops the import with `TOO_LARGE`
   * instead of growing one string until the process runs out of memory.
   */
  maxLineBytes?: number;
}

/** Default of {@link ImportOptions.maxLineBytes}. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/**
 * The lines of a byte stream, each at most `maxLineBytes` long (`TOO_LARGE` otherwise)
 * and valid UTF-8 (`INVALID_ARGUMENT` otherwise). Memory stays bounded by the limit.
 */
async function* boundedLines(input: Readable, maxLineBytes: number): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let parts: Buffer[] = [];
  let length = 0;
  let lineNumber = 0;
  const finish = (last: Buffer): string => {
    lineNumber++;
    const bytes = parts.length === 0 ? last : Buffer.concat([...parts, last]);
    parts = [];
    length = 0;
    try {
      return decoder.decode(bytes);
    } catch (cause) {
      throw new DbError('INVALID_ARGUMENT', `line ${lineNumber}: not valid UTF-8`, { cause, details: { field: `line.${lineNumber}` } });
    }
  };
  const tooLong = (): DbError =>
    new DbError('TOO_LARGE', `line ${lineNumber + 1}: longer than ${maxLineBytes} bytes`, { details: { field: `line.${lineNumber + 1}`, limit: maxLineBytes } });
  for await (const chunk of input) {
    let buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    for (let newline = buffer.indexOf(10); newline !== -1; newline = buffer.indexOf(10)) {
      if (length + newline > maxLineBytes) throw tooLong();
      yield finish(buffer.subarray(0, newline));
      buffer = buffer.subarray(newline + 1);
    }
    if (length + buffer.length > maxLineBytes) throw tooLong();
    if (buffer.length > 0) {
      parts.push(buffer);
      length += buffer.length;
    }
  }
  if (length > 0) yield finish(Buffer.alloc(0));
}

export interface ImportResult {
  nodes: number;
  edges: number;
  embeddings: number;
}

/** Where export lines go: every write checked, so a full disk or a closed pipe fails the export. */
interface LineSink {
  write(line: JsonlLine): Promise<void>;
  /** Flushes and makes the lines durable (a file is fsynced and closed). */
  finish(): Promise<void>;
  /** Releases the target after a failure. */
  abort(): Promise<void>;
}

const FILE_CHUNK = 256 * 1024;

/** A file written through a FileHandle: each write awaited, then fsync and close, all checked. */
async function fileSink(path: string): Promise<LineSink> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'w');
  } catch (cause) {
    if (isDiskFull(cause)) throw storageError(cause, `cannot write ${path}`);
    throw new DbError('INVALID_ARGUMENT', `cannot write ${path}: ${(cause as Error).message}`, { cause, details: { field: 'target' } });
  }
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const buffer = Buffer.from(pending.join(''));
    pending = [];
    pendingBytes = 0;
    try {
      // FileHandle.write may write less than asked (a nearly full disk): loop until done.
      for (let offset = 0; offset < buffer.length; ) offset += (await handle.write(buffer, offset)).bytesWritten;
    } catch (err) {
      throw writeError(err, path);
    }
  };
  return {
    async write(line) {
      const text = `${JSON.stringify(line)}\n`;
      pending.push(text);
      pendingBytes += text.length;
      if (pendingBytes >= FILE_CHUNK) await flush();
    },
    async finish() {
      await flush();
      try {
        await handle.sync();
      } catch (err) {
        // Devices and pipes cannot fsync (EINVAL); a regular file that cannot is an error.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EROFS') throw writeError(err, path);
      }
      try {
        await handle.close();
      } catch (err) {
        throw writeError(err, path);
      }
    },
    async abort() {
      await handle.close().catch(() => undefined);
    },
  };
}

/** A stream the caller owns (left open): its errors are watched and every write is confirmed at the end. */
function streamSink(out: Writable): LineSink {
  let failure: unknown;
  const onError = (err: unknown): void => {
    failure ??= err;
  };
  out.on('error', onError);
  const check = (): void => {
    if (failure !== undefined) throw writeError(failure, 'the export stream');
  };
  return {
    async write(line) {
      check();
      if (!out.write(`${JSON.stringify(line)}\n`)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done);
            out.off('error', done);
            out.off('close', done);
            resolve();
          };
          out.on('drain', done);
          out.on('error', done);
          out.on('close', done);
        });
        check();
      }
    },
    async finish() {
      // An empty write's callback runs once everything before it was handed to the OS (or failed).
      await new Promise<void>((resolve) => {
        if (out.writableEnded || out.destroyed) return resolve();
        out.write('', (err) => {
          if (err) onError(err);
          resolve();
        });
      });
      out.off('error', onError);
      check();
    },
    async abort() {
      out.off('error', onError);
    },
  };
}

function writeError(err: unknown, target: string): DbError {
  if (isDiskFull(err)) return storageError(err, `cannot write ${target}`);
  if (DbError.is(err)) return err;
  return new DbError('UNAVAILABLE', `cannot write ${target}: ${(err as Error).message}`, { cause: err, details: { field: 'target' } });
}

/**
 * Exports every node, edge and embedding as JSON Lines: nodes first (chats before
 * messages, so an import resolves references in order), then edges, then embeddings.
 */
export async function exportJsonl(storage: Storage, target: string | Writable, options: ExportOptions = {}): Promise<number> {
  const out = typeof target === 'string' ? await fileSink(target) : streamSink(target);
  let count = 0;
  const progress = (n: number): void => {
    count += n;
    options.onProgress?.(count);
  };
  try {
    await out.write({ kind: 'header', format: 'tabagent-jsonl', version: 1, exportedAt: Date.now(), lastSeq: storage.lastSeq });
    for await (const nodes of storage.scanNodes({ types: NODE_TYPES, signal: options.signal })) {
      for (const record of nodes) await out.write({ kind: 'node', record });
      progress(nodes.length);
    }
    for await (const edges of storage.scanEdges({ signal: options.signal })) {
      for (const record of edges) await out.write({ kind: 'edge', record });
      progress(edges.length);
    }
    for await (const embeddings of storage.scanEmbeddings({ signal: options.signal })) {
      for (const embedding of embeddings) {
        const vector = Buffer.from(vectorToBytes(embedding.vector)).toString('base64');
        await out.write({ kind: 'embedding', record: { ...embedding, vector } });
      }
      progress(embeddings.length);
    }
    // Only a finished export (flushed, fsynced, closed without error) counts as done.
    await out.finish();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return count;
}

/** Opens a file stream, failing with a clear error (not an unhandled stream error) when it cannot be opened. */
async function openFile(path: string, mode: 'read'): Promise<Readable>;
async function openFile(path: string, mode: 'write'): Promise<Writable>;
async function openFile(path: string, mode: 'read' | 'write'): Promise<Readable | Writable> {
  const stream = mode === 'read' ? createReadStream(path) : createWriteStream(path);
  try {
    await once(stream, 'open');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new DbError(code === 'ENOENT' && mode === 'read' ? 'NOT_FOUND' : 'INVALID_ARGUMENT', `cannot ${mode} ${path}: ${(cause as Error).message}`, {
      cause,
      details: { field: mode === 'read' ? 'source' : 'target' },
    });
  }
  return stream;
}

function parseLine(text: string, lineNumber: number): JsonlLine {
  try {
    const line = JSON.parse(text) as JsonlLine;
    if (typeof line !== 'object' || line === null || !('kind' in line)) throw new DbError('INVALID_ARGUMENT', 'missing "kind"');
    return line;
  } catch (cause) {
    // JSON.parse's message quotes the text: never echo what the file holds.
    const reason = cause instanceof DbError ? cause.message : cause instanceof RangeError ? 'nested too deeply' : 'not valid JSON';
    throw new DbError('INVALID_ARGUMENT', `line ${lineNumber}: not a valid export line (${reason})`, {
      cause,
      details: { field: `line.${lineNumber}` },
    });
  }
}

/**
 * Imports a JSON Lines export through the normal write path (validated, indexed and
 * change-logged). Each chunk of `batchSize` records is atomic; an invalid line stops
 * the import with an error naming the line, after the chunks before it.
 */
export async function importJsonl(storage: Storage, source: string | Readable, options: ImportOptions = {}): Promise<ImportResult> {
  const input = typeof source === 'string' ? await openFile(source, 'read') : source;
  const lines = boundedLines(input, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
  const result: ImportResult = { nodes: 0, edges: 0, embeddings: 0 };
  const batchSize = options.batchSize ?? 1_000;
  const ifExists = options.ifExists ?? 'error';
  let batch = storage.batch();
  let pending: ImportResult = { nodes: 0, edges: 0, embeddings: 0 };
  let lineNumber = 0;
  let firstLineNumber = 1;

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    try {
      await batch.commit({ signal: options.signal });
    } catch (err) {
      const error = DbError.from(err);
      throw new DbError(error.code, `lines ${firstLineNumber}-${lineNumber}: ${error.message}`, { cause: error, details: error.details });
    }
    result.nodes += pending.nodes;
    result.edges += pending.edges;
    result.embeddings += pending.embeddings;
    options.onProgress?.(result.nodes + result.edges + result.embeddings);
    pending = { nodes: 0, edges: 0, embeddings: 0 };
    batch = storage.batch();
    firstLineNumber = lineNumber + 1;
  };

  try {
    for await (const text of lines) {
      lineNumber++;
      if (text.trim() === '') continue;
      const line = parseLine(text, lineNumber);
      try {
        switch (line.kind) {
          case 'header':
            if (line.format !== 'tabagent-jsonl' || line.version !== 1) throw new DbError('UNSUPPORTED', 'unsupported export format');
            continue;
          case 'node':
            batch.insertNode(line.record as never, { ifExists });
            pending.nodes++;
            break;
          case 'edge':
            batch.insertEdge(line.record as never, { ifExists });
            pending.edges++;
            break;
          case 'embedding': {
            const vector = bytesToVector(Buffer.from(line.record.vector, 'base64'));
            batch.putEmbedding({ ...line.record, vector });
            pending.embeddings++;
            break;
          }
          default:
            throw new DbError('INVALID_ARGUMENT', `unknown line kind ${JSON.stringify((line as { kind: unknown }).kind)}`);
        }
      } catch (err) {
        const error = DbError.from(err);
        throw new DbError(error.code, `line ${lineNumber}: ${error.message}`, { cause: error, details: { field: `line.${lineNumber}` } });
      }
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await lines.return(undefined);
    if (typeof source === 'string') input.destroy();
  }
  return result;
}
