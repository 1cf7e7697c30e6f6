import { DbError } from '@tabagent/common';
/** Response headers as undici returns them (lower-case names). */
export type IncomingHttpHeaders = Record<string, string | string[] | undefined>;

/** A failure worth another attempt (network, 429, 5xx); becomes UNAVAILABLE when retries run out. */
export class RetryableError extends Error {
  override readonly name = 'RetryableError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Maps an HTTP error status to the error to throw. The Hub explains itself in
 * `X-Error-Code` / `X-Error-Message` (e.g. `RepoNotFound`, `EntryNotFound`, `GatedRepo`).
 */
export function statusError(status: number, headers: IncomingHttpHeaders, what: string, bodyMessage?: string): Error {
  const code = header(headers, 'x-error-code');
  const hubMessage = header(headers, 'x-error-message') ?? bodyMessage;
  const suffix = [code, hubMessage].filter(Boolean).join(': ');
  const detail = suffix ? ` (${suffix})` : '';
  if (status === 404) return new DbError('NOT_FOUND', `${what}: not found${detail}`, { details: { status, hubErrorCode: code } });
  if (status === 401 || status === 403) {
    const hint = code === 'GatedRepo' ? 'accept the model’s terms on the Hub and use a token' : 'check the token (HF_TOKEN) and its access to this repo';
    return new DbError('UNAUTHENTICATED', `${what}: HTTP ${status}, ${hint}${detail}`, { details: { status, hubErrorCode: code } });
  }
  if (status === 429 || status >= 500) {
    return new RetryableError(`${what}: HTTP ${status}${detail}`, retryAfterMs(header(headers, 'retry-after')));
  }
  return new DbError('INVALID_ARGUMENT', `${what}: HTTP ${status}${detail}`, { details: { status, hubErrorCode: code } });
}

/** Network-level failures (refused, reset, timeouts, truncated bodies) are worth a retry. */
export function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: string }).code ?? '';
  return (
    code.startsWith('UND_ERR') ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED'].includes(code) ||
    err.name === 'SocketError' ||
    /other side closed|socket hang up|terminated/i.test(err.message)
  );
}

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
