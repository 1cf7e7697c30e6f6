import { availableParallelism } from 'node:os';
import { mergeConfig } from 'vitest/config';
import { sharedTestConfig } from '../../vitest.shared.ts';

export default mergeConfig(sharedTestConfig, {
  test: {
    // The CLI tests run the built binary: build it (and what it imports) first.
    globalSetup: ['./test/global-setup.ts'],
    // The test processes mostly wait on the binaries they spawn: two files at a time even
    // on two cores (vitest's default there is one), which cuts the suite by about a third.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // eventsource-parser (under the MCP SDK's HTTP client) publishes a `source` condition
    // pointing at its .ts files: let vite load it (and the SDK that imports it) instead of Node.
    server: { deps: { inline: ['@modelcontextprotocol/sdk', 'eventsource', 'eventsource-parser'] } },
  },
});
