import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { DbError } from '@tabagent/common';
import { abortedError } from '@tabagent/common';
import { selectAutoProvider, type AutoMlBridgeOptions } from '../auto/auto-provider.js';
import type { BuiltinMlBridgeOptions } from '../builtin/builtin-options.js';
import type { MlBridgeConfig } from '../create-ml-bridge.js';
import { consoleLogger, type MlLogger } from '../logger.js';
import type { MlBridge, MlBridgeInfo, MlBridgeStatus, MlCallOptions, MlEntity, MlHealth, SummarizeOptions } from '../ml-bridge.js';
import { validateTexts } from '../provider-base.js';
import type { CallMethod, FromWorker, SerializedError, ToWorker, WorkerProviderConfig } from './worker-protocol.js';

/** Options of {@link createWorkerMlBridge}. */
export interface WorkerMlBridgeOptions {
  /** Receives the `auto` choice line and worker-side fallbacks. Default: console. */
  logger?: MlLogger;
  /** Memory limits of the worker thread. Default: Node's. */
  resourceLimits?: ResourceLimits;
  /** Worker script; default: this package's worker entry (built or source). */
  workerUrl?: URL;
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: DbError): void;
  cleanup(): void;
}

/**
 * Runs a provider in a `worker_threads` Worker and exposes it as an `MlBridge`, so
 * CPU-heavy inference (ONNX, rule NER, hashing big batches) never blocks the event
 * loop of the thread that calls it. Embedding buffers are transferred, not copied.
 * `auto` is decided on the calling thread (the model locator stays here); the
 * worker gets a concrete provider config.
 *
 * @example
 * await using ml = await createWorkerMlBridge({ provider: 'onnx', modelDir, intraOpThreads: 2 });
 * const vectors = await ml.embed(texts, { signal });
 */
export async function createWorkerMlBridge(config: MlBridgeConfig = {}, options: WorkerMlBridgeOptions = {}): Promise<MlBridge> {
  const logger = options.logger ?? ('logger' in config && config.logger ? config.logger : consoleLogger);
  let concrete: WorkerProviderConfig;
  let reason: string | undefined;
  let fallback: BuiltinMlBridgeOptions | undefined;
  if (config.provider === undefined || config.provider === 'auto') {
    const auto = config as AutoMlBridgeOptions;
    const selection = await selectAutoProvider(auto);
    concrete = { provider: selection.provider, ...selection.options } as WorkerProviderConfig;
    reason = selection.reason;
    fallback = selection.provider === 'onnx' ? (auto.builtin ?? {}) : undefined;
  } else {
    concrete = config as WorkerProviderConfig;
    fallback = undefined;
  }
  const bridge = new WorkerMlBridge(options);
  await bridge.start(concrete, fallback, reason, logger);
  return bridge;
}

class WorkerMlBridge implements MlBridge {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #status: MlBridgeStatus = 'open';
  #info: MlBridgeInfo | undefined;
  #closing: Promise<void> | undefined;
  #onReady: ((message: FromWorker) => void) | undefined;
  #onClosed: (() => void) | undefined;

  constructor(options: WorkerMlBridgeOptions) {
    const script = workerScript(options.workerUrl);
    this.#worker = new Worker(script.code, {
      eval: script.eval,
      ...(script.execArgv ? { execArgv: script.execArgv } : {}),
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
    this.#worker.on('message', (message: FromWorker) => this.#receive(message));
    this.#worker.on('error', (err) => this.#fail(new DbError('UNAVAILABLE', `The ML worker crashed: ${err.message}`, { cause: err })));
    this.#worker.on('exit', (code) => {
      this.#fail(new DbError('UNAVAILABLE', `The ML worker exited (code ${code})`));
      this.#onClosed?.();
    });
  }

  async start(config: WorkerProviderConfig, fallback: BuiltinMlBridgeOptions | undefined, reason: string | undefined, logger: MlLogger): Promise<void> {
    const ready = new Promise<FromWorker>((resolve) => {
      this.#onReady = resolve;
    });
    this.#post({ type: 'init', config, ...(fallback ? { fallback } : {}), ...(reason ? { reason } : {}) });
    const message = await ready;
    if (message.type === 'init-error') {
      await this.#worker.terminate();
      this.#status = 'closed';
      throw revive(message.error);
    }
    if (message.type !== 'ready') throw new DbError('INTERNAL', `Unexpected worker message ${message.type}`);
    const why = message.fellBack ?? reason;
    this.#info = why === undefined ? message.info : { ...message.info, reason: why };
    if (message.fellBack) logger.warn(`using builtin in worker: ${message.fellBack}`, { provider: 'builtin' });
    else if (reason) logger.info(`using ${message.info.provider} in worker: ${reason}`, { provider: message.info.provider });
  }

  get status(): MlBridgeStatus {
    return this.#status;
  }

  info(): MlBridgeInfo {
    if (!this.#info) throw new DbError('NOT_OPEN', 'The ML worker is not ready');
    return structuredClone(this.#info);
  }

  embed(texts: readonly string[], options: MlCallOptions = {}): Promise<Float32Array[]> {
    return this.#call('embed', texts, options.signal) as Promise<Float32Array[]>;
  }

  extractEntities(texts: readonly string[], options: MlCallOptions = {}): Promise<MlEntity[][]> {
    return this.#call('extractEntities', texts, options.signal) as Promise<MlEntity[][]>;
  }

  summarize(texts: readonly string[], options: SummarizeOptions = {}): Promise<string> {
    return this.#call('summarize', texts, options.signal, options.maxLength) as Promise<string>;
  }

  async health(options: MlCallOptions = {}): Promise<MlHealth> {
    const provider = this.#info?.provider ?? 'worker';
    if (this.#status !== 'open') return { ok: false, provider, status: this.#status, detail: 'closed' };
    try {
      return (await this.#call('health', [], options.signal)) as MlHealth;
    } catch (err) {
      return { ok: false, provider, status: this.#status, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    if (this.#status === 'closed') return Promise.resolve();
    this.#status = 'closing';
    this.#closing = new Promise<void>((resolve) => {
      this.#onClosed = resolve;
      this.#post({ type: 'close' });
    }).then(async () => {
      this.#status = 'closed';
      await this.#worker.terminate();
    });
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #call(method: CallMethod, texts: readonly string[], signal: AbortSignal | undefined, maxLength?: number): Promise<unknown> {
    try {
      if (this.#status !== 'open') throw new DbError('NOT_OPEN', `The ML worker bridge is ${this.#status}`);
      validateTexts(texts);
      if (signal?.aborted) throw abortedError(signal);
    } catch (err) {
      return Promise.reject(DbError.from(err));
    }
    const id = this.#nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        this.#post({ type: 'abort', id });
        // Release the caller now; the worker's late answer is ignored.
        this.#settle(id)?.reject(abortedError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, { resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) });
      this.#post({ type: 'call', id, method, texts: [...texts], ...(maxLength === undefined ? {} : { maxLength }) });
    });
  }

  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    pending.cleanup();
    return pending;
  }

  #receive(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
      case 'init-error':
        this.#onReady?.(message);
        return;
      case 'result':
        this.#settle(message.id)?.resolve(message.value);
        return;
      case 'error':
        this.#settle(message.id)?.reject(revive(message.error));
        return;
      case 'closed':
        this.#onClosed?.();
        return;
    }
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }

  #fail(error: DbError): void {
    if (this.#status !== 'closed' && this.#closing === undefined) this.#status = 'closed';
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
    this.#onReady?.({ type: 'init-error', error: { code: error.code, message: error.message, details: error.details } });
  }
}

function revive(error: SerializedError): DbError {
  return new DbError(error.code, error.message, { details: error.details });
}

/**
 * The worker script: the built `.js` next to the bundle, or — when this module runs
 * from source (tests, benchmarks) — the `.ts` entry behind a small bootstrap that
 * registers tsx's loader inside the worker (`--import` in a worker's execArgv is not
 * honoured on Node 20) and resolves workspace packages to their sources.
 */
function workerScript(override: URL | undefined): { code: URL | string; eval: boolean; execArgv?: string[] } {
  if (override) return { code: override, eval: false };
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { code: new URL('./worker/worker-entry.js', here), eval: false };
  // Resolved for `import`: under plain `node --import tsx`, require-resolution picks tsx's
  // CommonJS build of `tsx/esm/api`, whose register() looks for its loader at a path
  // that does not exist; the ESM build works everywhere (vitest resolves it too).
  const tsxApi = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href.replace(/\/index\.cjs$/u, '/index.mjs');
  const entry = new URL('./worker-entry.ts', here).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { (m.register ?? m.default.register)(); return import(${JSON.stringify(entry)}); });`;
  return { code: bootstrap, eval: true, execArgv: ['--conditions=source'] };
}
