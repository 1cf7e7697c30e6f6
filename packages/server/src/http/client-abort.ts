import type { FastifyReply } from 'fastify';
import { DbError } from '@tabagent/common';

/**
 * A signal that aborts when the client goes away before its answer is sent, so slow
 * work (a query, a model download, an export) stops instead of running for nobody.
 */
export function clientAbortSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const response = reply.raw;
  response.once('close', () => {
    if (!response.writableFinished) controller.abort(new DbError('ABORTED', 'the client closed the connection'));
  });
  return controller.signal;
}
