import { describe, expect, it } from 'vitest';
import { abortedError, throwIfAborted } from './abort.js';
import { DbError } from './db-error.js';

describe('abort helpers', () => {
  it('throws ABORTED with the reason as cause once the signal fires', () => {
    const controller = new AbortController();
    expect(() => throwIfAborted(controller.signal)).not.toThrow();
    expect(() => throwIfAborted(undefined)).not.toThrow();
    const reason = new Error('stop');
    controller.abort(reason);
    let caught: unknown;
    try {
      throwIfAborted(controller.signal);
    } catch (err) {
      caught = err;
    }
    expect(DbError.is(caught, 'ABORTED')).toBe(true);
    expect((caught as DbError).cause).toBe(reason);
  });

  it('builds the error without throwing', () => {
    const signal = AbortSignal.abort('gone');
    const err = abortedError(signal, 'drain aborted');
    expect(err.code).toBe('ABORTED');
    expect(err.cause).toBe('gone');
  });
});
