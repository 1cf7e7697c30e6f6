export { createMcpServer } from './mcp-server.js';
export { startMcpStdio } from './mcp-stdio.js';
export type { McpStdioHandle } from './mcp-stdio.js';
export { createMcpHttpHandler, mountMcpHttp, MCP_HTTP_PATH } from './mcp-http.js';
export type { McpHttpHandler, McpHttpOptions, FastifyLike } from './mcp-http.js';
