import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { TabAgent } from 'tabagent';
import { SERVER_VERSION } from '../version.js';
import { registerMcpResources } from './mcp-resources.js';
import { registerMcpTools } from './mcp-tools.js';

/**
 * An MCP server exposing `db` as an assistant's memory: tools remember, recall,
 * related, entities, path, summarize-chat, get-node, query; resources for chats.
 * Connect it to any transport (see `startMcpStdio`, `createMcpHttpHandler`).
 */
export function createMcpServer(db: TabAgent): McpServer {
  const server = new McpServer(
    { name: 'tabagent', title: 'TabAgent DB', version: SERVER_VERSION },
    {
      capabilities: { tools: {}, resources: {} },
      instructions:
        'TabAgent is your long-term memory. Use "remember" to store what matters, "recall" to search it by meaning and keywords, "entities", "related" and "path" to explore how things connect, and "summarize-chat" for a digest.',
    },
  );
  registerMcpTools(server, db);
  registerMcpResources(server, db);
  return server;
}
