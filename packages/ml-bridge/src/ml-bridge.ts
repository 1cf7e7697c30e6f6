import type { EntityLabel } from './entity-labels.js';

/** Options every slow call accepts. */
export interface MlCallOptions {
  /** Cancels the call; it then rejects with a `DbError` whose code is `ABORTED`. */
  signal?: AbortSignal;
}

/** Options of {@link MlBridge.summarize}. */
export interface SummarizeOptions extends MlCallOptions {
  /** Upper bound on the summary's length in UTF-16 code units (JS string length). Default 500. */
  maxLength?: number;
}

/**
 * One named entity found in a text. `start`/`end` are UTF-16 offsets into the input
 * string (end exclusive), so `input.slice(start, end) === text` always holds.
 */
export interface MlEntity {
  /** The entity's surface form, exactly as it appears in the input. */
  text: string;
  /** Normalised label (see {@link ENTITY_LABELS}), whatever the model called it. */
  label: EntityLabel;
  /** Offset of the first code unit in the input string. */
  start: number;
  /** Offset one past the last code unit in the input string. */
  end: number;
  /** Confidence in [0, 1]. Rule-based providers report a fixed confidence per rule. */
  score: number;
}

/**
 * How much meaning an embedding captures. `lexical`: similar words score high
 * (hashed n-grams); `semantic`: paraphrases score high (neural sentence encoders).
 */
export type MlQuality = 'lexical' | 'semantic';

/** What a bridge runs: reported by {@link MlBridge.info}, never guessed by callers. */
export interface MlBridgeInfo {
  /** Provider name: `builtin`, `onnx`, `openai`, or a custom one. */
  provider: string;
  /** Quality class of the embeddings. */
  quality: MlQuality;
  embedding: {
    /** Model id; together with `dimensions` it names the vector space. */
    model: string;
    /** Vector length; `undefined` until a remote provider has answered once. */
    dimensions: number | undefined;
    /** True when vectors are L2-normalised (cosine = dot product). */
    normalized: boolean;
  };
  entities: {
    /** Model or rule set id. */
    model: string;
  };
  summarizer: {
    /** Model id. */
    model: string;
    /** `extractive` picks sentences from the input; `abstractive` writes new text. */
    kind: 'extractive' | 'abstractive';
  };
  /** Why this provider was chosen (set by `auto`). */
  reason?: string;
}

/** Result of {@link MlBridge.health}. */
export interface MlHealth {
  /** True when the bridge can serve calls now. */
  ok: boolean;
  /** Provider name, as in `info()`. */
  provider: string;
  /** Lifecycle status at the time of the check. */
  status: MlBridgeStatus;
  /** Human-readable reason when `ok` is false. */
  detail?: string;
}

/** Lifecycle of a bridge: created open, `close()` moves it to `closed` for good. */
export type MlBridgeStatus = 'open' | 'closing' | 'closed';

/**
 * The ML services the weaver needs, batch-first. Every provider (builtin, onnx,
 * openai, a worker proxy of any of them) implements exactly this and passes the same
 * conformance suite. Every failure is a `DbError` from `@tabagent/common`.
 *
 * @example
 * await using ml = await createMlBridge({ provider: 'builtin' });
 * const [a, b] = await ml.embed(['a cat sat', 'a cat sits']);
 * const entities = await ml.extractEntities(['Ada Lovelace lived in London.']);
 */
export interface MlBridge extends AsyncDisposable {
  /** `open` until `close()` is called. Calls after close fail with `NOT_OPEN`. */
  readonly status: MlBridgeStatus;
  /**
   * One vector per text, in input order. Empty input → empty output.
   * @throws DbError `INVALID_ARGUMENT` (not an array of strings), `ABORTED`, `NOT_OPEN`, …
   */
  embed(texts: readonly string[], options?: MlCallOptions): Promise<Float32Array[]>;
  /** One list of entities per text, in input order, each list sorted by `start`. */
  extractEntities(texts: readonly string[], options?: MlCallOptions): Promise<MlEntity[][]>;
  /** A summary of the texts (e.g. a chat's messages, in order), at most `maxLength` long. */
  summarize(texts: readonly string[], options?: SummarizeOptions): Promise<string>;
  /** What this bridge runs. Synchronous and cheap. */
  info(): MlBridgeInfo;
  /** Whether the bridge can serve calls now. Never throws. */
  health(options?: MlCallOptions): Promise<MlHealth>;
  /** Releases models, sessions, workers. Idempotent. */
  close(): Promise<void>;
}
