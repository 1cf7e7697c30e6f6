import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { encodeNativeMessage, readNativeFrames, type NativeFrame } from './framing.js';

async function framesOf(chunks: Buffer[], maxBytes?: number): Promise<NativeFrame[]> {
  const input = new PassThrough();
  const out: NativeFrame[] = [];
  const reading = (async () => {
    for await (const f of readNativeFrames(input, maxBytes === undefined ? {} : { maxBytes })) out.push(f);
  })();
  for (const c of chunks) input.write(c);
  input.end();
  await reading;
  return out;
}

describe('readNativeFrames', () => {
  it('reads frames however the bytes are chunked', async () => {
    const bytes = Buffer.concat([encodeNativeMessage({ a: 1 }), encodeNativeMessage('é'), encodeNativeMessage([true])]);
    for (const size of [1, 3, 7, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(await framesOf(chunks)).toEqual([
        { ok: true, message: { a: 1 } },
        { ok: true, message: 'é' },
        { ok: true, message: [true] },
      ]);
    }
  });

  it('skips an oversized frame across chunks and stays in step', async () => {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(100);
    const frames = await framesOf([header, Buffer.alloc(60), Buffer.concat([Buffer.alloc(40), encodeNativeMessage('after')])], 50);
    expect(frames.map((f) => (f.ok ? f.message : f.error.code))).toEqual(['TOO_LARGE', 'after']);
  });

  it('reports bad JSON, bad UTF-8 and a truncated last frame', async () => {
    const bad = (body: Buffer): Buffer => Buffer.concat([Buffer.from([body.length, 0, 0, 0]), body]);
    const frames = await framesOf([bad(Buffer.from('{nope')), bad(Buffer.from([0xc3, 0x28])), Buffer.from([9, 0, 0, 0, 1])]);
    expect(frames.map((f) => (f.ok ? 'ok' : f.error.message))).toEqual([
      expect.stringContaining('not valid JSON'),
      'message is not valid UTF-8',
      'input ended in the middle of a message',
    ]);
  });
});
