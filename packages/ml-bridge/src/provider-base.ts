import { abortedError, DbError, throwIfAborted } from '@tabagent/common';
import type {
  MlBridge,
  MlBridgeInfo,
  MlBridgeStatus,
  MlCallOptions,
  MlEntity,
  MlHealth,
  SummarizeOptions,
} from './ml-bridge.js';

/** Summary length used when the caller gives none. */
export const DEFAULT_SUMMARY_LENGTH = 500;

/**
 * Lifecycle, argument validation and abort checks shared by every provider, so each
 * provider only writes its inference and the contract is enforced in one place.
 */
export abstract class ProviderBase implements MlBridge {
  #status: MlBridgeStatus = 'open';
  #closing: Promise<void> | undefined;
  readonly #inFlight = new Set<Promise<unknown>>();

  get status(): MlBridgeStatus {
    return this.#status;
  }

  abstract info(): MlBridgeInfo;

  protected abstract doEmbed(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]>;
  protected abstract doExtractEntities(texts: readonly string[], signal: AbortSignal | undefined): Promise<MlEntity[][]>;
  protected abstract doSummarize(texts: readonly string[], maxLength: number, signal: AbortSignal | undefined): Promise<string>;
  /** Releases provider resources; called once, after in-flight calls settle. */
  protected abstract doClose(): Promise<void>;
  /** Provider-specific readiness probe; the base handles lifecycle. */
  protected async doHealth(_signal: AbortSignal | undefined): Promise<{ ok: boolean; detail?: string }> {
    return { ok: true };
  }

  embed(texts: readonly string[], options: MlCallOptions = {}): Promise<Float32Array[]> {
    return this.#run(texts, options.signal, (valid) => (valid.length === 0 ? Promise.resolve([]) : this.doEmbed(valid, options.signal)));
  }

  extractEntities(texts: readonly string[], options: MlCallOptions = {}): Promise<MlEntity[][]> {
    return this.#run(texts, options.signal, (valid) =>
      valid.length === 0 ? Promise.resolve([]) : this.doExtractEntities(valid, options.signal),
    );
  }

  summarize(texts: readonly string[], options: SummarizeOptions = {}): Promise<string> {
    const maxLength = options.maxLength ?? DEFAULT_SUMMARY_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < 1) {
      return Promise.reject(
        new DbError('INVALID_ARGUMENT', 'maxLength must be a positive integer', { details: { field: 'maxLength' } }),
      );
    }
    return this.#run(texts, options.signal, (valid) =>
      valid.every((t) => t.trim() === '') ? Promise.resolve('') : this.doSummarize(valid, maxLength, options.signal),
    );
  }

  async health(options: MlCallOptions = {}): Promise<MlHealth> {
    const provider = this.info().provider;
    if (this.#status !== 'open') return { ok: false, provider, status: this.#status, detail: 'closed' };
    try {
      throwIfAborted(options.signal);
      const probe = await this.doHealth(options.signal);
      return { ok: probe.ok, provider, status: this.#status, ...(probe.detail === undefined ? {} : { detail: probe.detail }) };
    } catch (err) {
      return { ok: false, provider, status: this.#status, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#status = 'closing';
    this.#closing = (async () => {
      // Let running calls finish (or fail) before their session disappears under them.
      await Promise.allSettled([...this.#inFlight]);
      try {
        await this.doClose();
      } finally {
        this.#status = 'closed';
      }
    })();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #run<T>(texts: readonly string[], signal: AbortSignal | undefined, fn: (valid: readonly string[]) => Promise<T>): Promise<T> {
    let promise: Promise<T>;
    try {
      if (this.#status !== 'open') throw new DbError('NOT_OPEN', `The ${this.info().provider} ML bridge is ${this.#status}`);
      validateTexts(texts);
      throwIfAborted(signal);
      promise = fn(texts).catch((err: unknown) => {
        if (signal?.aborted && !DbError.is(err, 'ABORTED')) throw abortedError(signal);
        throw DbError.from(err);
      });
    } catch (err) {
      return Promise.reject(DbError.from(err));
    }
    this.#inFlight.add(promise);
    const untrack = (): void => {
      this.#inFlight.delete(promise);
    };
    promise.then(untrack, untrack);
    return promise;
  }
}

/** Rejects anything but an array of strings with `INVALID_ARGUMENT` naming the index. */
export function validateTexts(texts: unknown): asserts texts is readonly string[] {
  if (!Array.isArray(texts)) {
    throw new DbError('INVALID_ARGUMENT', 'texts must be an array of strings', { details: { field: 'texts' } });
  }
  for (let i = 0; i < texts.length; i++) {
    if (typeof texts[i] !== 'string') {
      throw new DbError('INVALID_ARGUMENT', `texts[${i}] must be a string`, { details: { field: `texts.${i}` } });
    }
  }
}
