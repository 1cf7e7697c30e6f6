import type { Readable, Writable } from 'node:stream';
import type { TabAgent } from 'tabagent';
import { guardStdout } from '../native/stdout-guard.js';
import { LineTransport } from './line-transport.js';
import { createMcpServer } from './mcp-server.js';

/** A running MCP server on stdio. */
export interface McpStdioHandle extends AsyncDisposable {
  /** Resolves when the client closes the input (or `close()` is called). */
  readonly closed: Promise<void>;
  /** Disconnects; the database stays open. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves MCP on stdio (`tabagent mcp`): JSON-RPC lines on `input`/`output`. Nothing
 * else may write to `output`; log to stderr. Lines that are not JSON-RPC, or are over
 * 4 MiB, are answered with JSON-RPC errors and the session goes on ({@link LineTransport}).
 *
 * @example
 * const mcp = await startMcpStdio(db);
 * await mcp.closed;   // the assistant went away
 * await db.close();
 */
export async function startMcpStdio(db: TabAgent, options: { input?: Readable; output?: Writable } = {}): Promise<McpStdioHandle> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const unguard = output === process.stdout ? guardStdout() : () => {};
  const server = createMcpServer(db);
  const transport = new LineTransport(input, output);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      input.off('end', onEnd);
      await server.close();
      unguard();
      resolveClosed();
    })());
  // The SDK's stdio transport does not notice the end of its input; the client leaving ends the session.
  const onEnd = (): void => void close();
  input.on('end', onEnd);
  transport.onclose = () => {
    unguard();
    resolveClosed();
  };
  await server.connect(transport);
  return { closed, close, [Symbol.asyncDispose]: close };
}
