import { abortedError, DbError } from '@tabagent/common';
import type { MlBridge, MlBridgeInfo, MlEntity } from '@tabagent/ml-bridge';

/** The ML calls the modules make, each with a signal and a time limit. */
export interface WeaverMl {
  info(): MlBridgeInfo;
  embed(texts: readonly string[], signal: AbortSignal): Promise<Float32Array[]>;
  extractEntities(texts: readonly string[], signal: AbortSignal): Promise<MlEntity[][]>;
  summarize(texts: readonly string[], maxLength: number, signal: AbortSignal): Promise<string>;
}

/**
 * Wraps any `MlBridge` so that no call can hang a module: each call ends with `TIMEOUT`
 * after `timeoutMs`, or `ABORTED` as soon as the task's signal fires — even if the
 * provider ignores its signal. Failures are always `DbError`s.
 */
export class GuardedMl implements WeaverMl {
  readonly #ml: MlBridge;
  readonly #timeoutMs: number;

  constructor(ml: MlBridge, timeoutMs: number) {
    this.#ml = ml;
    this.#timeoutMs = timeoutMs;
  }

  info(): MlBridgeInfo {
    return this.#ml.info();
  }

  embed(texts: readonly string[], signal: AbortSignal): Promise<Float32Array[]> {
    return this.#guard('embed', texts.length, signal, (s) => this.#ml.embed(texts, { signal: s }));
  }

  extractEntities(texts: readonly string[], signal: AbortSignal): Promise<MlEntity[][]> {
    return this.#guard('extractEntities', texts.length, signal, (s) => this.#ml.extractEntities(texts, { signal: s }));
  }

  summarize(texts: readonly string[], maxLength: number, signal: AbortSignal): Promise<string> {
    return this.#guard('summarize', texts.length, signal, (s) => this.#ml.summarize(texts, { maxLength, signal: s }));
  }

  async #guard<T>(call: string, texts: number, signal: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) throw DbError.from(signal.reason, 'ABORTED');
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new DbError('TIMEOUT', `ML ${call} of ${texts} text(s) took longer than ${this.#timeoutMs} ms`, {
          details: { call, texts, timeoutMs: this.#timeoutMs },
        });
        controller.abort(error);
        reject(error);
      }, this.#timeoutMs);
      onAbort = () => {
        controller.abort(signal.reason);
        reject(DbError.is(signal.reason) ? signal.reason : abortedError(signal, `ML ${call} aborted`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([run(controller.signal), stopped]);
    } catch (err) {
      throw DbError.from(err, 'UNAVAILABLE');
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
      stopped.catch(() => undefined);
    }
  }
}
