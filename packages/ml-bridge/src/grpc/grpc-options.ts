/** Options of the `grpc` provider: a remote `MlInference` service; defaults in {@link GRPC_DEFAULTS}. */
export interface GrpcMlBridgeOptions {
  /** `host:port` of the MlInference server (e.g. `127.0.0.1:50051`), or any grpc-js target (`dns:///ml.lan:50051`). */
  address: string;
  /** Sent as `authorization: Bearer <token>` with every call (a `tabagent serve` on a non-loopback address needs one). */
  token?: string;
  /** Use TLS (default false: plaintext, for loopback and trusted networks). */
  tls?: boolean;
  /** PEM root certificate(s) to trust with `tls` (default: the system's). */
  rootCertificates?: string;
  /** Deadline of each call in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** How long creating the bridge waits for the server's `Info`. Default 10 000. */
  connectTimeoutMs?: number;
  /** Texts per Embed / ExtractEntities call at most (larger inputs are sent in batches). Default 256. */
  maxBatchSize?: number;
  /** Largest message sent or received, in bytes. Default 64 MiB. */
  maxMessageBytes?: number;
}

export const GRPC_DEFAULTS = {
  tls: false,
  timeoutMs: 30_000,
  connectTimeoutMs: 10_000,
  maxBatchSize: 256,
  maxMessageBytes: 64 * 1024 * 1024,
} as const;
