import { DbError } from '@tabagent/common';
import { throwIfAborted } from '@tabagent/common';
import { stripUndefined } from '../builtin/builtin-provider.js';
import type { MlBridgeInfo, MlEntity } from '../ml-bridge.js';
import { ProviderBase } from '../provider-base.js';
import { clip } from '../text/extractive-summary.js';
import { normalizeInPlace } from '../text/vector-math.js';
import { ENTITY_RESPONSE_SCHEMA, ENTITY_SYSTEM_PROMPT, parseEntityAnswer } from './entity-prompt.js';
import { HttpClient } from './http-client.js';
import { OPENAI_DEFAULTS, type OpenAiMlBridgeOptions } from './openai-options.js';

type Resolved = Required<Omit<OpenAiMlBridgeOptions, 'apiKey' | 'dimensions'>> & Pick<OpenAiMlBridgeOptions, 'apiKey' | 'dimensions'>;

/**
 * Any OpenAI-compatible endpoint (OpenAI, Ollama, llama.cpp server, vLLM, LM Studio):
 * embeddings from `/embeddings`, abstractive summaries and JSON-schema'd entity
 * extraction from `/chat/completions`. Creating it makes no request.
 *
 * @example
 * const ml = new OpenAiMlBridge({ baseUrl: 'http://127.0.0.1:11434/v1', embeddingModel: 'nomic-embed-text', chatModel: 'llama3.1' });
 * const [v] = await ml.embed(['hello']);
 */
export class OpenAiMlBridge extends ProviderBase {
  readonly #o: Resolved;
  readonly #http: HttpClient;
  #dimensions: number | undefined;

  constructor(options: OpenAiMlBridgeOptions) {
    super();
    if (typeof options?.baseUrl !== 'string' || !/^https?:\/\//i.test(options.baseUrl)) {
      throw new DbError('INVALID_ARGUMENT', 'baseUrl must be an http(s) URL', { details: { field: 'baseUrl' } });
    }
    this.#o = { ...OPENAI_DEFAULTS, headers: {}, ...stripUndefined(options) } as Resolved;
    for (const field of ['timeoutMs', 'maxBatchSize', 'concurrency'] as const) {
      if (!Number.isInteger(this.#o[field]) || this.#o[field] < 1) {
        throw new DbError('INVALID_ARGUMENT', `${field} must be a positive integer`, { details: { field } });
      }
    }
    if (!Number.isInteger(this.#o.maxRetries) || this.#o.maxRetries < 0) {
      throw new DbError('INVALID_ARGUMENT', 'maxRetries must be a non-negative integer', { details: { field: 'maxRetries' } });
    }
    this.#dimensions = this.#o.dimensions;
    this.#http = new HttpClient({
      baseUrl: this.#o.baseUrl,
      apiKey: this.#o.apiKey,
      headers: this.#o.headers,
      timeoutMs: this.#o.timeoutMs,
      maxRetries: this.#o.maxRetries,
      retryDelayMs: this.#o.retryDelayMs,
    });
  }

  info(): MlBridgeInfo {
    return {
      provider: 'openai',
      quality: 'semantic',
      embedding: { model: this.#o.embeddingModel, dimensions: this.#dimensions, normalized: this.#o.normalize },
      entities: { model: this.#o.chatModel },
      summarizer: { model: this.#o.chatModel, kind: 'abstractive' },
    };
  }

  protected async doEmbed(texts: readonly string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.#o.maxBatchSize) {
      throwIfAborted(signal);
      const batch = texts.slice(i, i + this.#o.maxBatchSize);
      const body: Record<string, unknown> = { model: this.#o.embeddingModel, input: batch, encoding_format: 'float' };
      if (this.#o.dimensions !== undefined) body.dimensions = this.#o.dimensions;
      const answer = await this.#http.postJson('/embeddings', body, signal);
      out.push(...this.#readEmbeddings(answer, batch.length));
    }
    return out;
  }

  #readEmbeddings(answer: unknown, expected: number): Float32Array[] {
    const data = (answer as { data?: unknown } | null)?.data;
    if (!Array.isArray(data) || data.length !== expected) {
      throw new DbError('CORRUPTED', `/embeddings answered with ${Array.isArray(data) ? data.length : 'no'} vectors for ${expected} inputs`);
    }
    const vectors = new Array<Float32Array>(expected);
    data.forEach((item: unknown, position) => {
      const { embedding, index } = (item ?? {}) as { embedding?: unknown; index?: unknown };
      const at = typeof index === 'number' ? index : position;
      if (!Array.isArray(embedding) || embedding.length === 0 || !embedding.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new DbError('CORRUPTED', `/embeddings item ${position} is not an array of finite numbers`);
      }
      if (at < 0 || at >= expected || vectors[at]) throw new DbError('CORRUPTED', `/embeddings item ${position} has a bad index ${at}`);
      const v = Float32Array.from(embedding as number[]);
      vectors[at] = this.#o.normalize ? normalizeInPlace(v) : v;
    });
    const dims = vectors[0]?.length;
    if (vectors.some((v) => v.length !== dims)) throw new DbError('CORRUPTED', '/embeddings returned vectors of different lengths');
    if (this.#dimensions === undefined) this.#dimensions = dims;
    else if (dims !== this.#dimensions) {
      throw new DbError('CORRUPTED', `/embeddings returned ${dims} dimensions, expected ${this.#dimensions}`);
    }
    return vectors;
  }

  protected async doExtractEntities(texts: readonly string[], signal: AbortSignal | undefined): Promise<MlEntity[][]> {
    const out = new Array<MlEntity[]>(texts.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < texts.length) {
        const i = next++;
        const text = texts[i] as string;
        out[i] = text.trim() === '' ? [] : await this.#entitiesOf(text, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#o.concurrency, texts.length) }, worker));
    return out;
  }

  async #entitiesOf(text: string, signal: AbortSignal | undefined): Promise<MlEntity[]> {
    const responseFormat = this.#o.jsonSchema
      ? { type: 'json_schema', json_schema: { name: 'entities', strict: true, schema: ENTITY_RESPONSE_SCHEMA } }
      : { type: 'json_object' };
    const content = await this.#chat(
      [
        { role: 'system', content: ENTITY_SYSTEM_PROMPT },
        { role: 'user', content: text },
      ],
      { response_format: responseFormat, temperature: 0 },
      signal,
    );
    return parseEntityAnswer(content, text);
  }

  protected async doSummarize(texts: readonly string[], maxLength: number, signal: AbortSignal | undefined): Promise<string> {
    const content = await this.#chat(
      [
        {
          role: 'system',
          content:
            `Summarise the conversation or notes the user sends in at most ${maxLength} characters. ` +
            'Keep names, decisions, dates and open questions. Answer with the summary only, no preamble.',
        },
        { role: 'user', content: texts.filter((t) => t.trim() !== '').join('\n\n') },
      ],
      // About 4 characters per token in English; the margin lets the model finish its sentence.
      { temperature: 0.2, max_tokens: Math.max(16, Math.ceil(maxLength / 3)) },
      signal,
    );
    // The length bound is a contract, not a wish: enforce it whatever the model did.
    return clip(content.trim(), maxLength);
  }

  async #chat(messages: Array<{ role: string; content: string }>, extra: Record<string, unknown>, signal: AbortSignal | undefined): Promise<string> {
    const answer = await this.#http.postJson('/chat/completions', { model: this.#o.chatModel, messages, ...extra }, signal);
    const content = (answer as { choices?: Array<{ message?: { content?: unknown } }> } | null)?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      throw new DbError('CORRUPTED', '/chat/completions answered without choices[0].message.content');
    }
    return content;
  }

  protected override async doHealth(signal: AbortSignal | undefined): Promise<{ ok: boolean; detail?: string }> {
    await this.#http.getJson('/models', signal);
    return { ok: true };
  }

  protected async doClose(): Promise<void> {
    // fetch keeps no per-bridge resources.
  }
}
