import type { Command } from 'commander';
import { action } from '../context.js';
import { startMcpStdioTransport } from '../serve/mcp-stdio-transport.js';
import { runServer } from '../serve/run-server.js';

/**
 * `tabagent mcp`: the database as an MCP server on stdio, for an assistant to start
 * (`{"command": "tabagent", "args": ["mcp"]}`). It runs like `serve` (weaver on, ML in a
 * worker) until the assistant closes stdin; stdout carries only JSON-RPC.
 */
export function registerMcp(program: Command): void {
  program
    .command('mcp')
    .description('serve the database to an AI assistant over MCP on stdin/stdout until stdin closes (logs to stderr or --log-file)')
    .action(action(async (ctx) => runServer(ctx, { mode: 'mcp', transports: [{ name: 'mcp', start: startMcpStdioTransport }] })));
}
