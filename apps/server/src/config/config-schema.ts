import { z } from 'zod';
import type { MlBridgeConfig } from '@tabagent/ml-bridge';

/** Log levels of `--log-level` (the server's logger levels, plus `silent`). */
export const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * ML providers the CLI can configure (each has its case in `mlConfigFor`). Kept here
 * rather than imported, so a command that never opens a database never loads ML code.
 */
export const ML_PROVIDER_NAMES = ['auto', 'builtin', 'onnx', 'openai', 'grpc'] as const satisfies readonly NonNullable<MlBridgeConfig['provider']>[];
export type MlProviderName = (typeof ML_PROVIDER_NAMES)[number];

/**
 * Transports `serve --mode` names (`all` = http + grpc; `native` owns stdin/stdout and runs
 * alone); which of them this build can start is decided in `serve/modes.ts`.
 */
export const SERVE_MODES = ['http', 'grpc', 'native', 'all'] as const;
export type ServeMode = (typeof SERVE_MODES)[number];

/** A TCP port; strings (from env vars and flags) are accepted when they are whole numbers. */
const port = z.coerce.number().int().min(0).max(65_535);

/**
 * One layer of configuration: a config file, the environment or the command line.
 * Every field is optional; unknown keys are errors (a typo must not be ignored).
 *
 * @example
 * { "dataDir": "~/tabagent", "ml": { "provider": "builtin" }, "server": { "port": 8080 } }
 */
export const configLayerSchema = z.strictObject({
  /** The database directory. */
  dataDir: z.string().min(1).optional(),
  /** Where downloaded models are installed (`tabagent models`). */
  modelDir: z.string().min(1).optional(),
  /** Least severe log messages written (to stderr, or `logFile`). */
  logLevel: z.enum(LOG_LEVELS).optional(),
  /** Append log lines to this file instead of stderr (useful under a browser, which hides the host's stderr). */
  logFile: z.string().min(1).optional(),
  /** Run the Knowledge Weaver (background enrichment) while serving. */
  weaver: z.boolean().optional(),
  ml: z
    .strictObject({
      /** `auto` (onnx when the default models are installed, else builtin), `builtin`, `onnx`, `openai` or `grpc`. */
      provider: z.enum(ML_PROVIDER_NAMES).optional(),
      /** Base URL of an OpenAI-compatible server (`openai` provider), e.g. `http://127.0.0.1:11434/v1`. */
      baseUrl: z.url().optional(),
      /** `host:port` of a remote MlInference service (`grpc` provider). */
      address: z.string().min(1).optional(),
      /** Bearer token of that server (`openai`, `grpc`). */
      apiKey: z.string().min(1).optional(),
      /** Embedding model (`openai`: the server's model name; `auto`/`onnx`: a Hub repo id). */
      embeddingModel: z.string().min(1).optional(),
      /** Chat model for summaries and entities (`openai`). */
      chatModel: z.string().min(1).optional(),
    })
    .optional(),
  server: z
    .strictObject({
      /** Transport(s) `serve` starts. */
      mode: z.enum(SERVE_MODES).optional(),
      /** Address to bind (server default 127.0.0.1). Any non-loopback address needs a token. */
      host: z.string().min(1).optional(),
      /** HTTP port to bind (server default 7420; 0 picks a free one). */
      port: port.optional(),
      /** gRPC port (`--mode grpc|all`; server default 50051; 0 picks a free one). Binds `host` too. */
      grpcPort: port.optional(),
      /** Also serve `tabagent.ml.v1.MlInference` on the gRPC port, so another TabAgent can use this one's ML. */
      grpcMl: z.boolean().optional(),
      /** Bearer token clients must send. */
      token: z.string().min(1).optional(),
      /** Origins allowed by CORS, e.g. `chrome-extension://<id>`. */
      corsOrigins: z.array(z.string().min(1)).optional(),
      /** Largest request body in bytes. */
      bodyLimit: z.coerce.number().int().positive().optional(),
      /** Where HTTP clients' exports, backups and imports are, by name (default `<database directory>-exports`). */
      exportsDir: z.string().min(1).optional(),
    })
    .optional(),
});

export type ConfigLayer = z.infer<typeof configLayerSchema>;

/** The effective configuration: every layer merged over the defaults. */
export interface AppConfig {
  dataDir: string;
  modelDir: string;
  logLevel: LogLevel;
  /** Log lines go here (appended) instead of stderr. */
  logFile?: string;
  weaver: boolean;
  ml: NonNullable<ConfigLayer['ml']> & { provider: MlProviderName };
  server: NonNullable<ConfigLayer['server']> & { mode: ServeMode };
  /** The config file that was read, if any. */
  configFile: string | undefined;
}
