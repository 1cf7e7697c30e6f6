import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DbError, ErrorCodes, type ErrorCode } from '@tabagent/common';
import { WORKER_ROLE, type HnswParams, type ResponseEnvelope, type WorkerRequest, type WorkerResponses } from './protocol.js';
import { WORKER_MODULE_URL } from './vector-worker.js';

// From source (tests, tsx) the worker module is TypeScript. Node 20 applies no module
// hooks to a worker's entry, so a tiny CommonJS bootstrap registers tsx's require hook
// first. Built, the entry is the package bundle itself, which starts the worker when it
// sees `workerData.role`.
const TS_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
require(workerData.tsxCjsApi).register();
require(workerData.entry);
`;

function spawn(params: HnswParams): Worker {
  const workerData: Record<string, unknown> = { role: WORKER_ROLE, params };
  if (WORKER_MODULE_URL.endsWith('.ts')) {
    workerData['tsxCjsApi'] = fileURLToPath(import.meta.resolve('tsx/cjs/api'));
    workerData['entry'] = fileURLToPath(WORKER_MODULE_URL);
    return new Worker(TS_BOOTSTRAP, { eval: true, workerData, execArgv: [] });
  }
  return new Worker(new URL(WORKER_MODULE_URL), { workerData });
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ErrorCodes, code);
}

/**
 * Request/response calls to one vector worker. The worker holds the process open only
 * while calls are pending, so a forgotten index never keeps a program alive.
 */
export class WorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: DbError | undefined;
  #closing: Promise<void> | undefined;

  constructor(params: HnswParams) {
    this.#worker = spawn(params);
    this.#worker.unref();
    this.#worker.on('message', (envelope: ResponseEnvelope) => this.#settle(envelope));
    this.#worker.on('error', (err) => this.#fail(new DbError('INTERNAL', `vector worker failed: ${err.message}`, { cause: err })));
    this.#worker.on('exit', (code) => this.#fail(new DbError('UNAVAILABLE', `vector worker exited (code ${code})`)));
  }

  /** Set once the worker died or was closed; every later call rejects with it. */
  get failure(): DbError | undefined {
    return this.#failure;
  }

  get pending(): number {
    return this.#pending.size;
  }

  call<K extends WorkerRequest['op']>(
    request: Extract<WorkerRequest, { op: K }>,
    transfer: ArrayBuffer[] = [],
  ): Promise<WorkerResponses[K]> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<WorkerResponses[K]>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ id, request }, transfer);
    });
  }

  #settle(envelope: ResponseEnvelope): void {
    const pending = this.#pending.get(envelope.id);
    if (pending === undefined) return;
    this.#pending.delete(envelope.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (envelope.ok) pending.resolve(envelope.response);
    else {
      const { code, message } = envelope.error;
      pending.reject(new DbError(isErrorCode(code) ? code : 'INTERNAL', message));
    }
  }

  #fail(error: DbError): void {
    this.#failure ??= error;
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
  }

  /** Lets pending calls finish (unless `force`), then stops the worker. */
  close(force = false): Promise<void> {
    this.#closing ??= (async () => {
      if (!force) {
        await Promise.allSettled(
          [...this.#pending.values()].map((p) => new Promise<void>((done) => {
            const { resolve, reject } = p;
            p.resolve = (v) => { resolve(v); done(); };
            p.reject = (e) => { reject(e); done(); };
          })),
        );
      }
      this.#fail(new DbError('NOT_OPEN', 'vector worker is closed'));
      await this.#worker.terminate();
    })();
    return this.#closing;
  }
}
