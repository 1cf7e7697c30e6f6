import { timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { DbError } from '@tabagent/common';

/** The part of a grpc-js server call {@link callSignal} needs (unary and streaming calls alike). */
export interface CancellableCall {
  getDeadline(): Date | number;
  on(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}

/** A signal for one server call, and what the deadline leaves of its time. */
export interface CallSignal {
  /** Aborts when the client cancels (`ABORTED`) or the deadline passes (`TIMEOUT`). */
  signal: AbortSignal;
  /** Milliseconds left until the deadline, or undefined without one. */
  timeoutMs: number | undefined;
  /** Releases the timer and listener; call when the handler is done. */
  dispose(): void;
}

/**
 * Turns a call's cancellation and deadline into an AbortSignal, so work stops when the
 * client goes away or runs out of time (grpc-js only answers DEADLINE_EXCEEDED; it does
 * not stop the handler).
 */
export function callSignal(call: CancellableCall): CallSignal {
  const controller = new AbortController();
  const onCancel = (): void => controller.abort(new DbError('ABORTED', 'The client cancelled the call'));
  call.on('cancelled', onCancel);
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  let timer: NodeJS.Timeout | undefined;
  let timeoutMs: number | undefined;
  if (Number.isFinite(at)) {
    timeoutMs = Math.max(0, at - Date.now());
    timer = setTimeout(() => controller.abort(new DbError('TIMEOUT', 'The call passed its deadline')), timeoutMs);
    timer.unref();
  }
  return {
    signal: controller.signal,
    timeoutMs,
    dispose: () => {
      if (timer !== undefined) clearTimeout(timer);
      call.removeListener('cancelled', onCancel);
    },
  };
}

/**
 * Checks `authorization: Bearer <token>` metadata in constant time; a server without a
 * token accepts every call.
 *
 * @throws DbError `UNAUTHENTICATED`
 */
export function requireToken(metadata: Metadata, token: string | undefined): void {
  if (token === undefined) return;
  const sent = metadata.get('authorization')[0];
  const match = typeof sent === 'string' ? /^Bearer\s+(.+)$/iu.exec(sent.trim()) : null;
  const given = Buffer.from(match?.[1] ?? '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new DbError('UNAUTHENTICATED', match ? 'invalid token' : 'missing authorization metadata (expected "Bearer <token>")');
  }
}
