import type { Readable } from 'node:stream';
import { DbError } from '@tabagent/common';

/** Largest message Chrome accepts from a host: 1 MiB of UTF-8 JSON. */
export const MAX_HOST_MESSAGE_BYTES = 1024 * 1024;
/** Largest message Chrome sends to a host: 64 MiB. */
export const MAX_BROWSER_MESSAGE_BYTES = 64 * 1024 * 1024;
/**
 * A length over this is no message at all: the input is out of step (or is not a
 * browser), and skipping it — up to 4 GiB — would swallow every later request.
 */
export const MAX_SKIPPABLE_MESSAGE_BYTES = 2 * MAX_BROWSER_MESSAGE_BYTES;

/** Frames a value the way Chrome expects: 4-byte little-endian length, then UTF-8 JSON. */
export function encodeNativeMessage(value: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const frame = Buffer.allocUnsafe(4 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  return frame;
}

/** One item read from the stream: a parsed message, or a frame that could not be one. */
export type NativeFrame = { ok: true; message: unknown } | { ok: false; error: DbError; fatal?: boolean };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads Chrome native-messaging frames from `input`, whatever the chunking (a frame
 * split across reads, several frames in one read). A frame that is not valid UTF-8
 * JSON, or is longer than `maxBytes` (its bytes are skipped, keeping the stream in
 * step), yields an error and reading goes on. A stream that ends inside a frame
 * yields a final error. A length over {@link MAX_SKIPPABLE_MESSAGE_BYTES} (twice
 * Chrome's own limit: the stream is out of step) yields a fatal error and ends the reading.
 */
export async function* readNativeFrames(input: Readable, options: { maxBytes?: number } = {}): AsyncGenerator<NativeFrame> {
  const maxBytes = options.maxBytes ?? MAX_BROWSER_MESSAGE_BYTES;
  let chunks: Buffer[] = [];
  let buffered = 0;
  /** Body length of the frame being read, or undefined while waiting for a header. */
  let need: number | undefined;
  /** Bytes of an oversized frame still to skip. */
  let skip = 0;

  const take = (n: number): Buffer => {
    const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
    const head = all.subarray(0, n);
    const rest = all.subarray(n);
    chunks = rest.length > 0 ? [rest] : [];
    buffered = rest.length;
    return head;
  };

  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (skip > 0) {
      const dropped = Math.min(skip, data.length);
      skip -= dropped;
      data = data.subarray(dropped);
    }
    if (data.length === 0) continue;
    chunks.push(data);
    buffered += data.length;
    for (;;) {
      if (need === undefined) {
        if (buffered < 4) break;
        const length = take(4).readUInt32LE(0);
        if (length > MAX_SKIPPABLE_MESSAGE_BYTES) {
          yield {
            ok: false,
            fatal: true,
            error: new DbError('INVALID_ARGUMENT', `message length ${length} is over ${MAX_SKIPPABLE_MESSAGE_BYTES} bytes, which no browser sends: the input is out of step; closing`),
          };
          return;
        }
        if (length > maxBytes) {
          yield { ok: false, error: new DbError('TOO_LARGE', `message of ${length} bytes is over the ${maxBytes}-byte limit; skipped`) };
          const dropped = Math.min(length, buffered);
          take(dropped);
          skip = length - dropped;
          if (skip > 0) break;
          continue;
        }
        need = length;
      }
      if (buffered < need) break;
      const body = take(need);
      need = undefined;
      yield parseFrame(body);
    }
  }
  if (need !== undefined || buffered > 0 || skip > 0) {
    yield { ok: false, error: new DbError('INVALID_ARGUMENT', 'input ended in the middle of a message') };
  }
}

function parseFrame(body: Buffer): NativeFrame {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch (err) {
    return { ok: false, error: new DbError('INVALID_ARGUMENT', 'message is not valid UTF-8', { cause: err }) };
  }
  try {
    return { ok: true, message: JSON.parse(text) as unknown };
  } catch (err) {
    // JSON.parse's message quotes the input: it is not echoed.
    return { ok: false, error: new DbError('INVALID_ARGUMENT', 'message is not valid JSON', { cause: err }) };
  }
}
