import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

/**
 * The shared config, except that the test processes do not get `--conditions=import`:
 * with it, Node 20's `require('ws')` (inside @fastify/websocket) would load ws's ESM
 * wrapper instead of its CommonJS entry and break.
 */
const conditions = ['source', 'node', 'default'];

export default defineConfig({
  ...sharedTestConfig,
  ssr: { ...sharedTestConfig.ssr, resolve: { ...sharedTestConfig.ssr?.resolve, conditions } },
  // eventsource-parser (under the MCP SDK's HTTP client) publishes a `source` condition
  // pointing at its .ts files: let vite load it (and the SDK that imports it) instead of Node.
  test: { ...sharedTestConfig.test, server: { deps: { inline: ['@modelcontextprotocol/sdk', 'eventsource', 'eventsource-parser'] } } },
});
