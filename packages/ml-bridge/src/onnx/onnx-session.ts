import { DbError } from '@tabagent/common';
import type * as Ort from 'onnxruntime-node';
import type { EncodedText } from './hf-tokenizer.js';

type OrtModule = typeof Ort;

/** What the session runs on. */
export interface SessionSettings {
  /** Execution providers in order of preference; `cpu` is appended when missing. */
  executionProviders: readonly string[];
  /** Intra-op thread count; undefined lets ONNX Runtime decide. */
  intraOpThreads: number | undefined;
}

/** A float output tensor. */
export interface FloatOutput {
  data: Float32Array;
  dims: readonly number[];
}

let ortModule: Promise<OrtModule> | undefined;

/** Loads onnxruntime-node on first use, so builtin-only users never load the native library. */
export function loadOrt(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node')
    .then((m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule)
    .catch((err: unknown) => {
      ortModule = undefined;
      throw new DbError('UNAVAILABLE', 'onnxruntime-node could not be loaded', { cause: err });
    });
  return ortModule;
}

/**
 * One ONNX Runtime inference session. Runs are serialised: ONNX Runtime already
 * spreads one run over `intraOpThreads` cores, and overlapping runs would only
 * oversubscribe them.
 */
export class OnnxSession {
  readonly #ort: OrtModule;
  readonly #session: Ort.InferenceSession;
  /** Execution providers the session was created with (after any fallback). */
  readonly executionProviders: readonly string[];
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(ort: OrtModule, session: Ort.InferenceSession, providers: readonly string[]) {
    this.#ort = ort;
    this.#session = session;
    this.executionProviders = providers;
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  /**
   * Creates a session for `path`. When the preferred execution providers cannot be
   * created (no GPU, missing driver), falls back to CPU rather than failing. An
   * unreadable graph is `CORRUPTED`.
   */
  static async create(path: string, settings: SessionSettings): Promise<OnnxSession> {
    const ort = await loadOrt();
    const preferred = settings.executionProviders.includes('cpu')
      ? [...settings.executionProviders]
      : [...settings.executionProviders, 'cpu'];
    const attempts = preferred.length > 1 ? [preferred, ['cpu']] : [preferred];
    let lastError: unknown;
    for (const providers of attempts) {
      try {
        const session = await ort.InferenceSession.create(path, {
          executionProviders: providers,
          graphOptimizationLevel: 'all',
          ...(settings.intraOpThreads === undefined ? {} : { intraOpNumThreads: settings.intraOpThreads }),
        });
        return new OnnxSession(ort, session, providers);
      } catch (err) {
        lastError = err;
      }
    }
    throw new DbError('CORRUPTED', `ONNX Runtime could not load ${path}`, { cause: lastError, details: { path } });
  }

  /**
   * Runs one padded batch through the graph, feeding exactly the BERT-style inputs
   * the graph declares (`input_ids`, `attention_mask`, `token_type_ids`).
   */
  runBatch(batch: readonly EncodedText[], padId: number): Promise<{ outputs: Record<string, FloatOutput>; seq: number; mask: Int8Array }> {
    const run = this.#queue.then(() => this.#run(batch, padId));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(batch: readonly EncodedText[], padId: number): Promise<{ outputs: Record<string, FloatOutput>; seq: number; mask: Int8Array }> {
    const seq = Math.max(1, ...batch.map((e) => e.ids.length));
    const size = batch.length * seq;
    const ids = new BigInt64Array(size).fill(BigInt(padId));
    const attention = new BigInt64Array(size);
    const types = new BigInt64Array(size);
    const mask = new Int8Array(size);
    batch.forEach((enc, b) => {
      for (let t = 0; t < enc.ids.length; t++) {
        ids[b * seq + t] = BigInt(enc.ids[t] as number);
        attention[b * seq + t] = 1n;
        types[b * seq + t] = BigInt(enc.typeIds[t] ?? 0);
        mask[b * seq + t] = 1;
      }
    });
    const dims = [batch.length, seq];
    const available: Record<string, BigInt64Array> = { input_ids: ids, attention_mask: attention, token_type_ids: types };
    const feeds: Record<string, Ort.Tensor> = {};
    for (const name of this.#session.inputNames) {
      const data = available[name];
      if (!data) {
        throw new DbError('UNSUPPORTED', `The ONNX graph needs an input this bridge cannot provide: ${name}`, {
          details: { inputs: [...this.#session.inputNames] },
        });
      }
      feeds[name] = new this.#ort.Tensor('int64', data, dims);
    }
    let results: Ort.InferenceSession.ReturnType;
    try {
      results = await this.#session.run(feeds);
    } catch (err) {
      throw new DbError('INTERNAL', 'ONNX Runtime inference failed', { cause: err });
    }
    const outputs: Record<string, FloatOutput> = {};
    for (const [name, tensor] of Object.entries(results)) {
      if (tensor.type === 'float32') outputs[name] = { data: tensor.data as Float32Array, dims: tensor.dims };
    }
    return { outputs, seq, mask };
  }

  async release(): Promise<void> {
    await this.#queue;
    await this.#session.release();
  }
}
