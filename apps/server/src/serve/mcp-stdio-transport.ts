import { DbError } from '@tabagent/common';
import type { RunningTransport, TransportContext } from './transport.js';

/**
 * MCP on stdin/stdout (`startMcpStdio`, JSON-RPC lines) for `tabagent mcp`: an
 * assistant starts it and closes stdin to stop it, which ends the command.
 */
export async function startMcpStdioTransport({ db, stdout }: TransportContext): Promise<RunningTransport> {
  if (stdout === undefined) throw new DbError('INTERNAL', 'the MCP stdio transport needs stdout for its protocol');
  const { startMcpStdio } = await import('@tabagent/server');
  const mcp = await startMcpStdio(db, { input: process.stdin, output: stdout });
  let closing: Promise<void> | undefined;
  return {
    name: 'mcp',
    ready: { protocol: 'mcp', stdio: true },
    banner: 'MCP server on stdin/stdout (JSON-RPC); the client closing stdin stops it',
    done: mcp.closed,
    close: () =>
      (closing ??= (async () => {
        await mcp.close();
        process.stdin.destroy();
      })()),
  };
}
