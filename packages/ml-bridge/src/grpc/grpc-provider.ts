import * as grpc from '@grpc/grpc-js';
import { abortedError, DbError, throwIfAborted } from '@tabagent/common';
import { stripUndefined } from '../builtin/builtin-provider.js';
import { normalizeEntityLabel } from '../entity-labels.js';
import type { MlBridgeInfo, MlEntity, MlQuality } from '../ml-bridge.js';
import { ProviderBase } from '../provider-base.js';
import { clip } from '../text/extractive-summary.js';
import { GRPC_DEFAULTS, type GrpcMlBridgeOptions } from './grpc-options.js';
import { mlInferenceClientConstructor } from './ml-inference-service.js';
import { fromGrpcError } from './status-codes.js';

type Resolved = Required<Omit<GrpcMlBridgeOptions, 'token' | 'rootCertificates'>> & Pick<GrpcMlBridgeOptions, 'token' | 'rootCertificates'>;

interface RemoteInfo {
  provider?: string;
  quality?: string;
  embedding?: { model?: string; dimensions?: number; normalized?: boolean };
  entities?: { model?: string };
  summarizer?: { model?: string; kind?: string };
  reason?: string;
}

type Callback = (err: grpc.ServiceError | null, value?: unknown) => void;
type UnaryMethod = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback) => grpc.ClientUnaryCall;

/**
 * A remote ML service speaking `protos/ml_inference.proto` — another TabAgent's
 * `tabagent serve --mode grpc` (with ML exposed) or any server implementing it.
 * Vectors keep the remote model's name, so they share its embedding space.
 *
 * @example
 * const ml = await createMlBridge({ provider: 'grpc', address: '127.0.0.1:50051' });
 * const [v] = await ml.embed(['hello']);
 */
export class GrpcMlBridge extends ProviderBase {
  readonly #o: Resolved;
  readonly #client: grpc.Client;
  readonly #metadata: grpc.Metadata;
  #info: MlBridgeInfo;

  private constructor(options: Resolved, client: grpc.Client, metadata: grpc.Metadata, info: MlBridgeInfo) {
    super();
    this.#o = options;
    this.#client = client;
    this.#metadata = metadata;
    this.#info = info;
  }

  /**
   * Connects and reads the remote provider's `Info` (so `info()` stays synchronous).
   * An unreachable server is `UNAVAILABLE` after `connectTimeoutMs`.
   */
  static async connect(options: GrpcMlBridgeOptions): Promise<GrpcMlBridge> {
    if (typeof options?.address !== 'string' || options.address.trim() === '') {
      throw new DbError('INVALID_ARGUMENT', 'address must be a host:port or grpc target', { details: { field: 'address' } });
    }
    const o = { ...GRPC_DEFAULTS, ...stripUndefined(options) } as Resolved;
    for (const field of ['timeoutMs', 'connectTimeoutMs', 'maxBatchSize', 'maxMessageBytes'] as const) {
      if (!Number.isInteger(o[field]) || o[field] < 1) {
        throw new DbError('INVALID_ARGUMENT', `${field} must be a positive integer`, { details: { field } });
      }
    }
    const credentials = o.tls
      ? grpc.credentials.createSsl(o.rootCertificates === undefined ? null : Buffer.from(o.rootCertificates))
      : grpc.credentials.createInsecure();
    const Client = mlInferenceClientConstructor();
    const client = new Client(o.address, credentials, {
      'grpc.max_receive_message_length': o.maxMessageBytes,
      'grpc.max_send_message_length': o.maxMessageBytes,
    });
    const metadata = new grpc.Metadata();
    if (o.token !== undefined) metadata.set('authorization', `Bearer ${o.token}`);
    try {
      await new Promise<void>((resolve, reject) =>
        client.waitForReady(Date.now() + o.connectTimeoutMs, (err) => (err ? reject(new DbError('UNAVAILABLE', `MlInference at ${o.address} is not reachable: ${err.message}`, { cause: err })) : resolve())),
      );
      const remote = (await call(client, 'Info', {}, metadata, o.connectTimeoutMs, undefined)) as RemoteInfo;
      return new GrpcMlBridge(o, client, metadata, toInfo(remote, o.address));
    } catch (err) {
      client.close();
      throw DbError.from(err);
    }
  }

  info(): MlBridgeInfo {
    return this.#info;
  }

  protected async doEmbed(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.#o.maxBatchSize) {
      throwIfAborted(signal);
      const batch = texts.slice(i, i + this.#o.maxBatchSize);
      const answer = (await this.#call('Embed', { texts: batch }, signal)) as { vectors?: { values?: number[] }[]; dimensions?: number };
      const vectors = answer.vectors ?? [];
      if (vectors.length !== batch.length) throw new DbError('CORRUPTED', `Embed answered ${vectors.length} vectors for ${batch.length} texts`);
      for (const v of vectors) {
        const vector = Float32Array.from(v.values ?? []);
        const dims = this.#info.embedding.dimensions;
        if (vector.length === 0 || (dims !== undefined && vector.length !== dims)) {
          throw new DbError('CORRUPTED', `Embed returned a vector of ${vector.length} dimensions, expected ${dims ?? 'a non-empty one'}`);
        }
        if (dims === undefined) this.#info = { ...this.#info, embedding: { ...this.#info.embedding, dimensions: vector.length } };
        out.push(vector);
      }
    }
    return out;
  }

  protected async doExtractEntities(texts: readonly string[], signal: AbortSignal | undefined): Promise<MlEntity[][]> {
    const out: MlEntity[][] = [];
    for (let i = 0; i < texts.length; i += this.#o.maxBatchSize) {
      throwIfAborted(signal);
      const batch = texts.slice(i, i + this.#o.maxBatchSize);
      const answer = (await this.#call('ExtractEntities', { texts: batch }, signal)) as {
        results?: { entities?: { text?: string; label?: string; start?: number; end?: number; score?: number }[] }[];
      };
      const results = answer.results ?? [];
      if (results.length !== batch.length) throw new DbError('CORRUPTED', `ExtractEntities answered ${results.length} lists for ${batch.length} texts`);
      results.forEach((result, j) => {
        const input = batch[j] as string;
        const entities: MlEntity[] = [];
        for (const e of result.entities ?? []) {
          const start = e.start ?? 0;
          const end = e.end ?? 0;
          // Offsets are a contract: an entity whose span does not slice the input is dropped, not passed on.
          if (end <= start || input.slice(start, end) !== e.text) continue;
          entities.push({ text: e.text, label: normalizeEntityLabel(e.label ?? ''), start, end, score: Math.min(1, Math.max(0, e.score ?? 0)) });
        }
        out.push(entities.sort((a, b) => a.start - b.start));
      });
    }
    return out;
  }

  protected async doSummarize(texts: readonly string[], maxLength: number, signal: AbortSignal | undefined): Promise<string> {
    const answer = (await this.#call('Summarize', { texts, maxLength }, signal)) as { summary?: string };
    return clip((answer.summary ?? '').trim(), maxLength);
  }

  protected override async doHealth(signal: AbortSignal | undefined): Promise<{ ok: boolean; detail?: string }> {
    const answer = (await this.#call('Health', {}, signal)) as { ok?: boolean; detail?: string; provider?: string };
    if (answer.ok === true) return { ok: true };
    return { ok: false, detail: `remote ${answer.provider ?? 'provider'} is not healthy${answer.detail ? `: ${answer.detail}` : ''}` };
  }

  protected async doClose(): Promise<void> {
    this.#client.close();
  }

  #call(method: string, request: object, signal: AbortSignal | undefined): Promise<unknown> {
    return call(this.#client, method, request, this.#metadata, this.#o.timeoutMs, signal);
  }
}

/** One unary call with a deadline; an abort cancels it (`ABORTED`); failures are DbErrors. */
function call(client: grpc.Client, method: string, request: object, metadata: grpc.Metadata, timeoutMs: number, signal: AbortSignal | undefined): Promise<unknown> {
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const fn = (client as unknown as Record<string, UnaryMethod>)[method]!;
    const onAbort = (): void => running.cancel();
    const running = fn.call(client, request, metadata, { deadline: Date.now() + timeoutMs }, (err, value) => {
      signal?.removeEventListener('abort', onAbort);
      if (err === null) resolve(value);
      else if (signal?.aborted) reject(abortedError(signal));
      else reject(fromGrpcError(err));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function toInfo(remote: RemoteInfo, address: string): MlBridgeInfo {
  const dims = remote.embedding?.dimensions;
  const info: MlBridgeInfo = {
    provider: 'grpc',
    quality: (remote.quality === 'semantic' ? 'semantic' : 'lexical') satisfies MlQuality,
    embedding: {
      model: remote.embedding?.model || 'unknown',
      dimensions: dims === undefined || dims === 0 ? undefined : dims,
      normalized: remote.embedding?.normalized ?? false,
    },
    entities: { model: remote.entities?.model || 'unknown' },
    summarizer: { model: remote.summarizer?.model || 'unknown', kind: remote.summarizer?.kind === 'abstractive' ? 'abstractive' : 'extractive' },
    reason: `remote ${remote.provider ?? 'unknown'} provider at ${address}${remote.reason ? ` (${remote.reason})` : ''}`,
  };
  return info;
}
