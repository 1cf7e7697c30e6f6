import * as grpc from '@grpc/grpc-js';
import { requireToken, toGrpcError } from '@tabagent/ml-bridge/grpc';
import { DbError, validate } from '@tabagent/common';
import type { EventFilter, TabAgent } from 'tabagent';
import { eventFilterParams } from '../operations/index.js';
import { requireWellFormed } from './database-service.js';
import { eventToProto } from './proto-records.js';

/** Open subscriptions of one server, so closing it can end them. */
export interface SubscriptionRegistry {
  add(end: () => void): void;
  delete(end: () => void): void;
}

/**
 * Server-streaming `Subscribe`: forwards every matching event as it is committed. A
 * subscriber that stops reading is ended with RESOURCE_EXHAUSTED once `maxQueued`
 * events, or `maxQueuedBytes` of them, wait for it — a slow client never holds the database back. The subscription
 * is dropped when the client cancels, its deadline passes, or the server closes.
 */
export function subscribeHandler(
  db: TabAgent,
  options: { token: string | undefined; maxQueued: number; maxQueuedBytes: number; registry: SubscriptionRegistry },
): grpc.handleServerStreamingCall<Record<string, unknown>, object> {
  return (call) => {
    let stop: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    /** Bytes written whose write has not completed (the socket is not read). */
    let queuedBytes = 0;
    const end = (err?: unknown): void => {
      if (ended) return;
      ended = true;
      stop?.();
      if (timer !== undefined) clearTimeout(timer);
      options.registry.delete(end);
      if (err !== undefined) call.emit('error', toGrpcError(err));
      else if (!call.cancelled) call.end();
    };
    try {
      requireToken(call.metadata, options.token);
      requireWellFormed(call.request);
      const r = call.request as { kinds?: string[]; chatId?: string; nodeKinds?: string[] };
      const filter = validate(eventFilterParams, {
        ...(r.kinds?.length ? { kinds: r.kinds } : {}),
        ...(r.chatId === undefined ? {} : { chatId: r.chatId }),
        ...(r.nodeKinds?.length ? { nodeKinds: r.nodeKinds } : {}),
      }) as EventFilter;
      stop = db.subscribe((event) => {
        if (ended) return;
        if (call.writableLength >= options.maxQueued || queuedBytes >= options.maxQueuedBytes) {
          end(new DbError('TOO_LARGE', `subscriber too slow: more than ${options.maxQueued} events or ${options.maxQueuedBytes} bytes waiting; resubscribe and read faster`));
          return;
        }
        const message = eventToProto(event);
        // About its size on the wire, plus what each queued write holds besides.
        const bytes = JSON.stringify(message).length + 256;
        queuedBytes += bytes;
        call.write(message, () => (queuedBytes -= bytes));
      }, filter);
    } catch (err) {
      end(err);
      return;
    }
    options.registry.add(end);
    call.on('cancelled', () => end());
    const deadline = call.getDeadline();
    const at = deadline instanceof Date ? deadline.getTime() : deadline;
    // grpc-js answers DEADLINE_EXCEEDED by itself; this drops the subscription at the same moment.
    if (Number.isFinite(at)) timer = setTimeout(() => end(new DbError('TIMEOUT', 'The call passed its deadline')), Math.max(0, at - Date.now()));
    // Initial metadata tells the client the subscription is live.
    call.sendMetadata(new grpc.Metadata());
  };
}
