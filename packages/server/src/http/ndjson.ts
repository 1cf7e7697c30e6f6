import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { DbError } from '@tabagent/common';
import { clientAbortSignal } from './client-abort.js';
import { errorResponse } from './errors/error-response.js';

export const NDJSON = 'application/x-ndjson; charset=utf-8';

/** Writes one JSON value as a line, waiting while the client is slow to read. */
export type NdjsonWrite = (value: unknown) => Promise<void>;

/**
 * Streams a long operation's output as newline-delimited JSON (200 at once; one value
 * per line). A failure after the start becomes a last line `{"type":"error","error":…}`.
 * The work gets a signal that aborts when the client disconnects.
 *
 * @example
 * return streamNdjson(reply, async (write, signal) => { await write({ type: 'progress', bytes }); });
 */
export function streamNdjson(
  reply: FastifyReply,
  work: (write: NdjsonWrite, signal: AbortSignal, stream: PassThrough) => Promise<void>,
): FastifyReply {
  const stream = new PassThrough();
  const signal = clientAbortSignal(reply);
  // A client that left must not leave the work waiting for 'drain' forever.
  signal.addEventListener('abort', () => stream.destroy(new DbError('ABORTED', 'the client closed the connection')), { once: true });
  stream.on('error', () => {});
  const write: NdjsonWrite = async (value) => {
    if (stream.destroyed) throw new DbError('ABORTED', 'the client closed the connection');
    if (!stream.write(`${JSON.stringify(value)}\n`)) await once(stream, 'drain');
  };
  void (async () => {
    try {
      await work(write, signal, stream);
    } catch (err) {
      if (!stream.destroyed) {
        const { body, internal } = errorResponse(err, reply.request.id);
        if (internal) reply.log.error({ err }, 'streamed request failed');
        stream.write(`${JSON.stringify({ type: 'error', ...body })}\n`);
      }
    } finally {
      if (!stream.destroyed) stream.end();
    }
  })();
  return reply.code(200).type(NDJSON).send(stream);
}
