/** Options of the `openai` provider (any OpenAI-compatible server); defaults in {@link OPENAI_DEFAULTS}. */
export interface OpenAiMlBridgeOptions {
  /**
   * Base URL including the API version path, e.g. `https://api.openai.com/v1`,
   * `http://127.0.0.1:11434/v1` (Ollama), `http://127.0.0.1:8080/v1` (llama.cpp).
   */
  baseUrl: string;
  /** Bearer token; omitted from requests when undefined (local servers rarely need one). */
  apiKey?: string;
  /** Model for `/embeddings`. Default `text-embedding-3-small`. */
  embeddingModel?: string;
  /** Model for `/chat/completions` (summaries, entities). Default `gpt-4o-mini`. */
  chatModel?: string;
  /** Requested embedding size (sent as `dimensions`, for models that support it). Default: the model's own. */
  dimensions?: number;
  /** Per-attempt timeout in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Retries after the first attempt, for network errors, timeouts, 408, 409, 429 and 5xx. Default 2. */
  maxRetries?: number;
  /** First retry delay in ms; doubles each retry, with jitter, capped by `Retry-After` when given. Default 250. */
  retryDelayMs?: number;
  /** Texts per `/embeddings` request at most. Default 128. */
  maxBatchSize?: number;
  /** Chat requests in flight at once for `extractEntities`. Default 4. */
  concurrency?: number;
  /** L2-normalise embeddings (servers differ: OpenAI normalises, many local ones don't). Default true. */
  normalize?: boolean;
  /**
   * Ask for entities with `response_format: {type: 'json_schema'}` (structured
   * outputs). Set false for servers that only know `{type: 'json_object'}`. Default true.
   */
  jsonSchema?: boolean;
  /** Extra headers sent with every request (e.g. an organisation id). */
  headers?: Record<string, string>;
}

export const OPENAI_DEFAULTS = {
  embeddingModel: 'text-embedding-3-small',
  chatModel: 'gpt-4o-mini',
  timeoutMs: 30_000,
  maxRetries: 2,
  retryDelayMs: 250,
  maxBatchSize: 128,
  concurrency: 4,
  normalize: true,
  jsonSchema: true,
} as const;
