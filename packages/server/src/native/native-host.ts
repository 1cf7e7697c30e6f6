import { once } from 'node:events';
import { DbError, jsonDepthExceeds, validate } from '@tabagent/common';
import type { EventFilter, TabAgent, TabAgentEvent } from 'tabagent';
import { eventFilterParams, invokeOperation, MAX_REQUEST_DEPTH } from '../operations/index.js';
import { encodeNativeMessage, readNativeFrames } from './framing.js';
import { NATIVE_HOST_DEFAULTS, type NativeHostOptions } from './native-host-options.js';
import { resultMessages } from './paging.js';
import { guardStdout } from './stdout-guard.js';

type RequestId = string | number;

interface Request {
  id: RequestId;
  method: string;
  params?: unknown;
}

/** Codes whose message would tell a client about the internals: REST hides them too. */
const INTERNAL_CODES = new Set(['INTERNAL', 'CORRUPTED']);

function errorBody(err: unknown): { code: string; message: string; details?: object } {
  const e = DbError.from(err);
  // Internal failures say neither what failed nor how (as REST's 500s): the log has it.
  if (INTERNAL_CODES.has(e.code)) return { code: e.code, message: 'internal error (see the host’s log)' };
  return Object.keys(e.details).length > 0 ? { code: e.code, message: e.message, details: e.details } : { code: e.code, message: e.message };
}

function parseRequest(message: unknown): Request {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new DbError('INVALID_ARGUMENT', 'a request must be an object { id, method, params }', { details: { field: '' } });
  }
  const { id, method, params } = message as Record<string, unknown>;
  if (!((typeof id === 'string' && id !== '' && id.length <= 256) || (typeof id === 'number' && Number.isFinite(id)))) {
    throw new DbError('INVALID_ARGUMENT', 'id: expected a non-empty string or a number', { details: { field: 'id' } });
  }
  if (typeof method !== 'string' || method === '' || method.length > 100) {
    throw Object.assign(new DbError('INVALID_ARGUMENT', 'method: expected a method name', { details: { field: 'method' } }), { requestId: id });
  }
  if (jsonDepthExceeds(params, MAX_REQUEST_DEPTH - 1)) {
    throw Object.assign(new DbError('INVALID_ARGUMENT', `params: nested deeper than ${MAX_REQUEST_DEPTH} levels`, { details: { field: 'params' } }), { requestId: id });
  }
  return { id, method, params };
}

/**
 * Speaks Chrome's native-messaging protocol on `input`/`output` over `db` until the
 * input ends (the browser closed the port), then drops subscriptions, lets running
 * requests answer, and resolves. It never closes `db`.
 *
 * Protocol (JSON in 4-byte little-endian length frames):
 * - request `{id, method, params}` → `{id, ok: true, result}` or `{id, ok: false, error: {code, message, details?}}`;
 *   methods are the operations (`chats.addMessage`, `search`, …) plus `subscribe`
 *   (params: `{kinds?, chatId?, nodeKinds?}` → `{subscription}`), `unsubscribe`
 *   (`{subscription}`), `cancel` (`{id}` of a running request) and `ping`;
 * - a result over 1 MiB arrives as parts `{id, ok: true, part: {index, count}, data}`:
 *   join the `data` strings and parse them;
 * - pushed events `{event: 'change' | 'enriched', subscription, data}`; when the browser
 *   reads too slowly, events are dropped and `{event: 'dropped', count}` follows;
 * - a frame that is not a request (bad JSON, bad UTF-8, too long) is answered with
 *   `{id: null, ok: false, error}` and the host keeps reading.
 *
 * @example
 * // tabagent serve --mode native
 * await runNativeHost(db); // stdin/stdout; logs to stderr
 */
export async function runNativeHost(db: TabAgent, options: NativeHostOptions = {}): Promise<void> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maxIncomingBytes = options.maxIncomingBytes ?? NATIVE_HOST_DEFAULTS.maxIncomingBytes;
  const maxOutgoingBytes = options.maxOutgoingBytes ?? NATIVE_HOST_DEFAULTS.maxOutgoingBytes;
  const maxPendingEventBytes = options.maxPendingEventBytes ?? NATIVE_HOST_DEFAULTS.maxPendingEventBytes;
  const maxPendingReplyBytes = options.maxPendingReplyBytes ?? NATIVE_HOST_DEFAULTS.maxPendingReplyBytes;
  const maxBufferedBytes = options.maxBufferedBytes ?? NATIVE_HOST_DEFAULTS.maxBufferedBytes;
  const maxConcurrentRequests = options.maxConcurrentRequests ?? NATIVE_HOST_DEFAULTS.maxConcurrentRequests;
  const stalledCloseMs = options.stalledCloseMs ?? NATIVE_HOST_DEFAULTS.stalledCloseMs;
  /** Aborts when the browser stopped reading for good: the reading loop ends. */
  const stalled = new AbortController();

  const unguard = output === process.stdout ? guardStdout() : () => {};
  let outputBroken = false;
  output.on('error', (err) => {
    if (!outputBroken) log(`native host: output closed (${err.message}); stopping replies`);
    outputBroken = true;
  });
  /** The browser stopped reading for good: no more replies, and the host ends as if the port closed. */
  const stopForStall = (): void => {
    if (outputBroken) return;
    outputBroken = true;
    log(`native host: the browser stopped reading (${output.writableLength} bytes waiting); closing`);
    stalled.abort();
  };
  const send = (message: unknown): void => {
    if (outputBroken) return;
    if (output.writableLength > maxBufferedBytes) return stopForStall();
    output.write(encodeNativeMessage(message));
  };

  const subscriptions = new Map<string, () => void>();
  let nextSubscription = 1;
  let droppedEvents = 0;
  const push = (subscription: string, event: TabAgentEvent): void => {
    // A browser that stops reading must not make the database wait or the host balloon.
    if (output.writableLength > maxPendingEventBytes) {
      droppedEvents++;
      return;
    }
    if (droppedEvents > 0) {
      send({ event: 'dropped', count: droppedEvents });
      droppedEvents = 0;
    }
    const { kind, ...data } = event;
    send({ event: kind, subscription, data });
  };

  const running = new Map<RequestId, AbortController>();
  const settled = new Set<Promise<void>>();

  const handle = async (request: Request, signal: AbortSignal): Promise<unknown> => {
    switch (request.method) {
      case 'ping':
        return { pong: true, at: Date.now() };
      case 'subscribe': {
        const filter = validate(eventFilterParams, request.params ?? {}, 'params') as EventFilter;
        const name = `sub_${nextSubscription++}`;
        subscriptions.set(name, db.subscribe((event) => push(name, event), filter));
        return { subscription: name };
      }
      case 'unsubscribe': {
        const { subscription } = (request.params ?? {}) as { subscription?: unknown };
        const stop = typeof subscription === 'string' ? subscriptions.get(subscription) : undefined;
        if (stop === undefined) throw new DbError('NOT_FOUND', `no subscription ${String(subscription)}`, { details: { field: 'params.subscription' } });
        stop();
        subscriptions.delete(subscription as string);
        return { unsubscribed: subscription };
      }
      case 'cancel': {
        const { id } = (request.params ?? {}) as { id?: unknown };
        const target = running.get(id as RequestId);
        target?.abort(new DbError('ABORTED', `request ${String(id)} was cancelled`));
        return { cancelled: target !== undefined };
      }
      default:
        return invokeOperation(db, request.method, request.params, { signal }, { fieldPrefix: 'params' });
    }
  };

  const dispatch = (message: unknown): void => {
    let request: Request;
    try {
      request = parseRequest(message);
    } catch (err) {
      send({ id: (err as { requestId?: RequestId }).requestId ?? null, ok: false, error: errorBody(err) });
      return;
    }
    if (running.has(request.id)) {
      send({ id: request.id, ok: false, error: errorBody(new DbError('CONFLICT', `request ${request.id} is still running`, { details: { field: 'id' } })) });
      return;
    }
    const controller = new AbortController();
    running.set(request.id, controller);
    const done = handle(request, controller.signal)
      .then(
        (result) => {
          for (const part of resultMessages(request.id, result, maxOutgoingBytes)) send(part);
        },
        (err: unknown) => {
          const error = DbError.from(controller.signal.aborted ? controller.signal.reason : err);
          if (INTERNAL_CODES.has(error.code)) log(`native host: ${request.method} failed: ${error.message}`);
          send({ id: request.id, ok: false, error: errorBody(error) });
        },
      )
      .finally(() => {
        running.delete(request.id);
        settled.delete(done);
      });
    settled.add(done);
  };

  /**
   * Backpressure: no new request is read while too many run or too many reply bytes wait
   * for the browser; memory stays bounded when the browser stops reading.
   */
  const roomForMore = async (): Promise<void> => {
    while (!outputBroken && (running.size >= maxConcurrentRequests || output.writableLength > maxPendingReplyBytes)) {
      if (output.writableLength > maxPendingReplyBytes) {
        // The browser is not reading: wait for it, but not for ever.
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise<'stalled'>((resolve) => (timer = setTimeout(() => resolve('stalled'), stalledCloseMs)));
        const outcome = await Promise.race([once(output, 'drain'), once(output, 'close'), once(stalled.signal, 'abort'), gaveUp]).catch(() => undefined);
        clearTimeout(timer);
        if (outcome === 'stalled') stopForStall();
      } else {
        await Promise.race([...settled, once(stalled.signal, 'abort')]).catch(() => {});
      }
    }
  };

  try {
    for await (const frame of readNativeFrames(input, { maxBytes: maxIncomingBytes })) {
      if (frame.ok) dispatch(frame.message);
      else {
        log(`native host: ${frame.error.message}`);
        send({ id: null, ok: false, error: errorBody(frame.error) });
        if (frame.fatal === true) break;
      }
      await roomForMore();
      if (outputBroken) break;
    }
  } finally {
    for (const stop of subscriptions.values()) stop();
    subscriptions.clear();
    await Promise.allSettled([...settled]);
    // The streams are the caller's (stdout stays open for the process); only wait until the replies are handed over.
    if (!outputBroken && output.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        output.once('drain', resolve);
        output.once('close', resolve);
        output.once('error', resolve);
      });
    }
    unguard();
  }
}
