import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { jsonDepthExceeds } from '@tabagent/common';
import { MAX_REQUEST_DEPTH } from '../operations/index.js';

/** Longest JSON-RPC line accepted on stdio, by default (4 MiB). */
export const DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024;

/** JSON-RPC 2.0's error codes for messages that cannot be handled at all. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/**
 * MCP's stdio transport (newline-delimited JSON-RPC), hardened: a line over
 * `maxLineBytes` is skipped to its end (memory stays bounded) and answered with an
 * Invalid Request error; a line that is not JSON gets a Parse error, one that is not a
 * JSON-RPC message (or nests too deeply) an Invalid Request error — with `id: null`, as
 * JSON-RPC prescribes — and the session goes on. The SDK's own transport dropped such
 * lines without a word, and ended the session on a long one.
 */
export class LineTransport implements Transport {
  onmessage?: (message: JSONRPCMessage) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;

  #parts: Buffer[] = [];
  #length = 0;
  /** True while skipping the rest of a line that was too long. */
  #skipping = false;
  #started = false;
  #closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES,
  ) {}

  readonly #onData = (chunk: Buffer | string): void => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10)) {
      const tail = data.subarray(0, newline);
      data = data.subarray(newline + 1);
      if (this.#skipping) {
        this.#skipping = false;
        continue;
      }
      if (this.#length + tail.length > this.maxLineBytes) {
        this.#tooLong();
        this.#reset();
        continue;
      }
      const line = this.#parts.length === 0 ? tail : Buffer.concat([...this.#parts, tail]);
      this.#reset();
      this.#handle(line);
    }
    if (this.#skipping || data.length === 0) return;
    if (this.#length + data.length > this.maxLineBytes) {
      this.#tooLong();
      this.#reset();
      this.#skipping = true;
      return;
    }
    this.#parts.push(data);
    this.#length += data.length;
  };

  readonly #onError = (error: Error): void => this.onerror?.(error);

  #reset(): void {
    this.#parts = [];
    this.#length = 0;
  }

  #tooLong(): void {
    this.#reply(INVALID_REQUEST, `Invalid Request: line longer than ${this.maxLineBytes} bytes`);
  }

  #handle(line: Buffer): void {
    const text = line.toString('utf8').replace(/\r$/u, '');
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.#reply(PARSE_ERROR, 'Parse error: not valid JSON');
      return;
    }
    if (jsonDepthExceeds(value, MAX_REQUEST_DEPTH)) {
      this.#reply(INVALID_REQUEST, `Invalid Request: nested deeper than ${MAX_REQUEST_DEPTH} levels`, idOf(value));
      return;
    }
    const message = JSONRPCMessageSchema.safeParse(value);
    if (!message.success) {
      this.#reply(INVALID_REQUEST, 'Invalid Request: not a JSON-RPC 2.0 message', idOf(value));
      return;
    }
    this.onmessage?.(message.data);
  }

  #reply(code: number, message: string, id: string | number | null = null): void {
    void this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage);
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('LineTransport already started');
    this.#started = true;
    this.input.on('data', this.#onData);
    this.input.on('error', this.#onError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.output.write(`${JSON.stringify(message)}\n`)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.input.off('data', this.#onData);
    this.input.off('error', this.#onError);
    if (this.input.listenerCount('data') === 0) this.input.pause();
    this.#reset();
    this.onclose?.();
  }
}

/** The `id` of a request that could not be handled, when it has a usable one. */
function idOf(value: unknown): string | number | null {
  const id = (value as { id?: unknown } | null)?.id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? id : null;
}
